"""Security headers on every response; CORS closed."""

import pytest

from app.security import content_security_policy


def directives(policy: str) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in policy.split("; "))}


@pytest.mark.parametrize(
    "path",
    ["/", "/api/models", "/healthz", "/static/js/main.js", "/vendor/plotly.min.js", "/no-such-page", "/openapi.json"],
)
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    policy = directives(headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'self'"]


def test_refusals_carry_them_too(client):
    too_big = client.post("/api/trace", content=b"x" * 70_000, headers={"content-type": "application/json"})
    assert too_big.status_code == 413 and "content-security-policy" in too_big.headers
    assert "content-security-policy" in client.post("/api/trace", json={}).headers


def test_the_policy_allows_no_inline_script_no_eval_and_no_other_host():
    policy = content_security_policy("'self'")
    for directive, values in directives(policy).items():
        assert "'unsafe-eval'" not in values, directive
        assert not any(v.startswith(("http:", "https:")) or v == "*" for v in values), directive
        if directive != "style-src":  # plotly.js adds <style> elements: styles only
            assert "'unsafe-inline'" not in values, directive
    assert directives(policy)["object-src"] == ["'none'"]


def test_who_may_frame_the_app_comes_from_the_settings(client_with):
    client = client_with(frame_ancestors="'self' https://course.example.edu")
    policy = directives(client.get("/").headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'self'", "https://course.example.edu"]


def test_only_the_docs_page_may_load_swagger_from_its_cdn(client):
    docs = directives(client.get("/docs").headers["content-security-policy"])
    assert "https://cdn.jsdelivr.net" in docs["script-src"]
    assert (
        "https://cdn.jsdelivr.net" not in directives(client.get("/").headers["content-security-policy"])["script-src"]
    )


def test_cors_is_closed(client):
    origin = {"origin": "https://evil.example"}
    answer = client.get("/api/models", headers=origin)
    assert not any(name.startswith("access-control-") for name in answer.headers)
    preflight = client.options("/api/trace", headers={**origin, "access-control-request-method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers

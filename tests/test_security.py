"""Security headers on every response; CORS closed; only our own host names answered."""

import pytest
from starlette.websockets import WebSocketDisconnect

from app.security import content_security_policy, host_name


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


# DNS rebinding: a page on evil.example, its name then pointed at 127.0.0.1, asks with Host: evil.example.
REBINDING = {"host": "evil.example:8000", "origin": "http://evil.example:8000"}


@pytest.mark.parametrize("path", ["/", "/embed", "/api/models", "/healthz", "/static/css/app.css", "/docs"])
def test_a_rebinding_host_gets_400_that_names_the_setting(client, path):
    answer = client.get(path, headers={"host": "evil.example:8000"})
    assert answer.status_code == 400
    assert answer.json()["detail"]["code"] == "host_not_allowed"
    assert "GATESCOPE_ALLOWED_HOSTS" in answer.json()["detail"]["message"]


def test_a_rebinding_host_cannot_post_or_open_the_stream(client):
    assert client.post("/api/trace", json={"model": "tiny", "text": "ab"}, headers=REBINDING).status_code == 400
    with pytest.raises(WebSocketDisconnect) as refused:  # its Origin matches its Host: only the Host check stops it
        with client.websocket_connect("/ws/trace", headers=REBINDING):
            pass
    assert refused.value.code == 1008


@pytest.mark.parametrize(
    "host", ["localhost:8000", "LOCALHOST", "127.0.0.1:8000", "[::1]:8000", "10.1.2.3", "app.localhost:8000"]
)
def test_loopback_names_and_addresses_are_always_served(client_with, host):
    client = client_with(allowed_hosts=[])
    assert client.get("/healthz", headers={"host": host}).status_code == 200
    with client.websocket_connect("/ws/trace", headers={"host": host, "origin": f"http://{host}"}) as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "a"})
        assert ws.receive_json()["type"] == "meta"


def test_allowed_hosts_names_the_others(client_with):
    client = client_with(allowed_hosts=["lstm.example.edu", ".course.example.org"])
    for host in ("lstm.example.edu", "LSTM.Example.edu.:443", "course.example.org", "a.b.course.example.org"):
        assert client.get("/healthz", headers={"host": host}).status_code == 200, host
    for host in ("example.edu", "lstm.example.edu.evil.example", "evilcourse.example.org", "", "a b"):
        assert client.get("/healthz", headers={"host": host}).status_code == 400, host
    anyone = client_with(allowed_hosts=["*"])
    assert anyone.get("/healthz", headers={"host": "evil.example"}).status_code == 200


@pytest.mark.parametrize(
    "header, name",
    [("LocalHost:8000", "localhost"), ("[::1]:80", "::1"), ("example.edu.", "example.edu"), ("[::1", "")],
)
def test_host_name_drops_the_port_and_final_dot(header, name):
    assert host_name(header) == name


def test_behind_a_proxy_that_is_not_trusted_the_refusal_says_which_setting_is_missing(client_with):
    client = client_with(allowed_hosts=["lstm.example.edu"])
    answer = client.get("/healthz", headers={"host": "gatescope-upstream", "x-forwarded-host": "lstm.example.edu"})
    assert answer.status_code == 400
    assert "GATESCOPE_TRUSTED_PROXIES" in answer.json()["detail"]["message"]

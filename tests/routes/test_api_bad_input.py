"""POST /api/trace under bad and hostile input: every one gets a JSON error naming what is
wrong (and the limit, when one was reached), never a 500, and the next request works."""

import json

import pytest

TRAVERSALS = [
    "../../etc/passwd",
    "..",
    "/etc/passwd",
    "lstm-demo/../lstm-demo",
    "..\\..\\windows\\win.ini",
    "tiny.npz",
    "~/.ssh/id_rsa",
    "%2e%2e%2fetc%2fpasswd",
    "tiny\x00",
    "file:///etc/passwd",
    " tiny",
]


def post_raw(client, body: bytes | str, content_type="application/json"):
    return client.post("/api/trace", content=body, headers={"content-type": content_type})


def still_serves(client):
    response = client.post("/api/trace", json={"model": "tiny", "text": "ab"})
    assert response.status_code == 200 and len(response.json()["steps"]) == 2


@pytest.mark.parametrize("name", TRAVERSALS)
def test_model_names_are_names_never_paths(client, name):
    response = client.post("/api/trace", json={"model": name, "text": "a"})
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "unknown_model"
    still_serves(client)


@pytest.mark.parametrize(
    ("body", "where"),
    [
        (b"not json", "body"),
        (b'{"model": "tiny", "text": ', "body"),
        (b"[1, 2]", "body"),
        (b'{"model": "tiny", "text": 5}', "body.text"),
        (b'{"model": ["tiny"], "text": "a"}', "body.model"),
        (b'{"model": "tiny"}', "body.text"),
        (b'{"model": "tiny", "text": ""}', "body.text"),
        (b"", "body"),
    ],
)
def test_malformed_bodies_are_a_422_saying_where(client, body, where):
    response = post_raw(client, body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail["code"] == "bad_request" and detail["message"].startswith(where), detail
    still_serves(client)


@pytest.mark.parametrize("body", [b"[" * 50_000, b"\xff\xfe{not utf-8", b'{"text": "\xc3"}'])
def test_a_body_that_cannot_be_parsed_is_refused_in_the_same_shape(client, body):
    response = post_raw(client, body)
    assert response.status_code in (400, 422)
    assert response.json()["detail"]["code"] == "bad_request"
    still_serves(client)


def test_an_unknown_path_is_a_json_404(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json()["detail"]["code"] == "not_found"


def test_a_validation_error_never_echoes_the_input(client):
    secret = "x" * 40_000
    response = client.post("/api/trace", json={"model": secret, "text": "a"})
    assert response.status_code == 422
    assert secret[:100] not in response.text and len(response.content) < 1_000


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("a\x00b", "U+0000 at position 1"),
        ("\x1b[2J", "U+001B at position 0"),
    ],
)
def test_control_characters_are_refused_by_name(client, text, named):
    response = client.post("/api/trace", json={"model": "tiny", "text": text})
    assert response.status_code == 422
    assert response.json()["detail"]["code"] == "bad_text" and named in response.json()["detail"]["message"]


def test_tabs_and_newlines_are_text(client):
    steps = client.post("/api/trace", json={"model": "tiny", "text": "a\tb\nc"}).json()["steps"]
    assert [s["token"] for s in steps] == ["a", "\t", "b", "\n", "c"]
    assert steps[1]["unk"] and steps[3]["unk"]


@pytest.mark.parametrize("field", ["text", "model"])
def test_a_lone_surrogate_is_refused_not_a_crash(client, field):
    body = {"model": "tiny", "text": "ab"}
    body[field] = "a\ud800"
    response = post_raw(client, json.dumps(body))  # ensure_ascii: the JSON spells it "\ud800"
    assert response.status_code == 422
    assert response.json()["detail"]["message"].startswith(f"body.{field}: Input should be a valid string")
    still_serves(client)


def test_a_body_over_the_size_limit_is_a_413_naming_the_limit(client):
    emoji = json.dumps({"model": "tiny", "text": "😀" * 2_500_000}, ensure_ascii=False)  # 10 MB
    response = post_raw(client, emoji)
    assert response.status_code == 413
    assert response.json()["detail"] == {
        "code": "too_large",
        "message": "a request body may hold at most 65536 bytes",
        "limit": "max_body_bytes",
    }
    still_serves(client)


def test_a_body_that_is_larger_than_it_declared_is_still_refused(client):
    def chunks():
        for _ in range(100):
            yield b"x" * 10_000

    response = client.post("/api/trace", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_text_over_the_token_limit_names_the_limit(client):
    detail = client.post("/api/trace", json={"model": "tiny", "text": "a" * 301}).json()["detail"]
    assert detail["code"] == "too_long" and detail["limit"] == "max_tokens_per_message"


def test_a_broken_model_file_is_an_error_not_a_500(client, models_dir):
    (models_dir / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    response = client.post("/api/trace", json={"model": "broken", "text": "a"})
    assert response.status_code == 422 and response.json()["detail"]["code"] == "bad_model"


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"model": "tiny", "text": "a", "whatIf": {}}, "body.whatIf"),
        (
            {"model": "tiny", "text": "a", "whatif": {"clamps": [{"vector": "f", "value": 1, "Start": 2}]}},
            "body.whatif",
        ),
        ({"model": "tiny", "text": "a", "whatif": {"weight": []}}, "body.whatif.weight"),
    ],
)
def test_a_field_the_body_does_not_have_is_refused_by_name(client, body, where):
    response = client.post("/api/trace", json=body)
    detail = response.json()["detail"]
    assert response.status_code == 422 and detail["code"] == "bad_request"
    assert detail["message"].startswith(where) and detail["message"].endswith(": unknown field"), detail
    still_serves(client)

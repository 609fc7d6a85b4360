"""WS /ws/trace under bad and hostile messages: each gets an error frame naming what is
wrong and the connection stays usable, or, where it cannot, a close code that says why."""

import json

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.routes.stream_client import (
    assert_still_usable,
    errors_then_still_usable,
    receive_until_done,
)
from tests.routes.test_api_bad_input import TRAVERSALS


@pytest.mark.parametrize("name", TRAVERSALS)
def test_model_names_are_names_never_paths(client, name):
    with client.websocket_connect("/ws/trace") as ws:
        error = errors_then_still_usable(ws, {"type": "start", "model": name, "text": "a"}, "unknown_model")
    assert "tiny" in error["message"]


@pytest.mark.parametrize(
    ("bad", "code"),
    [
        ("{", "bad_json"),
        ("[" * 60_000, "bad_json"),  # deeper than Python's JSON parser recurses
        ('{"type": "start", "text": "a", "id": ' + "9" * 5_000 + "}", "bad_json"),  # past int parsing's limit
        ("null", "unknown_type"),
        ({"type": None}, "unknown_type"),
        ({"type": "START", "text": "a"}, "unknown_type"),
        ({"type": "start", "model": 7, "text": "a"}, "bad_message"),
        ({"type": "start", "text": ["a"]}, "bad_message"),
        ({"type": "start", "text": "a", "id": "7"}, "bad_message"),
        ({"type": "start", "text": "a", "id": -1}, "bad_message"),
        ({"type": "start", "text": "a", "id": 2**60}, "bad_message"),
        ({"type": "start", "model": "m" * 65, "text": "a"}, "bad_message"),
        ({"type": "start", "model": "tiny", "text": "a\x00"}, "bad_text"),
        ({"type": "start", "model": "tiny", "text": "\x1b[31mred"}, "bad_text"),
        ('{"type": "start", "model": "tiny", "text": "a\\ud800"}', "bad_text"),
        ('{"type": "start", "model": "tiny\\udfff", "text": "a"}', "bad_message"),
        (b"\xff\xfe binary", "bad_message"),
    ],
)
def test_each_bad_message_gets_its_error_and_the_connection_stays_usable(client, bad, code):
    with client.websocket_connect("/ws/trace") as ws:
        errors_then_still_usable(ws, bad, code)


def test_a_lone_surrogate_in_an_append_is_refused_and_the_trace_goes_on(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "ab"})
        receive_until_done(ws)
        ws.send_text('{"type": "append", "text": "\\ud83d"}')  # half an emoji
        error = ws.receive_json()
        assert error["code"] == "bad_text" and "lone surrogate U+D83D" in error["message"]
        ws.send_json({"type": "append", "text": "😀\x00"})
        error = ws.receive_json()
        assert error["code"] == "bad_text" and "U+0000 at position 1" in error["message"]
        ws.send_json({"type": "append", "text": "c\td"})
        assert receive_until_done(ws)[-1] == {"type": "done", "steps": 3, "total": 5}


def test_an_append_over_the_session_limit_names_the_limit(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "a" * 300})
        receive_until_done(ws)
        ws.send_json({"type": "append", "text": "b" * 201, "id": 4})
        assert ws.receive_json() == {
            "type": "error",
            "code": "too_long",
            "limit": "max_tokens_per_session",
            "id": 4,
            "message": "a trace holds at most 500 tokens; this one has 300 already",
        }


def test_a_message_over_the_size_limit_gets_an_error_and_the_connection_stays(client):
    with client.websocket_connect("/ws/trace") as ws:
        error = errors_then_still_usable(ws, json.dumps({"type": "start", "text": "a" * 70_000}), "too_large")
    assert error["limit"] == "max_message_bytes" and "at most 65536 bytes" in error["message"]


def test_ten_megabytes_of_emoji_are_refused_unread_and_the_connection_closed_1009(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_text(json.dumps({"type": "start", "text": "😀" * 2_500_000}, ensure_ascii=False))
        error = ws.receive_json()
        assert (error["code"], error["limit"]) == ("too_large", "max_message_bytes")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1009
    with client.websocket_connect("/ws/trace") as ws:
        assert_still_usable(ws)


def test_an_unknown_model_keeps_the_current_trace(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "ab"})
        receive_until_done(ws)
        ws.send_json({"type": "start", "model": "../../etc/passwd", "text": "x"})
        assert ws.receive_json()["code"] == "unknown_model"
        ws.send_json({"type": "append", "text": "c"})
        assert receive_until_done(ws)[-1]["total"] == 3


def test_a_broken_model_file_is_an_error_frame(client, models_dir):
    (models_dir / "broken.npz").write_bytes(b"garbage")
    with client.websocket_connect("/ws/trace") as ws:
        error = errors_then_still_usable(ws, {"type": "start", "model": "broken", "text": "a"}, "bad_model")
    assert "not a readable .npz" in error["message"]


@pytest.mark.parametrize(
    ("bad", "where"),
    [
        ({"type": "start", "model": "tiny", "text": "a", "whatIf": {"clamps": []}}, "whatIf"),
        ({"type": "start", "model": "tiny", "text": "a", "Model": "tiny"}, "Model"),
        ({"type": "append", "text": "a", "encoding": "binary"}, "encoding"),
        ({"type": "start", "text": "a", "whatif": {"clamp": []}}, "whatif.clamp"),
        ({"type": "start", "text": "a", "whatif": {"clamps": [{"vector": "f", "value": 1, "Unit": 2}]}}, "whatif"),
    ],
)
def test_a_field_the_message_does_not_have_is_refused_by_name(client, bad, where):
    with client.websocket_connect("/ws/trace") as ws:
        if bad["type"] == "append":
            ws.send_json({"type": "start", "model": "tiny", "text": ""})
            receive_until_done(ws)
        error = errors_then_still_usable(ws, bad, "bad_message")
    assert error["message"].startswith(where) and error["message"].endswith(": unknown field"), error

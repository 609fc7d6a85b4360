"""WS /ws/trace with `"encoding": "binary"`: step frames as binary messages, the rest JSON."""

import json

import pytest

from app.tracing import wire
from tests.helpers import WIRE_BOUND
from tests.routes.stream_client import errors_then_still_usable, receive_until_done


def receive_binary_until_done(ws) -> tuple[dict, list[bytes], list[dict], dict]:
    """meta, the binary messages, their decoded steps, and the closing done (or error)."""
    meta = ws.receive_json()
    assert meta["type"] == "meta", meta
    return (meta, *receive_steps(ws, meta))


def receive_steps(ws, meta) -> tuple[list[bytes], list[dict], dict]:
    messages, steps = [], []
    while True:
        received = ws.receive()
        if received.get("bytes") is not None:
            messages.append(received["bytes"])
            steps += wire.decode(received["bytes"], meta)[1]
            continue
        frame = json.loads(received["text"])
        if frame["type"] in ("done", "error"):
            return messages, steps, frame


def json_steps(ws, model: str, text: str) -> list[dict]:
    ws.send_json({"type": "start", "model": model, "text": text})
    return receive_until_done(ws)[1:-1]


def close_to(a: list[float], b: list[float]) -> bool:
    return all(abs(x - y) <= WIRE_BOUND for x, y in zip(a, b, strict=True))


def test_json_stays_the_default(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "ab", "id": 2})
        for _ in range(4):
            assert ws.receive().get("text") is not None  # meta, step, step, done: all text
        ws.send_json({"type": "start", "model": "tiny", "text": "ab", "encoding": "json"})
        assert [f["type"] for f in receive_until_done(ws)] == ["meta", "step", "step", "done"]


def test_binary_steps_decode_to_the_json_steps(client):
    with client.websocket_connect("/ws/trace") as ws:
        expected = json_steps(ws, "deep", "i grew up")
        ws.send_json({"type": "start", "model": "deep", "text": "i grew up", "encoding": "binary", "id": 5})
        _, messages, steps, done = receive_binary_until_done(ws)
    assert messages and all(message[0] == wire.VERSION for message in messages)
    assert done == {"type": "done", "steps": 9, "total": 9, "id": 5}
    assert [s["t"] for s in steps] == list(range(9)) and {s["id"] for s in steps} == {5}
    for got, want in zip(steps, expected, strict=True):
        assert got["token"] == want["token"] and got["predictions"][0]["id"] == want["predictions"][0]["id"]
        for layer_got, layer_want in zip(got["layers"], want["layers"], strict=True):
            assert close_to(layer_got["c"], layer_want["c"])
            assert close_to(layer_got["gates"]["f"], layer_want["gates"]["f"])
        assert close_to(got["x"], want["x"])


def test_appends_keep_the_start_encoding(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "i", "encoding": "binary"})
        meta, *_ = receive_binary_until_done(ws)
        ws.send_json({"type": "append", "text": " grew", "id": 9})
        messages, steps, done = receive_steps(ws, meta)
    assert messages and [s["t"] for s in steps] == [1, 2, 3, 4, 5] and done["total"] == 6
    assert "".join(s["token"] for s in steps) == " grew" and {s["id"] for s in steps} == {9}


def test_steps_waiting_together_go_out_together(client):
    """A chunk's frames (stream_chunk = 4 here) enter the outbox at once: fewer messages than steps."""
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "i grew up in france " * 10, "encoding": "binary"})
        _, messages, steps, done = receive_binary_until_done(ws)
    assert len(steps) == done["steps"] == 200
    assert len(messages) < len(steps)


def test_a_new_start_may_go_back_to_json(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "ab", "encoding": "binary"})
        receive_binary_until_done(ws)
        assert [f["type"] for f in json_steps(ws, "tiny", "ab")] == ["step", "step"]


@pytest.mark.parametrize("encoding", ["f16", "BINARY", 1, None, ["binary"]])
def test_an_unknown_encoding_is_refused(client, encoding):
    with client.websocket_connect("/ws/trace") as ws:
        error = errors_then_still_usable(
            ws, {"type": "start", "model": "tiny", "text": "a", "encoding": encoding}, "bad_message"
        )
    assert error["message"].startswith("encoding:")


def test_a_message_never_mixes_requests(client):
    """Messages sent without waiting: each binary message holds the steps of one of them."""
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "i grew", "encoding": "binary", "id": 1})
        for n, part in enumerate((" up", " in", " france"), start=2):
            ws.send_json({"type": "append", "text": part, "id": n})
        meta = ws.receive_json()
        answers = [receive_steps(ws, meta) for _ in range(4)]
    for n, (messages, steps, done) in enumerate(answers, start=1):
        assert done["id"] == n and {s["id"] for s in steps} == {n} and len(steps) == done["steps"]
        assert all(wire.Reader(m).take(2)[1] == n + 1 for m in messages)  # the header's id + 1
    assert [s["t"] for _, steps, _ in answers for s in steps] == list(range(len("i grew up in france")))

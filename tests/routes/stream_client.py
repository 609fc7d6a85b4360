"""What tests of WS /ws/trace do as a client."""

from __future__ import annotations


def receive_until_done(ws) -> list[dict]:
    """Frames up to and including the next `done` or `error`."""
    frames = []
    while True:
        frame = ws.receive_json()
        frames.append(frame)
        if frame["type"] in ("done", "error"):
            return frames


def send_any(ws, message) -> None:
    if isinstance(message, bytes):
        ws.send_bytes(message)
    elif isinstance(message, str):
        ws.send_text(message)
    else:
        ws.send_json(message)


def assert_still_usable(ws) -> None:
    ws.send_json({"type": "start", "model": "tiny", "text": "ab"})
    assert [f["type"] for f in receive_until_done(ws)] == ["meta", "step", "step", "done"]


def errors_then_still_usable(ws, bad, code: str) -> dict:
    send_any(ws, bad)
    error = ws.receive_json()
    assert error["type"] == "error" and error["code"] == code, error
    assert error["message"]
    assert_still_usable(ws)
    return error

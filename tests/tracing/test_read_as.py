"""A typographic form the vocabulary lacks, read as its plain form: the step frame says
so (JSON and binary), and the model's numbers are those of the plain text."""

from fastapi.testclient import TestClient

from app.main import create_app
from app.models.registry import ModelRegistry
from app.settings import Settings
from app.tracing import wire
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceSession
from tests.routes.stream_client import receive_until_done
from tests.routes.test_stream_binary import receive_binary_until_done

CURLY = "He said \u201cno, I won\u2019t\u201d."
STRAIGHT = 'He said "no, I won\'t".'


def trace(client, text: str) -> list[dict]:
    response = client.post("/api/trace", json={"model": "prose", "text": text})
    assert response.status_code == 200
    return response.json()["steps"]


def test_curly_quotes_trace_as_straight_ones_and_each_step_says_what_it_read(tmp_path):
    with TestClient(create_app(Settings(models=tmp_path))) as client:
        curly, straight = trace(client, CURLY), trace(client, STRAIGHT)
    assert "".join(step["token"] for step in curly) == CURLY  # what was typed is kept
    read = {step["t"]: (step["token"], step["read_as"]) for step in curly if "read_as" in step}
    assert read == {8: ("\u201c", '"'), 18: ("\u2019", "'"), 20: ("\u201d", '"')}
    assert not any("read_as" in step for step in straight)
    for a, b in zip(curly, straight, strict=True):
        assert a["token_id"] == b["token_id"] and not a["unk"]
        assert a["c"] == b["c"] and a["h"] == b["h"] and a["predictions"] == b["predictions"]


def test_the_binary_stream_carries_the_read_form_too(tmp_path):
    with TestClient(create_app(Settings(models=tmp_path))) as client, client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "prose", "text": CURLY})
        json_steps = [f for f in receive_until_done(ws) if f["type"] == "step"]
        ws.send_json({"type": "start", "model": "prose", "text": CURLY, "encoding": "binary"})
        _, _, binary_steps, _ = receive_binary_until_done(ws)
    assert [(s["token"], s.get("read_as")) for s in binary_steps] == [
        (s["token"], s.get("read_as")) for s in json_steps
    ]
    assert sum("read_as" in s for s in binary_steps) == 3


def test_a_frame_without_a_read_form_has_no_read_as_key():
    model = ModelRegistry(None).get("prose")
    session = TraceSession(model, top_k=3)
    steps = session.run(session.tokenize("\u201ca"))
    frames = [step_frame(model, step, 5) for step in steps]
    assert frames[0]["read_as"] == '"' and "read_as" not in frames[1]
    meta = meta_frame(model, True, 5)
    _, decoded = wire.decode(wire.message([wire.encode_step(model, step) for step in steps], None), meta)
    assert decoded[0]["read_as"] == '"' and "read_as" not in decoded[1]

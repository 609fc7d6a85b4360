"""WS /ws/trace, as a client sees it."""

import json

import numpy as np
import pytest
from numpy.testing import assert_allclose

from tests.helpers import CELL_NAMES
from tests.routes.stream_client import errors_then_still_usable, receive_until_done


def test_start_streams_meta_then_one_step_per_token_then_done(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "i grew"})
        frames = receive_until_done(ws)
    assert [f["type"] for f in frames] == ["meta"] + ["step"] * 6 + ["done"]
    meta = frames[0]
    assert (meta["model"], meta["cell"], meta["hidden_size"], meta["layers"], meta["tokenizer"]) == (
        "tiny",
        "lstm",
        5,
        1,
        "char",
    )
    assert [f["t"] for f in frames[1:-1]] == list(range(6))
    assert "".join(f["token"] for f in frames[1:-1]) == "i grew"
    assert frames[-1] == {"type": "done", "steps": 6, "total": 6}


def test_appends_continue_the_trace_and_equal_the_whole_text(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "deep", "text": "i gr"})
        pieces = receive_until_done(ws)[1:-1]
        for part in ("ew ", "up", " in France"):
            ws.send_json({"type": "append", "text": part})
            frames = receive_until_done(ws)
            assert frames[-1]["type"] == "done" and frames[-1]["steps"] == len(part)
            pieces += frames[:-1]
        assert frames[-1]["total"] == len("i grew up in France")
        ws.send_json({"type": "start", "model": "deep", "text": "i grew up in France"})
        whole = receive_until_done(ws)[1:-1]
    assert [f["t"] for f in pieces] == [f["t"] for f in whole]
    for a, b in zip(pieces, whole):
        assert len(a["layers"]) == 2
        for la, lb in zip(a["layers"], b["layers"]):
            assert_allclose(la["c"], lb["c"], atol=2e-5)
            assert_allclose(la["gates"]["f"], lb["gates"]["f"], atol=2e-5)


def test_frames_echo_the_request_id(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "ab", "id": 7})
        assert {f["id"] for f in receive_until_done(ws)} == {7}
        ws.send_json({"type": "append", "text": "c", "id": 8})
        assert {f["id"] for f in receive_until_done(ws)} == {8}


def test_step_frames_satisfy_the_cell_update_and_gates_lie_in_0_1(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "text": "I grew up in France. 我在法国长大"})
        frames = receive_until_done(ws)
    steps = frames[1:-1]
    assert frames[0]["model"] == "lstm-demo"
    c_prev = np.zeros(16)
    for step in steps:
        g = {k: np.array(v) for k, v in step["gates"].items()}
        assert all(((g[k] >= 0) & (g[k] <= 1)).all() for k in ("f", "i", "o"))
        assert_allclose(step["c"], g["f"] * c_prev + g["i"] * g["c_tilde"], atol=5e-5)
        assert_allclose(step["h"], g["o"] * np.tanh(step["c"]), atol=5e-5)
        c_prev = np.array(step["c"])
    chinese = [s for s in steps if s["token"] in "我在法国长大"]
    assert len(chinese) == 6 and all(s["unk"] for s in chinese)


def test_bad_messages_get_an_error_frame_and_the_connection_stays_usable(client):
    cases = [
        ("not json", "bad_json"),
        ([1, 2], "unknown_type"),
        ({"type": "stop"}, "unknown_type"),
        ({"type": "start", "text": 5}, "bad_message"),
        ({"type": "start", "model": "nope", "text": "a"}, "unknown_model"),
        ({"type": "start", "model": "../tiny", "text": "a"}, "unknown_model"),
        ({"type": "append", "text": ""}, "bad_message"),
        (b"\x00\x01", "bad_message"),
        ({"type": "start", "model": "tiny", "text": "a" * 301}, "too_long"),
        (json.dumps({"type": "start", "text": "a" * 70_000}), "too_large"),
    ]
    with client.websocket_connect("/ws/trace") as ws:
        for bad, code in cases:
            errors_then_still_usable(ws, bad, code)


def test_append_before_start_is_an_error(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "append", "text": "a", "id": 3})
        assert ws.receive_json() == {
            "type": "error",
            "code": "no_trace",
            "message": "send a 'start' message before 'append'",
            "id": 3,
        }


def test_a_session_holds_at_most_its_token_limit(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "a" * 300})
        assert receive_until_done(ws)[-1]["total"] == 300
        ws.send_json({"type": "append", "text": "a" * 201})
        assert ws.receive_json()["code"] == "too_long"
        ws.send_json({"type": "append", "text": "a" * 200})
        assert receive_until_done(ws)[-1]["total"] == 500


def test_a_start_with_empty_text_opens_a_trace_to_type_into(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": ""})
        assert [f["type"] for f in receive_until_done(ws)] == ["meta", "done"]
        ws.send_json({"type": "append", "text": "a"})
        frames = receive_until_done(ws)
        assert frames[0]["t"] == 0 and frames[-1]["total"] == 1


def test_a_clockwork_stream_keeps_the_clock_across_appends(every_cell_client):
    with every_cell_client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "cwrnn", "text": "abc"})
        steps = receive_until_done(ws)[1:-1]
        ws.send_json({"type": "append", "text": "defg"})
        steps += receive_until_done(ws)[:-1]
    assert [s["t"] for s in steps] == list(range(7))
    for step in steps:  # 4 units, one per module, of periods 1, 2, 4, 8
        assert step["active"] == [float(step["t"] % period == 0) for period in (1, 2, 4, 8)], step["t"]


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_cell_streams_and_appends(every_cell_client, cell):
    with every_cell_client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": cell, "text": "ab"})
        frames = receive_until_done(ws)
        ws.send_json({"type": "append", "text": "c"})
        frames += receive_until_done(ws)
    assert [f["type"] for f in frames] == ["meta", "step", "step", "done", "step", "done"]
    meta, steps = frames[0], [f for f in frames if f["type"] == "step"]
    assert meta["cell"] == cell and [s["t"] for s in steps] == [0, 1, 2]
    for step in steps:
        assert len(step["layers"]) == 2
        assert all(len(step[name]) == 4 for name in meta["states"] + meta["extras"])


def test_a_start_with_what_if_clamps_reads_the_text_with_them(client):
    whatif = {"clamps": [{"vector": "f", "value": 1, "start": 2}, {"vector": "i", "value": 0, "start": 2}]}
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "i grew up", "whatif": whatif})
        frames = receive_until_done(ws)
        assert frames[0]["whatif"]["clamps"][0]["vector"] == "f"
        steps = frames[1:-1]
        for step in steps[2:]:
            assert step["c"] == steps[1]["c"] and set(step["gates"]["f"]) == {1.0}
        ws.send_json({"type": "append", "text": " in"})  # appends keep the clamps
        for step in receive_until_done(ws)[:-1]:
            assert step["c"] == steps[1]["c"]


def test_what_if_on_a_missing_vector_is_an_error_frame(client):
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json(
            {"type": "start", "model": "tiny", "text": "ab", "whatif": {"clamps": [{"vector": "z", "value": 1}]}}
        )
        error = ws.receive_json()
        assert error["code"] == "bad_whatif" and "no vector 'z'" in error["message"]
        ws.send_json(
            {"type": "start", "model": "tiny", "text": "ab", "whatif": {"clamps": [{"vector": "f", "value": "x"}]}}
        )
        assert ws.receive_json()["code"] == "bad_message"

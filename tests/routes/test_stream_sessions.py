"""The life of a stream session: limits on how many, replacing a trace, idling, leaving."""

import asyncio
import time

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.routes.stream_client import assert_still_usable, receive_until_done


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def stream_tasks(ws) -> list[str]:
    """Names of the connection's own tasks still alive in its event loop."""

    def names():
        return [task.get_name() for task in asyncio.all_tasks()]  # anyio names a task by its function

    return [name for name in ws.portal.call(names) if "TraceStream." in name]


def test_a_client_that_disconnects_mid_trace_frees_its_session_and_tasks_at_once(client_with):
    client = client_with(max_tokens_per_message=5_000, max_tokens_per_session=5_000, stream_chunk=4)
    sessions = client.app.state.sessions
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "a" * 5_000})
        assert ws.receive_json()["type"] == "meta" and ws.receive_json()["type"] == "step"
        assert len(sessions) == 1 and "app.routes.stream.TraceStream.run" in stream_tasks(ws)
        ws.send({"type": "websocket.disconnect", "code": 1001})  # the tab is closed, mid-trace
        wait_for(lambda: len(sessions) == 0, timeout=1.0)
        assert stream_tasks(ws) == []


def test_a_new_start_cancels_the_trace_still_streaming(client_with):
    client = client_with(max_tokens_per_message=5_000, max_tokens_per_session=5_000, stream_chunk=4)
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "a" * 5_000, "id": 1})
        ws.send_json({"type": "start", "model": "tiny", "text": "bc", "id": 2})
        frames = []
        while not (frames and frames[-1]["type"] == "done" and frames[-1]["id"] == 2):
            frames.append(ws.receive_json())
        old = [f for f in frames if f["id"] == 1]
        assert len(old) < 1_000 and "done" not in {f["type"] for f in old}
        assert [(f["type"], f.get("token")) for f in frames if f["id"] == 2] == [
            ("meta", None),
            ("step", "b"),
            ("step", "c"),
            ("done", None),
        ]
        ws.send_json({"type": "append", "text": "d", "id": 3})
        assert receive_until_done(ws)[-1] == {"type": "done", "steps": 1, "total": 3, "id": 3}


def test_an_idle_connection_is_closed_1001_with_a_reason(client_with):
    client = client_with(idle_seconds=0.2)
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "ab"})
        receive_until_done(ws)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert (closed.value.code, closed.value.reason) == (1001, "idle for 0.2 seconds")
    assert len(client.app.state.sessions) == 0


def refused(client) -> tuple[dict, int]:
    with client.websocket_connect("/ws/trace") as ws:
        error = ws.receive_json()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    return error, closed.value.code


def test_one_address_gets_at_most_its_sessions_then_an_error_and_1008(client_with):
    client = client_with(max_sessions_per_client=2)
    with client.websocket_connect("/ws/trace") as first, client.websocket_connect("/ws/trace"):
        error, code = refused(client)
        assert (error["code"], error["limit"], code) == ("too_many_sessions", "max_sessions_per_client", 1008)
        assert_still_usable(first)
    with client.websocket_connect("/ws/trace") as again:  # the others left: room again
        assert_still_usable(again)


def test_the_server_holds_at_most_its_sessions_in_total(client_with):
    client = client_with(max_sessions=1)
    with client.websocket_connect("/ws/trace"):
        error, code = refused(client)
    assert (error["code"], error["limit"], code) == ("too_many_sessions", "max_sessions", 1008)
    assert "limit of 1 sessions" in error["message"]


def test_a_page_on_another_site_cannot_open_the_stream(client):
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws/trace", headers={"origin": "http://evil.example"}):
            pass
    assert refused.value.code == 1008


def test_the_apps_own_pages_and_scripts_without_origin_may(client):
    for headers in ({"origin": "http://testserver"}, {}):
        with client.websocket_connect("/ws/trace", headers=headers) as ws:
            ws.send_json({"type": "start", "model": "tiny", "text": "a"})
            assert ws.receive_json()["type"] == "meta"


def test_origins_named_in_the_settings_may(client_with):
    client = client_with(ws_allowed_origins=["https://lms.example.edu"])
    with client.websocket_connect("/ws/trace", headers={"origin": "https://lms.example.edu"}) as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "a"})
        assert ws.receive_json()["type"] == "meta"

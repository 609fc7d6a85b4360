"""The stream over a real network stack (`gatescope serve` on loopback): what in-process
tests cannot show, because the test client buffers without limit and shares no CPU."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlparse

import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import connect

from tests.live_server import live_server

MiB = 1024 * 1024
LONG = 5_000  # characters per message: the per-message limit
FRAME_BYTES = 1_000  # about one step frame of the 16-unit demo model


@pytest.fixture(scope="module")
def server():
    with live_server() as server:
        yield server


def trace(ws, text: str, request_id: int = 1) -> list[dict]:
    ws.send(json.dumps({"type": "start", "model": "lstm-demo", "text": text, "id": request_id}))
    frames = []
    while not frames or frames[-1]["type"] not in ("done", "error"):
        frames.append(json.loads(ws.recv(timeout=30)))
    return frames


def stalled_connection(server):
    """A client that reads nothing: a tiny receive buffer, and its library stops reading at once."""
    address = urlparse(server.url)
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((address.hostname, address.port))
    return connect(server.ws_url, sock=sock, max_queue=1)


def test_a_stalled_client_does_not_grow_server_memory(server):
    with connect(server.ws_url, max_size=None) as warm:  # load the model, start the worker threads
        trace(warm, "a" * LONG)
    before = server.rss_bytes()
    with stalled_connection(server) as stalled:
        stalled.send(json.dumps({"type": "start", "model": "lstm-demo", "text": "a" * LONG}))
        for _ in range(3):
            stalled.send(json.dumps({"type": "append", "text": "b" * LONG}))
        time.sleep(3)  # unbounded, 20 000 frames (~20 MB of JSON) would pile up by now
        grown = server.rss_bytes() - before
        assert grown < 8 * MiB, f"server memory grew by {grown / MiB:.1f} MiB for a client that reads nothing"
        with connect(server.ws_url) as other:  # and everyone else is served as usual
            started = time.monotonic()
            assert trace(other, "hello")[-1]["type"] == "done"
            assert time.monotonic() - started < 2
        stalled.close_socket()  # leave without the closing handshake it could never finish


def test_a_long_trace_on_one_socket_does_not_stall_a_small_trace_on_another(server):
    finished = {}

    def long_reader(ws):
        done = 0
        while done < 2:
            if json.loads(ws.recv(timeout=60))["type"] == "done":
                done += 1
        finished["long"] = time.monotonic()

    with connect(server.ws_url, max_size=None) as long_ws, connect(server.ws_url) as small_ws:
        long_ws.send(json.dumps({"type": "start", "model": "lstm-demo", "text": "a" * LONG}))
        long_ws.send(json.dumps({"type": "append", "text": "b" * LONG}))
        assert json.loads(long_ws.recv(timeout=10))["type"] == "meta"
        reader = threading.Thread(target=long_reader, args=(long_ws,))
        reader.start()
        started = time.monotonic()
        frames = trace(small_ws, "hello")
        finished["small"] = time.monotonic()
        reader.join(60)
    assert [f["type"] for f in frames] == ["meta"] + ["step"] * 5 + ["done"]
    assert finished["small"] - started < 0.5, f"the small trace took {finished['small'] - started:.2f} s"
    assert finished["small"] < finished["long"], "the long trace was already over: nothing was shown"


def test_a_message_far_over_the_size_limit_is_closed_1009_unread(server):
    with connect(server.ws_url, max_size=None) as ws:
        with pytest.raises(ConnectionClosedError) as closed:  # while sending, or on the next read
            ws.send(json.dumps({"type": "start", "text": "😀" * 2_500_000}, ensure_ascii=False))  # 10 MB
            ws.recv(timeout=10)
    # The server stops reading at the frame's length: the unread rest of it can make the kernel reset the
    # connection before its close frame arrives. When it arrives, it is 1009.
    assert closed.value.rcvd is None or closed.value.rcvd.code == 1009
    with connect(server.ws_url) as ws:
        assert trace(ws, "still here")[-1]["type"] == "done"

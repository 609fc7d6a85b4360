"""`gatescope serve`'s own deadlines (app/server.py), over real sockets: a client that sends
nothing, half a request, or reads nothing is dropped, and a frame that is not UTF-8 costs
one line of log."""

from __future__ import annotations

import base64
import json
import os
import socket
import struct
import time
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.live_server import live_server
from tests.routes.test_stream_live import stalled_connection

REQUEST_SECONDS, SEND_SECONDS = 1, 1
PATIENCE = 30  # how long a test waits for the server to act, at most: the deadlines are 1 s


@pytest.fixture(scope="module")
def server():
    env = {
        "GATESCOPE_REQUEST_SECONDS": str(REQUEST_SECONDS),
        "GATESCOPE_SEND_SECONDS": str(SEND_SECONDS),
        "GATESCOPE_MAX_SESSIONS": "1",  # a session that is not freed refuses the next one
    }
    with live_server(env) as server:
        yield server


def raw_socket(server) -> socket.socket:
    address = urlparse(server.url)
    sock = socket.create_connection((address.hostname, address.port))
    sock.settimeout(PATIENCE)
    return sock


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket.timeout if it never does)."""
    received = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not chunk:
            return received
        received += chunk


@pytest.mark.parametrize(
    "sent",
    [
        b"",  # nothing at all
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Ag",  # half the headers
        b'POST /api/trace HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"te',
    ],
    ids=["nothing", "half-headers", "half-body"],
)
def test_a_request_that_does_not_arrive_whole_in_time_is_closed(server, sent):
    with raw_socket(server) as sock:
        sock.sendall(sent)
        answer = read_until_closed(sock)  # closed by the server: no socket.timeout
    assert answer in (b"", b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
    with connect(server.ws_url) as ws:  # and the one session slot is free
        ws.send(json.dumps({"type": "start", "model": "lstm-demo", "text": "ab"}))
        assert json.loads(ws.recv(timeout=PATIENCE))["type"] == "meta"


@contextmanager
def stalled_session(server, start: dict):
    """A client that reads nothing after its first frame, holding the one session: an
    earlier test's session may still be being freed, which refuses it (too_many_sessions),
    so it is opened again until its trace starts."""
    deadline = time.monotonic() + PATIENCE
    while True:
        with stalled_connection(server) as stalled:
            try:
                stalled.send(json.dumps(start))
                if json.loads(stalled.recv(timeout=PATIENCE))["type"] == "meta":
                    yield stalled
                    return
            except ConnectionClosed:
                pass
            stalled.close_socket()
        assert time.monotonic() < deadline, "the one session was never free"
        time.sleep(0.2)


def test_a_websocket_client_that_reads_nothing_is_dropped_and_its_session_freed(server):
    with stalled_session(
        server, {"type": "start", "model": "code", "text": "x" * 5_000}
    ) as stalled:  # ~60 MB of frames
        deadline = time.monotonic() + PATIENCE
        while True:  # the one session is the stalled client's until the server drops it
            try:
                with connect(server.ws_url) as ws:
                    ws.send(json.dumps({"type": "start", "model": "lstm-demo", "text": "ab"}))
                    first = json.loads(ws.recv(timeout=PATIENCE))
            except (ConnectionClosed, InvalidStatus):
                first = {"type": "closed"}
            if first["type"] == "meta":
                break
            assert first.get("code") == "too_many_sessions" or first["type"] == "closed", first
            assert time.monotonic() < deadline, "the client that reads nothing was never dropped"
            time.sleep(0.2)
        with pytest.raises(ConnectionClosed):
            while True:
                stalled.recv(timeout=PATIENCE)


def websocket_handshake(sock: socket.socket) -> None:
    key = base64.b64encode(os.urandom(16))
    sock.sendall(
        b"GET /ws/trace HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head


def client_frame(payload: bytes, opcode: int = 1) -> bytes:
    """One masked client frame (RFC 6455), payload under 126 bytes."""
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + masked


def test_a_text_frame_that_is_not_utf8_closes_with_1007_and_logs_one_line(server):
    with raw_socket(server) as sock:
        websocket_handshake(sock)
        sock.sendall(client_frame(b'{"type": "start", "text": "\xff\xfe"}'))
        answer = read_until_closed(sock)
    assert answer[:2] == b"\x88\x02" and struct.unpack("!H", answer[2:4])[0] == 1007  # a close frame: 1007
    deadline = time.monotonic() + PATIENCE
    while "Invalid UTF-8" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.05)
    log = server.output()
    lines = [line for line in log.splitlines() if "Invalid UTF-8" in line]
    assert len(lines) == 1 and lines[0].endswith("The connection is closed (1007).")
    assert "Traceback" not in log

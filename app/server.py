"""How `gatescope serve` runs uvicorn: its options, and two deadlines uvicorn lacks.

uvicorn itself closes a keep-alive connection idle between requests (`timeout_keep_alive`)
and a WebSocket whose client stops answering pings (`ws_ping_interval`, `ws_ping_timeout`);
both are set from the settings here. It has no bound on how long a client may take to send
a request, nor on how long a client may leave unread what the server sends, and a closed
connection whose client reads nothing is never freed (asyncio waits to flush its buffer).
Two small subclasses of uvicorn's protocols add them:

- a request must arrive whole within `request_seconds` of its first byte (of the
  connection, for the first one): a socket that sends nothing or half a request is dropped;
- when what the server writes stays above the transport's high-water mark (64 KiB) for
  `send_seconds`, the client is not reading: the connection is aborted, so the app's
  pending send fails at once and its session ends (the stream itself computes at most a
  bounded number of frames ahead: app.routes.stream).

And uvicorn logs a whole traceback for a WebSocket text frame that is not UTF-8 (it closes
the connection with 1007, as it should): `QuietInvalidUTF8` makes that one line.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from app.settings import Settings, get_settings

INVALID_UTF8 = "Invalid UTF-8 sequence received from client."  # uvicorn's message, logged with a traceback


class SendDeadline:
    """Abort the connection when the transport stays paused (its buffer over the high-water
    mark: the client reads nothing) for `send_seconds`. Mixed into an asyncio protocol."""

    send_seconds: float = 30.0
    transport: asyncio.Transport
    _send_timer: asyncio.TimerHandle | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Read here, in each worker process, from its settings (GATESCOPE_*): uvicorn
        # pickles the class for --workers, so the deadlines cannot be baked into a new one.
        self.send_seconds = get_settings().send_seconds

    def pause_writing(self) -> None:
        super().pause_writing()  # type: ignore[misc]
        if self._send_timer is None:
            self._send_timer = asyncio.get_running_loop().call_later(self.send_seconds, self._not_reading)

    def resume_writing(self) -> None:
        self._cancel_send_timer()
        super().resume_writing()  # type: ignore[misc]

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_send_timer()
        super().connection_lost(exc)  # type: ignore[misc]

    def _cancel_send_timer(self) -> None:
        if self._send_timer is not None:
            self._send_timer.cancel()
            self._send_timer = None

    def _not_reading(self) -> None:
        self._send_timer = None
        self.transport.abort()  # close() would wait to flush a buffer the client never reads


class DeadlineHTTPProtocol(SendDeadline, HttpToolsProtocol):
    """uvicorn's HTTP protocol, with a deadline for each request to arrive whole."""

    request_seconds: float = 10.0
    _request_timer: asyncio.TimerHandle | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request_seconds = get_settings().request_seconds  # as send_seconds (SendDeadline)

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_request_timer()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_request_timer()

    def on_message_complete(self) -> None:
        self._cancel_request_timer()
        super().on_message_complete()

    def handle_websocket_upgrade(self) -> None:
        self._cancel_request_timer()  # the WebSocket protocol has its own deadlines from here
        super().handle_websocket_upgrade()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_request_timer()
        super().connection_lost(exc)

    def _start_request_timer(self) -> None:
        if self._request_timer is None:
            self._request_timer = self.loop.call_later(self.request_seconds, self._request_too_slow)

    def _cancel_request_timer(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None

    def _request_too_slow(self) -> None:
        self._request_timer = None
        if not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 408 Request Timeout\r\nconnection: close\r\ncontent-length: 0\r\n\r\n")
            self.transport.abort()


class DeadlineWebSocketProtocol(SendDeadline, WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, dropping a client that reads nothing."""


class QuietInvalidUTF8(logging.Filter):
    """uvicorn's "Invalid UTF-8 sequence" error on one line, without its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == INVALID_UTF8:
            record.exc_info, record.exc_text = None, None
            record.msg = f"{INVALID_UTF8} The connection is closed (1007)."
        return True


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """What uvicorn.run takes besides the app, host and port."""
    errors = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, QuietInvalidUTF8) for f in errors.filters):
        errors.addFilter(QuietInvalidUTF8())
    return {
        "http": DeadlineHTTPProtocol,
        "ws": DeadlineWebSocketProtocol,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "ws_ping_interval": settings.ws_ping_seconds,
        "ws_ping_timeout": settings.ws_ping_seconds,
        "ws_max_size": settings.max_message_bytes_to_read,  # larger messages: closed (1009) unread
        "ws_per_message_deflate": settings.ws_compression,
        "log_level": "info",
    }

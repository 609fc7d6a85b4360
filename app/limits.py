"""Resource limits that are not about one text: HTTP body size, open sessions, and the
threads and queue of heavy requests.

Token limits live with the trace (app.tracing.session), WebSocket message size with
the stream's message parser (app.routes.messages); each refusal names its setting.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import anyio
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Refuse an HTTP request whose body is over `max_bytes` with 413 JSON, before the
    app sees it. A body under the limit is read whole here and handed on unchanged,
    so at most `max_bytes` of one request is ever held."""

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return await self.refuse(send)
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client left
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                return await self.refuse(send)
            if not message.get("more_body", False):
                break
        await self.app(scope, self.replay(b"".join(chunks), receive), send)

    @staticmethod
    def replay(body: bytes, receive: Receive) -> Receive:
        sent = False

        async def replayed() -> Message:
            nonlocal sent
            if sent:
                return await receive()  # http.disconnect, when it comes
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        return replayed

    async def refuse(self, send: Send) -> None:
        message = f"a request body may hold at most {self.max_bytes} bytes"
        body = json.dumps({"detail": {"code": "too_large", "message": message, "limit": "max_body_bytes"}}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class SessionLimitError(Exception):
    """No room for another session; `limit` names the setting."""

    code = "too_many_sessions"

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


class SessionSlots:
    """The open WebSocket sessions, counted in total and per client address."""

    def __init__(self, max_total: int, max_per_client: int):
        self.max_total = max_total
        self.max_per_client = max_per_client
        self._per_client: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._per_client.total()

    def open_for(self, client: str) -> int:
        return self._per_client[client]

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """A slot for one session of `client`, freed when the block ends however it ends."""
        with self._lock:
            if len(self) >= self.max_total:
                raise SessionLimitError(
                    f"the server holds its limit of {self.max_total} sessions; try again soon", "max_sessions"
                )
            if self._per_client[client] >= self.max_per_client:
                raise SessionLimitError(
                    f"your address holds its limit of {self.max_per_client} sessions; close another tab",
                    "max_sessions_per_client",
                )
            self._per_client[client] += 1
        try:
            yield
        finally:
            with self._lock:
                self._per_client[client] -= 1
                if not self._per_client[client]:
                    del self._per_client[client]


class BusyError(Exception):
    """Every slot of a pool is taken and as many requests wait already; `limit` names the setting."""

    code = "busy"

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


class WorkPool:
    """Threads for one kind of heavy request (gradient flow), apart from the threads that
    trace, and a bound on the requests waiting for them: however many arrive at once,
    at most `threads` run and `waiting` more wait (their memory is a request body each);
    the rest are refused at once. Used from the event loop only, so a counter suffices."""

    def __init__(self, threads: int, waiting: int, limit: str):
        self.limiter = anyio.CapacityLimiter(threads)
        self.capacity = threads + waiting
        self.limit = limit
        self.held = 0

    @contextmanager
    def slot(self) -> Iterator[anyio.CapacityLimiter]:
        """Room to run (or wait to run) one request, on `limiter`; BusyError if there is none."""
        if self.held >= self.capacity:
            raise BusyError(
                f"the server is computing {self.held} such requests already; try again in a few seconds", self.limit
            )
        self.held += 1
        try:
            yield self.limiter
        finally:
            self.held -= 1

"""Resource limits that are not about one text: HTTP body size, open sessions and new
ones per client address, and the threads and queue of heavy requests.

Token limits live with the trace (app.tracing.session), WebSocket message size with
the stream's message parser (app.routes.messages); each refusal names its setting.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
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
    """No room for another session; `limit` names the setting, and so does the message."""

    code = "too_many_sessions"

    def __init__(self, message: str, limit: str):
        super().__init__(f"{message} (setting GATESCOPE_{limit.upper()})")
        self.limit = limit


def address_key(address: str) -> str:
    """Whom a per-address limit counts: an IPv4 address, or an IPv6 host's /64 (one
    machine is handed a whole /64, and may take a new address from it for each request)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else str(ip)


class NewSessionRate:
    """A token bucket per address: `burst` new sessions at once (a class opening the link
    together), then `per_second`, so one client cannot churn connections as fast as it likes.
    A full bucket says nothing and is dropped; the table never holds more than `max_addresses`."""

    def __init__(self, per_second: float, burst: int, max_addresses: int = 100_000, clock: Callable = time.monotonic):
        self.per_second = per_second
        self.burst = burst
        self.max_addresses = max_addresses
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # address -> (tokens, at)

    def _tokens(self, address: str, now: float) -> float:
        tokens, at = self._buckets.get(address, (self.burst, now))
        return min(self.burst, tokens + (now - at) * self.per_second)

    def take(self, address: str) -> bool:
        """One new session for `address`, if its bucket holds one (the caller holds the lock)."""
        now = self.clock()
        tokens = self._tokens(address, now)
        if tokens < 1:
            return False
        if len(self._buckets) >= self.max_addresses:
            self._buckets = {a: b for a, b in self._buckets.items() if self._tokens(a, now) < self.burst}
            if len(self._buckets) >= self.max_addresses:  # that many busy addresses: the session caps still hold
                self._buckets.clear()
        self._buckets[address] = (tokens - 1, now)
        return True


class SessionSlots:
    """The open WebSocket sessions, counted in total and per client address, and the rate
    at which each address opens new ones."""

    def __init__(self, max_total: int, max_per_client: int, rate: NewSessionRate | None = None):
        self.max_total = max_total
        self.max_per_client = max_per_client
        self.rate = rate
        self._per_client: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._per_client.total()

    def open_for(self, client: str) -> int:
        return self._per_client[address_key(client)]

    @contextmanager
    def hold(self, client: str) -> Iterator[None]:
        """A slot for one session of `client`, freed when the block ends however it ends."""
        client = address_key(client)
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
            if self.rate is not None and not self.rate.take(client):
                raise SessionLimitError(
                    f"your address opened new sessions faster than {self.rate.per_second:g} a second "
                    f"(after {self.rate.burst} at once); try again in a moment",
                    "new_sessions_per_client_per_second",
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

"""WS /ws/trace: the live stream (docs/api.md, "The stream"). Translates messages to a trace
session and frames back; the math lives in app.cells, the framing in app.tracing.

One connection is three kinds of task in one task group, so that whichever way the
connection ends, every task it started stops and its session slot is freed at once:

    receiver  reads messages; answers a bad one with an error frame; on a `start`,
              replaces the current trace, cancelling it if it is still streaming
    tracer    one per trace: runs its messages in order, computing frames a chunk at
              a time in a worker thread, so other clients keep getting theirs
    sender    the only writer to the socket; a trace's binary step records that wait
              for it together go out as one message (app.tracing.wire)

The queues between them are bounded. A client that reads slowly slows its own trace
down (the tracer waits for room) rather than making the server hold frames for it,
and a client that sends faster than it is served waits in the same way. No frame is
dropped, except the rest of a trace that the client replaced with a newer `start`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from app.errors import error_detail
from app.limits import SessionLimitError
from app.models.tokenizers import Token
from app.routes.deps import get_compute, get_registry, get_settings
from app.routes.messages import (
    Message,
    ProtocolError,
    StartMessage,
    parse_message,
)
from app.settings import Settings
from app.tracing import wire
from app.tracing.frames import encode
from app.tracing.session import TraceSession
from app.tracing.start import TRACE_ERRORS, start_trace, traced_frames

router = APIRouter()

GOING_AWAY = 1001  # close code: the server ends an idle connection
POLICY_VIOLATION = 1008  # close code: no room for another session
OUTBOX_FRAMES = 128  # frames computed ahead of a slow socket (two chunks of 64)
BATCH_BYTES = 64 * 1024  # a binary message stops gathering steps past this size
PENDING_MESSAGES = 8  # appends waiting for their trace; past these the receiver waits too


@dataclass(frozen=True)
class Close:
    """Put in the outbox: the sender closes the connection with this code and reason."""

    code: int
    reason: str


@dataclass(frozen=True)
class Work:
    """One message for a trace: a start's checked tokens, or an append's text."""

    request_id: int | None
    tokens: list[Token] | None = None
    text: str = ""
    meta: dict | None = None  # sent first: a start's meta frame


@dataclass(frozen=True)
class BinaryStep:
    """A step record in the outbox, sent in a binary message with its request's others."""

    request_id: int | None
    record: bytes


Outgoing = tuple[int | None, str | BinaryStep] | Close  # (generation, frame) or the end


@dataclass
class Trace:
    """One trace and the messages waiting for it; `generation` tags its frames."""

    session: TraceSession
    generation: int
    encoding: str = "json"  # of its step frames: "json" or "binary"
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    pending: MemoryObjectSendStream[Work] = field(init=False)  # the receiver puts messages here
    waiting: MemoryObjectReceiveStream[Work] = field(init=False)  # the tracer takes them in order

    def __post_init__(self) -> None:
        self.pending, self.waiting = anyio.create_memory_object_stream[Work](PENDING_MESSAGES)

    def cancel(self) -> None:
        self.scope.cancel()
        self.pending.close()


async def next_received(
    websocket: WebSocket,
    outbox: MemoryObjectSendStream,
    idle: float,
    tasks: anyio.abc.TaskGroup,
    busy: Callable[[], bool] = lambda: False,
) -> Mapping[str, Any] | None:
    """The connection's next message (an ASGI event with its "text" or "bytes"), or None
    when it ends: the client left (the session's tasks are cancelled), or it sent nothing
    for `idle` seconds while not `busy` (the sender closes it, 1001). Both streams read so."""
    while True:
        received = None
        with anyio.move_on_after(idle):
            received = await websocket.receive()
        if received is None:
            if busy():
                continue
            await outbox.send(Close(GOING_AWAY, f"idle for {idle:g} seconds"))
            return None
        if received["type"] == "websocket.disconnect":
            tasks.cancel_scope.cancel()
            return None
        return received


def error_frame(detail: dict) -> dict:
    return {"type": "error", **detail}


def encoded_steps(
    session: TraceSession, tokens: list[Token], settings: Settings, request_id: int | None, encoding: str
) -> list[str | BinaryStep]:
    """The step frames of `tokens`, as JSON text or binary records: run in a worker thread."""
    if encoding == "binary":
        return [BinaryStep(request_id, wire.encode_step(session.model, step)) for step in session.run(tokens)]
    return [encode(frame, request_id) for frame in traced_frames(session, tokens, settings)]


class TraceStream:
    """One client's connection: at most one trace at a time."""

    def __init__(self, websocket: WebSocket):
        self.ws = websocket
        self.settings: Settings = get_settings(websocket)
        self.registry = get_registry(websocket)
        self.compute = get_compute(websocket)
        self.trace: Trace | None = None
        self.generation = 0  # of the current trace; frames of older ones are not sent
        self.outbox, self.to_send = anyio.create_memory_object_stream[Outgoing](OUTBOX_FRAMES)
        self.held: Outgoing | None = None  # taken from the outbox while gathering a batch, sent next

    async def serve(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self.receive, tasks)
            await self.send()
            tasks.cancel_scope.cancel()  # the sender is done: the connection is over

    # --- sender ---

    async def send(self) -> None:
        while True:
            item, self.held = self.held, None
            if item is None:
                try:
                    item = await self.to_send.receive()
                except anyio.EndOfStream:
                    return
            try:
                if isinstance(item, Close):
                    return await self.ws.close(item.code, item.reason)
                generation, frame = item
                if generation is not None and generation != self.generation:
                    continue  # of a replaced trace
                if isinstance(frame, BinaryStep):
                    await self.ws.send_bytes(wire.message(self.batch(generation, frame), frame.request_id))
                else:
                    await self.ws.send_text(frame)
            except (WebSocketDisconnect, OSError):
                return  # the client left

    def batch(self, generation: int | None, first: BinaryStep) -> list[bytes]:
        """`first` and the records of its request already waiting behind it: a client that
        is behind gets them in one message. Whatever else comes next is held for later."""
        records, size = [first.record], len(first.record)
        while size < BATCH_BYTES:
            try:
                item = self.to_send.receive_nowait()
            except (anyio.WouldBlock, anyio.EndOfStream):
                break
            if isinstance(item, tuple) and item[0] != self.generation and item[0] is not None:
                continue  # of a replaced trace
            if not (
                isinstance(item, tuple)
                and item[0] == generation
                and isinstance(item[1], BinaryStep)
                and item[1].request_id == first.request_id
            ):
                self.held = item
                break
            records.append(item[1].record)
            size += len(item[1].record)
        return records

    async def put(self, frame: dict, request_id: int | None, generation: int | None = None) -> None:
        """Queue a frame for the sender; generation None: send it whatever trace is current."""
        await self.outbox.send((generation, encode(frame, request_id)))

    # --- receiver ---

    async def receive(self, tasks: anyio.abc.TaskGroup) -> None:
        while (received := await next_received(self.ws, self.outbox, self.settings.idle_seconds, tasks)) is not None:
            try:
                message = parse_message(received.get("text", received.get("bytes")), self.settings)
            except ProtocolError as e:
                await self.put(error_frame(error_detail(e)), None)
                if e.close is not None:
                    await self.outbox.send(Close(e.close, e.code))
                    return
                continue
            await self.handle(message, tasks)

    async def handle(self, message: Message, tasks: anyio.abc.TaskGroup) -> None:
        if isinstance(message, StartMessage):
            try:  # may read a model file: off the event loop
                started = await anyio.to_thread.run_sync(
                    start_trace,
                    self.registry,
                    self.settings,
                    message.model,
                    message.text,
                    message.whatif,
                    limiter=self.compute,
                )
            except TRACE_ERRORS as e:
                return await self.put(error_frame(error_detail(e)), message.id)  # the old trace goes on
            if self.trace is not None:
                self.trace.cancel()
            self.generation += 1
            self.trace = Trace(started.session, self.generation, message.encoding)
            self.trace.pending.send_nowait(Work(message.id, tokens=started.tokens, meta=started.meta))
            tasks.start_soon(self.run, self.trace)
        elif self.trace is None:
            await self.put(
                error_frame({"code": "no_trace", "message": "send a 'start' message before 'append'"}), message.id
            )
        else:
            await self.trace.pending.send(Work(message.id, text=message.text))

    # --- tracer ---

    async def run(self, trace: Trace) -> None:
        with trace.scope:
            async for work in trace.waiting:
                await self.run_message(trace, work)

    async def run_message(self, trace: Trace, work: Work) -> None:
        session, generation, request_id = trace.session, trace.generation, work.request_id
        if work.meta is not None:
            await self.put(work.meta, request_id, generation)
        tokens = work.tokens
        if tokens is None:  # an append: checked in turn, against the tokens traced before it
            try:
                tokens = session.tokenize(work.text)
            except TRACE_ERRORS as e:
                return await self.put(error_frame(error_detail(e)), request_id, generation)
        for chunk in session.chunks(tokens, self.settings.stream_chunk):
            try:
                frames = await anyio.to_thread.run_sync(
                    encoded_steps, session, chunk, self.settings, request_id, trace.encoding, limiter=self.compute
                )
            except TRACE_ERRORS as e:  # a number that is not finite: the steps so far stand, the rest is refused
                return await self.put(error_frame(error_detail(e)), request_id, generation)
            for frame in frames:  # a chunk's frames go in at once while there is room: sent together
                try:
                    self.outbox.send_nowait((generation, frame))
                except anyio.WouldBlock:
                    await self.outbox.send((generation, frame))
        await self.put({"type": "done", "steps": len(tokens), "total": session.t}, request_id, generation)


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """A browser says which page opened the socket (Origin); only the app's own pages, and
    the origins a setting names, may use it. Scripts send no Origin and are let in."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    own = {f"http://{websocket.headers.get('host')}", f"https://{websocket.headers.get('host')}"}
    return origin in own or origin in settings.ws_allowed_origins


async def serve_session(websocket: WebSocket, stream: Callable[[WebSocket], Any]) -> None:
    """A stream's connection (the trace's or the training's): its origin checked, then served
    as one of its client's sessions, `stream(websocket).serve()`, within the session limits."""
    if not origin_allowed(websocket, get_settings(websocket)):
        return await websocket.close(POLICY_VIOLATION, "origin not allowed")  # before accept: a 403
    await websocket.accept()
    client = websocket.client.host if websocket.client else "unknown"
    try:
        with websocket.app.state.sessions.hold(client):
            await stream(websocket).serve()
    except SessionLimitError as e:
        await websocket.send_text(encode(error_frame(error_detail(e))))
        await websocket.close(POLICY_VIOLATION, e.code)
    except WebSocketDisconnect:
        pass  # the client left mid-send; its session went with the task group


@router.websocket("/ws/trace")
async def trace_stream(websocket: WebSocket) -> None:
    await serve_session(websocket, TraceStream)

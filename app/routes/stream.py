"""WS /ws/trace: the live stream. Translates messages to a TraceSession and back;
the math lives in app.cells, the framing in app.tracing.frames.

Client -> server: {"type": "start", "model": NAME, "text": STR} or
{"type": "append", "text": STR}, each with an optional integer "id" that the server
echoes on every frame it sends in answer, so a client can drop frames of a trace it
has replaced. Server -> client: meta, step..., done, or error (DESIGN.md).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from app.models.registry import UnknownModelError
from app.settings import Settings
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceLimitError, TraceSession
from app.tracing.whatif import InterventionError, Interventions
from app.tracing.whatif import check as check_interventions

router = APIRouter()


class StartMessage(BaseModel):
    type: Literal["start"]
    model: str | None = Field(None, max_length=64)
    text: str = ""
    id: int | None = None
    whatif: Interventions | None = None  # clamps and weight edits to read the text with


class AppendMessage(BaseModel):
    type: Literal["append"]
    text: str = Field(..., min_length=1)
    id: int | None = None


Message = TypeAdapter(Annotated[StartMessage | AppendMessage, Field(discriminator="type")])


class ProtocolError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def parse_message(raw: str | bytes | None, settings: Settings) -> StartMessage | AppendMessage:
    if not isinstance(raw, str):
        raise ProtocolError("bad_message", "messages are JSON text frames")
    if len(raw.encode("utf-8", "surrogatepass")) > settings.max_message_bytes:
        raise ProtocolError("too_large", f"a message may hold at most {settings.max_message_bytes} bytes")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ProtocolError("bad_json", f"not JSON: {e.msg} at position {e.pos}") from None
    if not isinstance(data, dict) or data.get("type") not in ("start", "append"):
        kind = data.get("type") if isinstance(data, dict) else None
        raise ProtocolError("unknown_type", f"unknown message type {str(kind)[:40]!r}; expected 'start' or 'append'")
    try:
        return Message.validate_python(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "message"
        raise ProtocolError("bad_message", f"{where}: {first['msg']}") from None


class TraceStream:
    """One client's connection: at most one trace at a time."""

    def __init__(self, websocket: WebSocket):
        self.ws = websocket
        self.settings: Settings = websocket.app.state.settings
        self.registry = websocket.app.state.registry
        self.session: TraceSession | None = None

    async def send(self, frame: dict, request_id: int | None) -> None:
        if request_id is not None:
            frame["id"] = request_id
        await self.ws.send_text(json.dumps(frame, ensure_ascii=False, separators=(",", ":")))

    async def error(self, code: str, message: str, request_id: int | None = None) -> None:
        await self.send({"type": "error", "code": code, "message": message}, request_id)

    async def handle(self, message: StartMessage | AppendMessage) -> None:
        if isinstance(message, StartMessage):
            name = message.model or self.settings.default_model
            try:
                model = self.registry.get(name)
            except UnknownModelError as e:
                return await self.error("unknown_model", str(e), message.id)
            interventions = message.whatif or Interventions()
            try:
                check_interventions(interventions, model)
            except InterventionError as e:
                return await self.error(e.code, str(e), message.id)
            session = TraceSession(
                model, self.settings.max_tokens_per_message, self.settings.max_tokens_per_session, interventions
            )
        elif self.session is None:
            return await self.error("no_trace", "send a 'start' message before 'append'", message.id)
        else:
            session = self.session
        try:
            tokens = session.tokenize(message.text)
        except TraceLimitError as e:
            return await self.error(e.code, str(e), message.id)  # a refused start keeps the old trace
        if session is not self.session:
            self.session = session
            meta = meta_frame(model, self.registry.is_bundled(name), self.settings.decimals)
            if interventions:
                meta["whatif"] = interventions.model_dump()
            await self.send(meta, message.id)
        await self.stream(tokens, message.id)

    async def stream(self, tokens: list, request_id: int | None) -> None:
        for chunk in self.session.chunks(tokens, self.settings.stream_chunk):
            # The math and the JSON conversion run off the event loop: other clients keep streaming.
            frames = await anyio.to_thread.run_sync(self.frames_for, chunk)
            for frame in frames:
                await self.send(frame, request_id)
        await self.send({"type": "done", "steps": len(tokens), "total": self.session.t}, request_id)

    def frames_for(self, tokens) -> list[dict]:
        model, settings = self.session.model, self.settings
        return [step_frame(model, step, settings.decimals, settings.top_k) for step in self.session.run(tokens)]

    async def serve(self) -> None:
        while True:
            received = await self.ws.receive()
            if received["type"] == "websocket.disconnect":
                return
            try:
                message = parse_message(received.get("text", received.get("bytes")), self.settings)
            except ProtocolError as e:
                await self.error(e.code, str(e))
                continue
            await self.handle(message)


@router.websocket("/ws/trace")
async def trace_stream(websocket: WebSocket) -> None:
    await websocket.accept()
    try:
        await TraceStream(websocket).serve()
    except WebSocketDisconnect:
        pass  # the client left mid-stream; its session goes with this handler

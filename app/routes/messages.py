"""What a client may send on WS /ws/trace, and the checks every message passes.

{"type": "start", "model": NAME, "text": STR, "whatif": {...}?, "encoding": "json"|"binary"?} or
{"type": "append", "text": STR}, each with an optional integer "id" that the server echoes on
every frame it sends in answer. "binary" asks for the trace's step frames as binary messages
(app.tracing.wire); JSON is the default.
A message that fails a check raises ProtocolError with the code of the `error` frame
the client gets; `close` is set when the connection cannot go on (1009: a message far
over the size limit, refused before it is even decoded).
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from app.settings import Settings
from app.tracing.whatif import Interventions

MESSAGE_TOO_BIG = 1009  # WebSocket close code: "message too big"
MAX_ID = 2**53 - 1  # ids are echoed to JavaScript, whose integers are exact up to here


class StartMessage(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")  # "7" is not an id, 1 is not a text, whatIf no field

    type: Literal["start"]
    model: str | None = Field(None, max_length=64)
    text: str = ""
    id: int | None = Field(None, ge=0, le=MAX_ID)
    whatif: Interventions | None = None  # clamps and weight edits to read the text with
    encoding: Literal["json", "binary"] = "json"  # of the trace's step frames, appends' too


class AppendMessage(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")

    type: Literal["append"]
    text: str  # no length constraint here: it would refuse a lone surrogate before app.tracing.text names it
    id: int | None = Field(None, ge=0, le=MAX_ID)

    @field_validator("text")
    @classmethod
    def not_empty(cls, text: str) -> str:
        if not text:
            raise ValueError("an append needs some text")
        return text


Message = StartMessage | AppendMessage
_MESSAGE = TypeAdapter(Annotated[Message, Field(discriminator="type")])


class ProtocolError(Exception):
    def __init__(self, code: str, message: str, limit: str | None = None, close: int | None = None):
        super().__init__(message)
        self.code = code
        self.limit = limit
        self.close = close


def check_size(raw: str | bytes, settings: Settings) -> None:
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > settings.max_message_bytes:
        raise ProtocolError(
            "too_large",
            f"a message may hold at most {settings.max_message_bytes} bytes; this one has {size}",
            limit="max_message_bytes",
            close=MESSAGE_TOO_BIG if size > settings.max_message_bytes_to_read else None,
        )


def decode_message(raw: str | bytes | None, settings: Settings, types: tuple[str, ...]) -> dict:
    """A WebSocket message's JSON object, checked for size and for a `type` among `types`
    (the checks every stream's messages pass, /ws/trace's and /ws/train's)."""
    if raw is None:
        raise ProtocolError("bad_message", "an empty frame")
    check_size(raw, settings)
    if not isinstance(raw, str):
        raise ProtocolError("bad_message", "messages are JSON text frames, not binary")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as e:
        raise ProtocolError("bad_json", f"not JSON: {e.msg} at position {e.pos}") from None
    except (ValueError, RecursionError):  # a 5000-digit number, or nesting deeper than Python recurses
        raise ProtocolError("bad_json", "not JSON this server reads: a number too long or nesting too deep") from None
    if not isinstance(data, dict) or data.get("type") not in types:
        kind = data.get("type") if isinstance(data, dict) else None
        expected = ", ".join(repr(name) for name in types)
        raise ProtocolError("unknown_type", f"unknown message type {str(kind)[:40]!r}; expected one of {expected}")
    return data


def validated(adapter: TypeAdapter, data: dict):
    """`data` as the message type `adapter` reads, or ProtocolError saying where it is wrong."""
    try:
        return adapter.validate_python(data)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(part)[:40] for part in first["loc"][1:]) or "message"
        what = "unknown field" if first["type"] == "extra_forbidden" else first["msg"]
        raise ProtocolError("bad_message", f"{where}: {what}") from None


def parse_message(raw: str | bytes | None, settings: Settings) -> Message:
    return validated(_MESSAGE, decode_message(raw, settings, ("start", "append")))

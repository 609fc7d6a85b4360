"""HTTP errors as JSON, `{"detail": {"code", "message", "limit"?}}`, described in the
OpenAPI schema. Validation errors say where and what, and never echo the input back
(it may be 64 KiB of text, or hold characters JSON cannot encode)."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

MAX_MESSAGE_CHARS = 300

# The HTTP status of each refusal of app.tracing.start.
STATUS = {"unknown_model": 404, "bad_model": 422, "too_long": 413, "bad_text": 422, "bad_whatif": 422}


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong: unknown_model, too_long, too_large, bad_text, bad_request")
    message: str = Field(description="for people")
    limit: str | None = Field(None, description="the setting whose limit was reached, if one was")


class ErrorResponse(BaseModel):
    detail: ErrorDetail


def describe_validation_error(exc: RequestValidationError) -> str:
    """'body.text: String should have at least 1 character' for the first problem found."""
    first = exc.errors()[0]
    where = ".".join(str(part)[:40] for part in first.get("loc", ())) or "request"
    message = f"{where}: {first.get('msg', 'invalid')}"[:MAX_MESSAGE_CHARS]
    return message.encode("utf-8", "backslashreplace").decode("utf-8")  # a lone surrogate, spelled out


async def validation_error_handler(request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": {"code": "bad_request", "message": describe_validation_error(exc)}}, 422)


async def http_error_handler(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's own errors (404 for an unknown path, 400 for a body nested too deep to
    parse, ...) in the same shape as ours; ours already carry a code."""
    if isinstance(exc.detail, dict):
        return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
    code = HTTPStatus(exc.status_code).phrase.lower().replace(" ", "_")
    return JSONResponse({"detail": {"code": code, "message": str(exc.detail)}}, exc.status_code, headers=exc.headers)


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)


def responses(*statuses: int) -> dict[int, dict]:
    """OpenAPI entries for the error statuses a route may answer with."""
    described = {
        400: "a body that cannot be parsed at all: not UTF-8, or JSON nested too deep (bad_request)",
        404: "no model of that name",
        413: "over a limit: tokens per message or per session (too_long), or body bytes (too_large)",
        422: "a malformed request (bad_request) or text with refused characters (bad_text)",
        501: "a format not offered (format_not_offered)",
    }
    return {status: {"model": ErrorResponse, "description": described[status]} for status in statuses}

"""HTTP errors as JSON, `{"detail": {"code", "message", "limit"?}}`, described in the
OpenAPI schema. Validation errors say where and what, and never echo the input back
(it may be 64 KiB of text, or hold characters JSON cannot encode)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import HTTP_STATUS, Refusal, error_detail

MAX_MESSAGE_CHARS = 300


def refusal(error: Refusal) -> HTTPException:
    """The HTTP answer to a refusal that has a `code` (app.errors): its status from the one table
    (FastAPI's HTTPException, whose detail may be JSON, not only a string)."""
    return HTTPException(HTTP_STATUS[error.code], detail=error_detail(error))


class ErrorDetail(BaseModel):
    code: str = Field(description="what went wrong: unknown_model, too_long, too_large, bad_text, bad_request, ...")
    message: str = Field(description="for people")
    limit: str | None = Field(None, description="the setting whose limit was reached, if one was")


class ErrorResponse(BaseModel):
    detail: ErrorDetail


def describe_validation_error(exc: RequestValidationError) -> str:
    """'body.text: String should have at least 1 character' for the first problem found;
    'body.whatIf: unknown field' for a field that is not the request's."""
    first = exc.errors()[0]
    where = ".".join(str(part)[:40] for part in first.get("loc", ())) or "request"
    what = "unknown field" if first.get("type") == "extra_forbidden" else first.get("msg", "invalid")
    message = f"{where}: {what}"[:MAX_MESSAGE_CHARS]
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
    # Starlette types a handler as taking any Exception, though it calls each one only with
    # the class it is registered for: its stubs cannot say that, so the narrower handlers are ignored.
    app.add_exception_handler(RequestValidationError, validation_error_handler)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_handler)  # type: ignore[arg-type]


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route may answer with."""
    described = {
        400: "a body that cannot be parsed at all: not UTF-8, or JSON nested too deep (bad_request)",
        404: "no model of that name",
        413: "over a limit: tokens per message or per session (too_long), or body bytes (too_large)",
        422: "a malformed request or an unknown field (bad_request), text with refused characters (bad_text), "
        "a model file that cannot be used (bad_model), ...",
        501: "a format not offered (format_not_offered)",
        503: "every slot for this kind of request is taken, and as many wait (busy): try again in a few seconds",
    }
    return {status: {"model": ErrorResponse, "description": described[status]} for status in statuses}

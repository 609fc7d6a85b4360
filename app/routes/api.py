"""JSON over HTTP: the model list, a whole trace at once, and a health check."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.errors import error_detail
from app.models.registry import ModelRegistry
from app.routes.deps import get_compute, get_registry, get_settings
from app.routes.errors import responses
from app.routes.schemas import Health, ModelList, Trace
from app.settings import Settings
from app.tracing.start import TRACE_ERRORS, start_trace, traced_frames
from app.tracing.text import TEXT_PATTERN

router = APIRouter()


class TraceRequest(BaseModel):
    model: str | None = Field(None, max_length=64, description="a name from /api/models; default: the app's default")
    text: str = Field(
        ..., min_length=1, max_length=200_000, description="the text to read, token by token; "
        "no control characters but tab, newline and carriage return, no lone surrogates",
        json_schema_extra={"pattern": TEXT_PATTERN},  # checked by app.tracing.text, which names the character
    )


@router.get("/healthz")
def health() -> Health:
    return Health(status="ok")


@router.get("/api/models")
def list_models(registry: Annotated[ModelRegistry, Depends(get_registry)]) -> ModelList:
    return ModelList(models=registry.summaries())


# The HTTP status of each refusal of app.tracing.start.
STATUS = {"unknown_model": 404, "bad_model": 422, "too_long": 413, "bad_text": 422}


def run_trace(registry: ModelRegistry, settings: Settings, name: str | None, text: str) -> dict:
    try:
        started = start_trace(registry, settings, name, text)
    except TRACE_ERRORS as e:
        raise HTTPException(STATUS[e.code], detail=error_detail(e)) from None
    return {"meta": started.meta, "steps": traced_frames(started.session, started.tokens, settings)}


@router.post("/api/trace", response_model=Trace, responses=responses(400, 404, 413, 422))
async def trace(
    request: TraceRequest,
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    compute: Annotated[anyio.CapacityLimiter, Depends(get_compute)],
) -> JSONResponse:
    """The whole trace of `text` at once: the same meta and step frames as the stream.
    (Answered as built, not re-validated against the response model: a trace may hold
    5000 steps of hundreds of numbers.)"""
    body = await anyio.to_thread.run_sync(run_trace, registry, settings, request.model, request.text, limiter=compute)
    return JSONResponse(body)

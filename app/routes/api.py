"""JSON over HTTP: the model list, a whole trace at once, and a health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from app.models.registry import ModelRegistry, UnknownModelError
from app.routes.deps import get_registry, get_settings
from app.settings import Settings
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceLimitError, TraceSession

router = APIRouter()


def error(status: int, code: str, message: str) -> HTTPException:
    return HTTPException(status, detail={"code": code, "message": message})


class TraceRequest(BaseModel):
    model: str | None = Field(None, max_length=64, description="a name from /api/models; default: the app's default")
    text: str = Field(..., min_length=1, max_length=200_000, description="the text to read, token by token")


@router.get("/healthz")
def health() -> dict:
    return {"status": "ok"}


@router.get("/api/models")
def list_models(registry: Annotated[ModelRegistry, Depends(get_registry)]) -> dict:
    return {"models": registry.summaries()}


def run_trace(registry: ModelRegistry, settings: Settings, name: str, text: str) -> dict:
    try:
        model = registry.get(name)
    except UnknownModelError as e:
        raise error(404, "unknown_model", str(e)) from None
    session = TraceSession(model, settings.max_tokens_per_message, settings.max_tokens_per_session)
    try:
        tokens = session.tokenize(text)
    except TraceLimitError as e:
        raise error(413, e.code, str(e)) from None
    meta = meta_frame(model, registry.is_bundled(name), settings.decimals)
    steps = [step_frame(model, step, settings.decimals, settings.top_k) for step in session.run(tokens)]
    return {"meta": meta, "steps": steps}


@router.post("/api/trace")
async def trace(
    request: TraceRequest,
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> dict:
    """The whole trace of `text` at once: the same meta and step frames as the stream."""
    return await run_in_threadpool(run_trace, registry, settings, request.model or settings.default_model, request.text)

"""JSON over HTTP: the model list, a whole trace at once, and a health check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from app.export.page import DEFAULT_PANELS, ExportError, render_lesson
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


def lesson(registry: ModelRegistry, settings: Settings, name: str, text: str, panels: str, view: dict) -> str:
    try:
        model = registry.get(name)
    except UnknownModelError as e:
        raise error(404, "unknown_model", str(e)) from None
    try:
        return render_lesson(model, registry.is_bundled(name), text, settings, tuple(panels.split(",")), view)
    except TraceLimitError as e:
        raise error(413, e.code, str(e)) from None
    except ExportError as e:
        raise error(422, "bad_views", str(e)) from None


@router.get("/api/export", response_class=HTMLResponse)
async def export(
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    text: Annotated[str, Query(min_length=1, max_length=20_000)],
    model: Annotated[str | None, Query(max_length=64)] = None,
    panels: Annotated[str, Query(max_length=200, description="comma-separated views")] = ",".join(DEFAULT_PANELS),
    t: Annotated[int | None, Query(ge=0)] = None,
    unit: Annotated[int | None, Query(ge=0)] = None,
    stage: Annotated[int | None, Query(ge=0, le=3)] = None,
) -> HTMLResponse:
    """A lesson page: one HTML file that replays this trace with no server (the UI's Export)."""
    name = model or settings.default_model
    view = {k: v for k, v in {"t": t, "unit": unit, "stage": stage}.items() if v is not None}
    page = await run_in_threadpool(lesson, registry, settings, name, text, panels, view)
    filename = f"gatescope-{name}.html"
    return HTMLResponse(page, headers={"Content-Disposition": f'attachment; filename="{filename}"'})

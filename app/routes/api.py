"""JSON over HTTP: the model list, a whole trace at once, and a health check."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.export.page import DEFAULT_PANELS, ExportError, check_panels, render_lesson
from app.lessons import available_lessons
from app.models.registry import ModelRegistry
from app.routes.deps import get_compute, get_registry, get_settings
from app.routes.errors import refusal, responses
from app.routes.schemas import Health, LessonList, ModelList, Trace
from app.settings import Settings
from app.tracing.start import TRACE_ERRORS, start_trace, traced_frames
from app.tracing.text import TEXT_PATTERN
from app.tracing.whatif import Interventions

router = APIRouter()


class TraceRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field (whatIf) is refused, not ignored

    model: str | None = Field(None, max_length=64, description="a name from /api/models; default: the app's default")
    text: str = Field(
        ...,
        min_length=1,
        max_length=200_000,
        description="the text to read, token by token; "
        "no control characters but tab, newline and carriage return, no lone surrogates",
        json_schema_extra={"pattern": TEXT_PATTERN},  # checked by app.tracing.text, which names the character
    )
    whatif: Interventions | None = Field(None, description="what-if clamps and weight edits to read the text with")


@router.get("/healthz")
def health() -> Health:
    return Health(status="ok")


@router.get("/api/models")
def list_models(registry: Annotated[ModelRegistry, Depends(get_registry)]) -> ModelList:
    return ModelList(models=registry.summaries())


@router.get("/api/lessons")
def list_lessons(registry: Annotated[ModelRegistry, Depends(get_registry)]) -> LessonList:
    """The lessons whose models are installed, each with its unit picked from its model's labels."""
    return LessonList(lessons=available_lessons(registry.summaries()))


def run_trace(
    registry: ModelRegistry, settings: Settings, name: str | None, text: str, whatif: Interventions | None = None
) -> dict:
    try:
        started = start_trace(registry, settings, name, text, whatif)
        return {"meta": started.meta, "steps": traced_frames(started.session, started.tokens, settings)}
    except TRACE_ERRORS as e:
        raise refusal(e) from None


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
    body = await anyio.to_thread.run_sync(
        run_trace, registry, settings, request.model, request.text, request.whatif, limiter=compute
    )
    return JSONResponse(body)


def lesson(registry: ModelRegistry, settings: Settings, name: str | None, text: str, panels: str, view: dict) -> str:
    """The lesson page, every check of a trace first (raising HTTPException)."""
    try:
        chosen = check_panels(tuple(panels.split(",")))
        return render_lesson(start_trace(registry, settings, name, text), text, settings, chosen, view)
    except (*TRACE_ERRORS, ExportError) as e:
        raise refusal(e) from None


@router.get("/api/export", response_class=HTMLResponse, include_in_schema=False)  # a download, for the page
async def export(
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    compute: Annotated[anyio.CapacityLimiter, Depends(get_compute)],
    text: Annotated[str, Query(min_length=1, max_length=20_000)],
    model: Annotated[str | None, Query(max_length=64)] = None,
    panels: Annotated[str, Query(max_length=200, description="comma-separated views")] = ",".join(DEFAULT_PANELS),
    t: Annotated[int | None, Query(ge=0, le=10**6)] = None,
    unit: Annotated[int | None, Query(ge=0, le=10**5)] = None,
    stage: Annotated[int | None, Query(ge=0, le=3)] = None,
) -> HTMLResponse:
    """A lesson page: one HTML file that replays this trace with no server (the UI's Export)."""
    view = {k: v for k, v in {"t": t, "unit": unit, "stage": stage}.items() if v is not None}
    page = await anyio.to_thread.run_sync(lesson, registry, settings, model, text, panels, view, limiter=compute)
    return HTMLResponse(
        page, headers={"Content-Disposition": attachment(f"gatescope-{model or settings.default_model}.html")}
    )


def attachment(filename: str) -> str:
    """A Content-Disposition naming a download: an ASCII fallback for old clients, and the
    name itself (a model may be named "my model" or "模型") percent-encoded (RFC 6266)."""
    fallback = "".join(char if char.isascii() and (char.isalnum() or char in "._-") else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

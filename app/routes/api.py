"""JSON over HTTP: the model list, a whole trace at once, and a health check."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from app.export.page import lesson_page
from app.export.view import PROPERTIES, ExportError, export_view
from app.lessons import available_lessons
from app.models.registry import ModelRegistry
from app.routes.deps import get_compute, get_registry, get_settings, public_url
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


def lesson_file(registry: ModelRegistry, settings: Settings, given: dict, address: str) -> HTMLResponse:
    """The lesson page as a download, every check of a trace first (raising HTTPException)."""
    try:
        page = lesson_page(registry, settings, export_view(given, registry), address)
    except (*TRACE_ERRORS, ExportError) as e:
        raise refusal(e) from None
    headers = {
        "Content-Disposition": attachment(page.filename),
        "X-Gatescope-Plotly": "1" if page.recording["plotly"] else "0",  # the Export dialog says why a file is large
    }
    return HTMLResponse(page.html(settings), headers=headers)


@router.get("/api/export", response_class=HTMLResponse, include_in_schema=False)  # a download, for the page
async def export(
    request: Request,
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    compute: Annotated[anyio.CapacityLimiter, Depends(get_compute)],
    lesson: Annotated[str | None, Query(max_length=32)] = None,
    model: Annotated[str | None, Query(max_length=64)] = None,
    compare: Annotated[str | None, Query(max_length=64)] = None,
    text: Annotated[str | None, Query(min_length=1, max_length=20_000)] = None,
    panels: Annotated[str | None, Query(max_length=200, description="comma-separated panels")] = None,
    whatif: Annotated[str | None, Query(max_length=8000, description="what-if interventions, as JSON")] = None,
    t: Annotated[str | None, Query(max_length=8)] = None,
    unit: Annotated[str | None, Query(max_length=8)] = None,
    layer: Annotated[str | None, Query(max_length=8)] = None,
    stage: Annotated[str | None, Query(max_length=8)] = None,
    focus: Annotated[str | None, Query(max_length=16)] = None,
    vector: Annotated[str | None, Query(max_length=32)] = None,
    hide: Annotated[str | None, Query(max_length=200)] = None,
    speed: Annotated[str | None, Query(max_length=8)] = None,
    autoplay: Annotated[str | None, Query(max_length=8)] = None,
    loop: Annotated[str | None, Query(max_length=8)] = None,
    theme: Annotated[str | None, Query(max_length=8)] = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    """A lesson page: one HTML file that replays this view with no server (the UI's Export).
    Takes the page's URL properties (a lesson's under the given ones) and records what its
    panels need: the trace, the compared model's, the gradient curves, the interventions."""
    given = {name: value for name, value in locals().items() if name in PROPERTIES}  # the URL properties above
    return await anyio.to_thread.run_sync(lesson_file, registry, settings, given, public_url(request), limiter=compute)


def attachment(filename: str) -> str:
    """A Content-Disposition naming a download: an ASCII fallback for old clients, and the
    name itself (a model may be named "my model" or "模型") percent-encoded (RFC 6266)."""
    fallback = "".join(char if char.isascii() and (char.isalnum() or char in "._-") else "_" for char in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"

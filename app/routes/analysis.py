"""Computed views of a trace: routes translate to app.analysis, which holds the math.

Gradient flow is the one heavy request: it is checked like a trace (app.tracing.start),
refused at once over its work budget, run in its own pool of threads (app.limits.WorkPool)
so that live traces never wait for it, and stopped between two steps when its client
goes away (a page that typed on, an embed that was closed)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Annotated, TypeVar

import anyio
import numpy as np
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from app.analysis.gradient_flow import (
    GradientFlow,
    GradientFlowStopped,
    GradientFlowTooCostly,
    GradientFlowUnavailable,
    check_budget,
    gradient_flow,
    step_jacobians,
)
from app.limits import BusyError, WorkPool
from app.models.model import Model
from app.models.registry import ModelRegistry
from app.routes.deps import get_compute, get_gradient_pool, get_registry, get_settings
from app.routes.errors import refusal, responses
from app.settings import Settings
from app.tracing.start import TRACE_ERRORS, start_trace
from app.tracing.text import TEXT_PATTERN

router = APIRouter()
Result = TypeVar("Result")
CLIENT_CLOSED_REQUEST = 499  # nginx's status for a request whose client left before the answer


class GradientRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")  # false is not a layer; whatIf is no field
    model: str | None = Field(None, max_length=64)
    text: str = Field(
        ..., min_length=1, max_length=20_000, json_schema_extra={"pattern": TEXT_PATTERN}
    )  # checked by app.tracing.text, which names the character
    layer: int | None = Field(None, ge=0, le=64, description="default: the top layer")


class GradientResponse(BaseModel):
    model: str
    cell: str
    layer: int
    state: str = Field(description='the carried vector: "c" (the LSTM\'s belt) or "h"')
    input_norms: list[float] = Field(description="‖∂h_{T-1}/∂x_t‖ for each step t")
    state_norms: list[float] = Field(description="‖∂s_{T-1}/∂s_t‖ for each step t, s the carried vector")


class LayerError(ValueError):
    code = "bad_layer"


def checked(registry: ModelRegistry, settings: Settings, request: GradientRequest) -> tuple[Model, np.ndarray, int]:
    """The model, the text's token ids and the layer, every check passed (a trace's, the
    layer's, the cell's and the work budget's), before any of the work is done."""
    started = start_trace(registry, settings, request.model, request.text)
    model = started.session.model
    layer = model.num_layers - 1 if request.layer is None else request.layer
    if layer >= model.num_layers:
        raise LayerError(f"the model has {model.num_layers} layer(s)")
    step_jacobians(model.cell)
    check_budget(model, layer, len(started.tokens), settings.max_gradient_work)
    return model, np.array([token.id for token in started.tokens]), layer


# What a gradient-flow request may be refused with; each has a .code (app.errors).
GRADIENT_ERRORS = (*TRACE_ERRORS, LayerError, GradientFlowUnavailable, GradientFlowTooCostly)


def response_of(model: Model, layer: int, flow: GradientFlow) -> GradientResponse:
    return GradientResponse(
        model=model.name,
        cell=model.cell.name,
        layer=layer,
        state=flow.state,
        input_norms=flow.input_norms,
        state_norms=flow.state_norms,
    )


def compute(registry: ModelRegistry, settings: Settings, request: GradientRequest) -> GradientResponse:
    """The answer to `request`, computed here and now (an export records it); raises one of
    GRADIENT_ERRORS. The route runs the same steps in its own pool, stopping if its client leaves."""
    model, ids, layer = checked(registry, settings, request)
    return response_of(model, layer, gradient_flow(model, ids, layer))


async def run_while_connected(
    request: Request, limiter: anyio.CapacityLimiter, work: Callable[[Callable[[], bool]], Result]
) -> Result | None:
    """`work(stopped)` in a thread of `limiter`; `stopped()` turns true once the
    client has gone (its connection closed), which `work` checks between its steps.
    Returns work's result, or None when the client left first."""
    left = threading.Event()
    outcome: list = []

    async def watch(tasks: anyio.abc.TaskGroup) -> None:
        while (await request.receive())["type"] != "http.disconnect":
            pass
        left.set()
        tasks.cancel_scope.cancel()  # stops a wait for a thread; a running one stops at its next step

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(watch, tasks)
        try:
            outcome.append(await anyio.to_thread.run_sync(work, left.is_set, limiter=limiter))
        except GradientFlowStopped:
            pass
        except Exception as error:  # raised below, not inside the task group's ExceptionGroup
            outcome.append(error)
        tasks.cancel_scope.cancel()
    if outcome and isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0] if outcome else None


@router.post("/api/gradients", response_model=GradientResponse, responses=responses(400, 404, 413, 422, 503))
async def gradients(
    body: GradientRequest,
    request: Request,
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    pool: Annotated[WorkPool, Depends(get_gradient_pool)],
    compute: Annotated[anyio.CapacityLimiter, Depends(get_compute)],
) -> GradientResponse | Response:
    """How strongly the last step depends on each earlier input and carried state."""
    try:
        with pool.slot() as limiter:
            # Checked in a trace's thread (quick; it may read a model file): a text over the
            # budget is refused at once, not after the gradient flow already computing.
            model, ids, layer = await anyio.to_thread.run_sync(checked, registry, settings, body, limiter=compute)
            work = partial(gradient_flow, model, ids, layer)
            flow: GradientFlow | None = await run_while_connected(request, limiter, work)
    except (*GRADIENT_ERRORS, BusyError) as error:
        raise refusal(error) from None
    if flow is None:
        return Response(status_code=CLIENT_CLOSED_REQUEST)  # nobody reads it
    return response_of(model, layer, flow)

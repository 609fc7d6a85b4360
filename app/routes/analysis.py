"""Computed views of a trace: routes translate to app.analysis, which holds the math.

Gradient flow is the one heavy request: it is checked like a trace (app.tracing.start),
refused at once over its work budget, run in its own pool of threads (app.limits.WorkPool)
so that live traces never wait for it, and stopped between two steps when its client
goes away (a page that typed on, an embed that was closed)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal, TypeVar

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
from app.analysis.inside_layer import OutOfRange, open_layer
from app.limits import BusyError, WorkPool
from app.models.model import Model
from app.models.registry import ModelRegistry
from app.routes.deps import get_compute, get_gradient_pool, get_registry, get_settings
from app.routes.errors import refusal, responses
from app.settings import Settings
from app.tracing.start import TRACE_ERRORS, start_trace
from app.tracing.text import TEXT_PATTERN
from app.tracing.whatif import Interventions

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


class LayerRequest(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    model: str | None = Field(None, max_length=64)
    text: str = Field(
        ..., min_length=1, max_length=20_000, json_schema_extra={"pattern": TEXT_PATTERN}
    )  # (checked by app.tracing.text, which names the character)
    t: int = Field(..., ge=0, le=1_000_000, description="the time step")
    layer: int | None = Field(None, ge=0, le=64, description="default: the top layer")
    unit: int = Field(..., ge=0, le=100_000)
    box: str = Field(
        ..., max_length=32, description="a yellow box of the layer's diagram: forget, input, candidate, ..."
    )
    whatif: Interventions | None = Field(None, description="the trace's what-if interventions, so the numbers are its")


class LayerPart(BaseModel):
    reads: str = Field(description="the vector read: h_prev, x, c_prev, c, c_below, r_h_prev (r_t * h_{t-1})")
    index: list[int] | None = Field(description="which entries of it these are; null: all, in order")
    values: list[float] = Field(description="v")
    weights: list[float] = Field(description="w: the unit's row of the layer's weights on it")
    scaled_by: str | None = Field(description="a vector whose value for the unit multiplies the part (the GRU's r)")
    scale: float = Field(description="s: the part adds s · (w · v + bias)")
    bias: float


class LayerResponse(BaseModel):
    model: str
    cell: str
    layer: int
    t: int
    token: str
    unit: int
    box: str
    boxes: list[str] = Field(description="every yellow box of the layer")
    vector: str | None = Field(description="the step's vector the box outputs (f, c_tilde, ...), if a frame has it")
    activation: Literal["sigmoid", "tanh", "linear"]
    x_kind: Literal["one-hot", "embedding", "below"] = Field(
        description="x_t: one-hot (only the token's entry is sent), an embedding, or h of the layer below"
    )
    parts: list[LayerPart]
    bias: float
    preactivation: float = Field(description="z = Σ parts + bias")
    output: float = Field(description="activation(z)")
    value: float = Field(description="what the trace holds for it (differs from output where what-if clamps it)")
    used: bool = Field(description="false where the step passed it over (an idle clockwork module)")


def inside(registry: ModelRegistry, settings: Settings, request: LayerRequest) -> LayerResponse:
    try:
        started = start_trace(registry, settings, request.model, request.text, request.whatif)
        model = started.session.model
        layer = model.num_layers - 1 if request.layer is None else request.layer
        opened = open_layer(model, started.session, started.tokens, request.t, layer, request.unit, request.box)
    except (*TRACE_ERRORS, OutOfRange) as error:
        raise refusal(error) from None
    layer_sum, rounded = opened.layer_sum, (lambda values: [round(float(v), settings.decimals) for v in values])
    return LayerResponse(
        model=request.model or settings.default_model,
        cell=model.cell.name,
        layer=layer,
        t=request.t,
        token=opened.token.text,
        unit=request.unit,
        box=request.box,
        boxes=list(opened.boxes),
        vector=layer_sum.vector,
        activation=layer_sum.activation,
        x_kind=opened.x_kind,
        parts=[
            LayerPart(
                reads=part.reads,
                index=None if part.index is None else list(part.index),
                values=rounded(part.values),
                weights=rounded(part.weights),
                scaled_by=part.scaled_by,
                scale=part.scale,
                bias=part.bias,
            )
            for part in layer_sum.parts
        ],
        bias=layer_sum.bias,
        preactivation=layer_sum.preactivation,
        output=layer_sum.output,
        value=layer_sum.value,
        used=layer_sum.used,
    )


@router.post("/api/layer", responses=responses(400, 404, 413, 422))
async def layer_inside(
    request: LayerRequest,
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    limiter: Annotated[anyio.CapacityLimiter, Depends(get_compute)],
) -> LayerResponse:
    """Inside a learned layer: what one yellow box computed for one unit at step t of the
    text: the vectors it read, the unit's weights on them, the bias, the sum and its output."""
    return await anyio.to_thread.run_sync(inside, registry, settings, request, limiter=limiter)

"""Computed views of a trace: routes translate to app.analysis, which holds the math."""

from __future__ import annotations

from typing import Annotated, Literal

import anyio
import numpy as np
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from app.analysis.gradient_flow import GradientFlowUnavailable, gradient_flow
from app.analysis.inside_layer import OutOfRange, open_layer
from app.errors import error_detail
from app.models.registry import ModelRegistry, UnknownModelError
from app.routes.deps import get_compute, get_registry, get_settings
from app.routes.errors import STATUS, responses
from app.settings import Settings
from app.tracing.start import TRACE_ERRORS, start_trace
from app.tracing.text import TEXT_PATTERN
from app.tracing.whatif import Interventions

router = APIRouter()


class GradientRequest(BaseModel):
    model_config = ConfigDict(strict=True)  # false is not a layer
    model: str | None = Field(None, max_length=64)
    text: str = Field(..., min_length=1, max_length=20_000)
    layer: int | None = Field(None, ge=0, le=64, description="default: the top layer")


class GradientResponse(BaseModel):
    model: str
    cell: str
    layer: int
    state: str = Field(description='the carried vector: "c" (the LSTM\'s belt) or "h"')
    input_norms: list[float] = Field(description="‖∂h_{T-1}/∂x_t‖ for each step t")
    state_norms: list[float] = Field(description="‖∂s_{T-1}/∂s_t‖ for each step t, s the carried vector")


def compute(registry: ModelRegistry, settings: Settings, request: GradientRequest) -> GradientResponse:
    name = request.model or settings.default_model
    try:
        model = registry.get(name)
    except UnknownModelError as e:
        raise HTTPException(404, detail={"code": "unknown_model", "message": str(e)}) from None
    ids = np.array([token.id for token in model.tokenizer.encode(request.text)])
    if len(ids) > settings.max_gradient_tokens:
        message = (
            f"gradient flow is computed for at most {settings.max_gradient_tokens} tokens; the text has {len(ids)}"
        )
        raise HTTPException(413, detail={"code": "too_long", "message": message})
    layer = model.num_layers - 1 if request.layer is None else request.layer
    if layer >= model.num_layers:
        raise HTTPException(422, detail={"code": "bad_layer", "message": f"the model has {model.num_layers} layer(s)"})
    try:
        flow = gradient_flow(model, ids, layer)
    except GradientFlowUnavailable as e:
        raise HTTPException(422, detail={"code": "unavailable", "message": str(e)}) from None
    return GradientResponse(
        model=name,
        cell=model.cell.name,
        layer=layer,
        state=flow.state,
        input_norms=flow.input_norms,
        state_norms=flow.state_norms,
    )


@router.post("/api/gradients", responses=responses(400, 404, 413, 422))
async def gradients(
    request: GradientRequest,
    registry: Annotated[ModelRegistry, Depends(get_registry)],
    settings: Annotated[Settings, Depends(get_settings)],
    limiter: Annotated[anyio.CapacityLimiter, Depends(get_compute)],
) -> GradientResponse:
    """How strongly the last step depends on each earlier input and carried state."""
    return await anyio.to_thread.run_sync(compute, registry, settings, request, limiter=limiter)


class LayerRequest(BaseModel):
    model_config = ConfigDict(strict=True)
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
    except TRACE_ERRORS as e:
        raise HTTPException(STATUS[e.code], detail=error_detail(e)) from None
    except OutOfRange as e:
        raise HTTPException(422, detail=error_detail(e)) from None
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

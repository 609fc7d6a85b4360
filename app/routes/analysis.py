"""Computed views of a trace: routes translate to app.analysis, which holds the math."""

from __future__ import annotations

from typing import Annotated

import anyio
import numpy as np
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, ConfigDict, Field

from app.analysis.gradient_flow import GradientFlowUnavailable, gradient_flow
from app.models.registry import ModelRegistry, UnknownModelError
from app.routes.deps import get_compute, get_registry, get_settings
from app.routes.errors import responses
from app.settings import Settings

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

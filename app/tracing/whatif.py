"""What-if: change the model while it reads, and see what follows.

A clamp holds one vector of the cell (a gate such as f, or a state such as C or h) at a
value, for one unit or all of them, from a time step on; knocking a unit out is clamping
its h (and C) to 0. A weight edit sets one number of a layer's W or b from a time step on.
Each changes the steps from its start on and leaves the earlier ones as they were.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from app.cells import Fix
from app.models.model import Model

MAX_INTERVENTIONS = 32


class Clamp(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")  # 1.5 is no step, "1" is no value, Unit no field
    vector: str = Field(..., max_length=16, description="a gate or state of the cell, e.g. f, i, c, h")
    value: float = Field(..., ge=-1e3, le=1e3, allow_inf_nan=False)
    unit: int | None = Field(None, ge=0, description="one unit; none: all of them")
    start: int = Field(0, ge=0, description="the first time step it applies to")
    layer: int | None = Field(None, ge=0, description="one layer; none: every layer")


class WeightEdit(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    layer: int = Field(0, ge=0)
    matrix: Literal["weight_ih", "weight_hh", "bias"]
    row: int = Field(..., ge=0)
    column: int = Field(0, ge=0)
    value: float = Field(..., ge=-1e3, le=1e3, allow_inf_nan=False)
    start: int = Field(0, ge=0)


class Interventions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clamps: list[Clamp] = Field(default_factory=list, max_length=MAX_INTERVENTIONS)
    weights: list[WeightEdit] = Field(default_factory=list, max_length=MAX_INTERVENTIONS)

    def __bool__(self) -> bool:
        return bool(self.clamps or self.weights)


class InterventionError(ValueError):
    code = "bad_whatif"


def check(interventions: Interventions, model: Model) -> None:
    """Refuse what does not exist in this model, naming it."""
    names = set(model.cell.gates) | set(model.cell.states)
    for clamp in interventions.clamps:
        if clamp.vector not in names:
            raise InterventionError(
                f"{model.cell.name} has no vector {clamp.vector!r}; it has {', '.join(sorted(names))}"
            )
        if clamp.unit is not None and clamp.unit >= model.hidden_size:
            raise InterventionError(f"unit {clamp.unit} is out of range: the model has {model.hidden_size} units")
        if clamp.layer is not None and clamp.layer >= model.num_layers:
            raise InterventionError(f"layer {clamp.layer} is out of range: the model has {model.num_layers}")
    for edit in interventions.weights:
        if edit.layer >= model.num_layers:
            raise InterventionError(f"layer {edit.layer} is out of range: the model has {model.num_layers}")
        shape = np.shape(getattr(model.layers[edit.layer], edit.matrix))
        if edit.row >= shape[0] or (len(shape) > 1 and edit.column >= shape[1]):
            raise InterventionError(f"{edit.matrix} of layer {edit.layer} has shape {shape}")


def clamp_fix(clamps: list[Clamp], t: int, layer: int) -> Fix | None:
    """The intervention at step t of `layer`: every clamp that has started, in order."""
    active = [c for c in clamps if c.start <= t and c.layer in (None, layer)]
    if not active:
        return None

    def fix(name: str, values: np.ndarray) -> np.ndarray:
        for clamp in active:
            if clamp.vector == name:
                values = values.copy()
                values[slice(None) if clamp.unit is None else clamp.unit] = clamp.value
        return values

    return fix


def with_weights(model: Model, edits: list[WeightEdit]) -> Model:
    """A copy of `model` with the edited numbers (the original is left as it is)."""
    layers = list(model.layers)
    for edit in edits:
        params = layers[edit.layer]
        array = getattr(params, edit.matrix).copy()
        array[(edit.row, edit.column) if array.ndim == 2 else edit.row] = edit.value
        layers[edit.layer] = dataclasses.replace(params, **{edit.matrix: array})
    return dataclasses.replace(model, layers=tuple(layers))


def segments(edits: list[WeightEdit], first: int, end: int) -> list[tuple[int, int, list[WeightEdit]]]:
    """Split steps [first, end) where the set of started weight edits changes."""
    cuts = sorted({first, end, *(e.start for e in edits if first < e.start < end)})
    return [(a, b, [e for e in edits if e.start <= a]) for a, b in zip(cuts, cuts[1:])]

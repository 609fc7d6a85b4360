"""A learned layer opened up: what one of the diagram's yellow boxes computes for one unit.

Every learned layer of the article is an activation of a weighted sum. For unit u,

    z_u = Σ_parts s · (w · v + b_part) + b_u          its pre-activation (the sum)
    y_u = act(z_u)                                    σ, tanh, or nothing (a linear box)

where each part is one vector the layer reads, v, with the unit's row of weights on it, w:
[h_{t-1}, x_t] is the parts h_{t-1} and x_t; a peephole or a depth gate's per-unit weight
is a part of one entry. s and b_part are 1 and 0 except where a factor multiplies a whole
product: PyTorch's GRU candidate reads r_t * (W_h · h_{t-1} + b_h), so its h part has
s = r_t and b_part = b_h. Each cell declares its boxes' sums (Cell.layer_sums), built
from the same weights its step reads, so y_u is the value the trace holds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.cells.activations import sigmoid
from app.cells.weights import Weights

ACTIVATIONS: dict[str, Callable[[Any], Any]] = {  # of a number or an array
    "sigmoid": sigmoid,
    "tanh": np.tanh,
    "linear": lambda z: z,
}


@dataclass(frozen=True)
class Part:
    """One vector a layer reads, and the unit's weights on it."""

    reads: str  # the vector, by the diagram's names: "h_prev", "x", "c_prev", "c", "c_below", "r_h_prev"
    values: np.ndarray  # (n,)  v
    weights: np.ndarray  # (n,)  w, the unit's row
    index: tuple[int, ...] | None = None  # which entries of the vector these are; None: all of them, in order
    scaled_by: str | None = None  # the vector whose value for the unit multiplies the whole part (GRU's r)
    scale: float = 1.0  # s
    bias: float = 0.0  # b_part, inside the scale

    def total(self) -> float:
        """s · (w · v + b_part), in float64."""
        dot = float(np.dot(np.asarray(self.weights, np.float64), np.asarray(self.values, np.float64)))
        return self.scale * (dot + self.bias)


@dataclass(frozen=True)
class LayerSum:
    """One yellow box's sum and output for one unit at one step."""

    box: str  # the diagram's part for the box: "forget", "candidate", "rnn", ...
    vector: str | None  # the record's vector it outputs ("f"); None where a frame carries none (GRU's W_h·h + b_h)
    activation: str  # a key of ACTIVATIONS
    parts: tuple[Part, ...]
    bias: float  # b_u
    value: float  # what the step's record holds for it
    used: bool = True  # False: the step passed it over (an idle clockwork module keeps h_{t-1})

    @property
    def preactivation(self) -> float:
        return sum(part.total() for part in self.parts) + self.bias

    @property
    def output(self) -> float:
        return float(ACTIVATIONS[self.activation](self.preactivation))


def row_parts(params: Weights, row: int, h_prev: np.ndarray, x: np.ndarray) -> tuple[Part, Part]:
    """W · [h_{t-1}, x_t] for one row of W: its h-part and its x-part (weights.py)."""
    return Part("h_prev", h_prev, params.weight_hh[row]), Part("x", x, params.weight_ih[row])


def one_entry(reads: str, vector: np.ndarray, weights: np.ndarray, unit: int) -> Part:
    """A per-unit (diagonal) weight: unit u reads only entry u of the vector."""
    return Part(reads, vector[unit : unit + 1], weights[unit : unit + 1], index=(unit,))


def gate_sums(
    params: Weights,
    unit: int,
    h_prev: np.ndarray,
    x: np.ndarray,
    record,
    boxes: Sequence[tuple[str, str, str]],
) -> list[LayerSum]:
    """act(W_k · [h_{t-1}, x_t] + b_k) for each gate block k of W, in row order; boxes[k] is
    (the diagram's box, the record's vector, the activation) of block k."""
    hidden = params.hidden_size
    sums = []
    for k, (box, vector, activation) in enumerate(boxes):
        row = k * hidden + unit
        value = float(getattr(record, vector)[unit])
        parts = row_parts(params, row, h_prev, x)
        sums.append(LayerSum(box, vector, activation, parts, float(params.bias[row]), value))
    return sums

"""The plain RNN the article starts from: its repeating module is a single tanh layer.

    h_t = tanh(W · [h_{t-1}, x_t] + b)

As in PyTorch's nn.RNN (nonlinearity "tanh"): W splits into W_ih (H, X) and W_hh (H, H),
one gate block (G = 1), and b = b_ih + b_hh. Its failure to carry information across
long gaps (vanishing gradients through the chain) is what the LSTM was built to fix.

Backward, with dh = ∂L/∂h_t from above plus from step t+1:
    dz_t     = dh * (1 − h_t²)
    dh_{t-1} = W_hhᵀ · dz_t
This repeated product by W_hhᵀ and tanh' ≤ 1 is why gradients vanish over long lags
(the article's §2); the one-step Jacobian says the same: ∂h_t/∂h_{t-1} = diag(1 − h_t²) W_hh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from app.cells.base import Cell, Fix, Jacobians, StepRecord, Tape, keep, zeros
from app.cells.equations import Figure, Stage, W, b, cat, tanh, v
from app.cells.gradients import both_biases, f64, hidden_side_grads, input_side_grads, scale_rows
from app.cells.sums import LayerSum, gate_sums
from app.cells.weights import DTYPE, Weights, preactivation


class HiddenState(NamedTuple):
    h: np.ndarray  # (H,) or (B, H)  h_{t-1}, the only state of an RNN or a GRU


@dataclass(frozen=True)
class RNNStep(StepRecord):
    STATES: ClassVar[tuple[str, ...]] = ("h",)

    h: np.ndarray  # (H,)  h_t

    def state(self) -> HiddenState:
        return HiddenState(self.h)


def zero_hidden_state(hidden_size: int, dtype: DTypeLike = DTYPE, batch: int | None = None) -> HiddenState:
    return HiddenState(*zeros(1)(hidden_size, dtype, batch))


def step_projected(params: Weights, state: HiddenState, zx: np.ndarray, fix: Fix = keep) -> RNNStep:
    return RNNStep(h=fix("h", np.tanh(preactivation(params, state.h, zx))))


def backward(params: Weights, tape: Tape, dhs: np.ndarray, need_dxs: bool = True, dlink=None):
    dz = np.empty_like(dhs)  # (T, B, H)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        h = tape.records[t].h
        dz[t] = (dhs[t] + dh_next) * (1.0 - h * h)
        dh_next = dz[t] @ params.weight_hh
    d_weight_ih, d_bias, dxs = input_side_grads(dz, tape.xs, params.weight_ih, need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, tape.stack_before("h"))
    return {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, **both_biases(d_bias)}, dxs, None


def jacobian(params: Weights, prev: dict, record: RNNStep, below=None) -> Jacobians:
    slope = 1 - f64(record.h) ** 2  # tanh'
    return scale_rows(f64(params.weight_hh), slope), scale_rows(f64(params.weight_ih), slope)


def layer_sums(params: Weights, prev: dict, record: RNNStep, x: np.ndarray, below, unit: int) -> list[LayerSum]:
    """The one tanh layer's W · [h_{t-1}, x_t] + b for `unit`."""
    return gate_sums(params, unit, prev["h"], x, record, [("rnn", "h", "tanh")])


HX = cat(v("h_prev"), v("x"))  # [h_{t-1}, x_t]

FIGURE = Figure(
    family="rnn",
    label="diagram_rnn",
    parts=("rnn",),
    stages=(
        Stage(
            key="rnn",
            parts=("rnn",),
            vectors=("h_prev", "x", "h", "h_top"),
            equations=(v("h") == tanh(W() @ HX + b()),),
            story=((None, "story_rnn"),),
        ),
    ),
)

RNN = Cell(
    name="rnn",
    title="Plain RNN",
    record=RNNStep,
    gate_rows=("h",),
    zero_state=zero_hidden_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=lambda options: (FIGURE,),
    layer_sums=layer_sums,
)

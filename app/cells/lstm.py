"""The LSTM of Olah's article (Hochreiter & Schmidhuber 1997, with a forget gate).

Notation is the article's; [h_{t-1}, x_t] is the concatenation of the previous
output and the input, and * is the pointwise product:

    f_t  = σ(W_f · [h_{t-1}, x_t] + b_f)          forget gate: what to drop from C_{t-1}
    i_t  = σ(W_i · [h_{t-1}, x_t] + b_i)          input gate: which values to update
    C̃_t  = tanh(W_C · [h_{t-1}, x_t] + b_C)       candidate values
    C_t  = f_t * C_{t-1} + i_t * C̃_t              the cell state, the conveyor belt
    o_t  = σ(W_o · [h_{t-1}, x_t] + b_o)          output gate
    h_t  = o_t * tanh(C_t)                        the output

Weights follow PyTorch's nn.LSTM, so imported models need no reshuffling: each W_·
is split into its h-part and its x-part, W_· · [h, x] = W_hh,· · h + W_ih,· · x, and the
four gates are stacked as rows in the order i, f, g (= C̃), o. PyTorch's two biases
add up to the article's one: b = b_ih + b_hh (app/cells/weights.py).

Arithmetic is float32, the precision PyTorch trains and stores these weights in:
traces then agree with PyTorch to float32 rounding, and the frames the app streams
(rounded to 1e-5) carry no more digits than that anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from app.cells.activations import sigmoid
from app.cells.base import Cell, Fix, StepRecord, keep
from app.cells.weights import (
    DTYPE,
    Weights,
    preactivation,
    project_inputs,
    weights_from_arrays,
)

LSTMParams = Weights  # one layer: gate rows i, f, g, o of 4H each
params_from_arrays = weights_from_arrays
input_projection = project_inputs


class LSTMState(NamedTuple):
    c: np.ndarray  # (H,)  C_{t-1}, the belt
    h: np.ndarray  # (H,)  h_{t-1}


@dataclass(frozen=True)
class LSTMStep(StepRecord):
    """Every vector the article's diagram draws for one step."""

    GATES: ClassVar[tuple[str, ...]] = ("f", "i", "c_tilde", "o")
    STATES: ClassVar[tuple[str, ...]] = ("c", "h")

    f: np.ndarray  # (H,)
    i: np.ndarray  # (H,)
    c_tilde: np.ndarray  # (H,)
    o: np.ndarray  # (H,)
    c: np.ndarray  # (H,)  C_t
    h: np.ndarray  # (H,)  h_t

    def state(self) -> LSTMState:
        return LSTMState(self.c, self.h)


def zero_state(hidden_size: int, dtype: np.dtype = DTYPE) -> LSTMState:
    return LSTMState(np.zeros(hidden_size, dtype), np.zeros(hidden_size, dtype))


GATE_ROWS = ("i", "f", "g", "o")  # nn.LSTM's gate blocks, in the order of W's rows (g: C̃)


def preactivations(params: Weights, h_prev: np.ndarray, zx: np.ndarray) -> list[np.ndarray]:
    """W_· · [h_{t-1}, x_t] + b_· for the gates, in the row order GATE_ROWS."""
    return np.split(preactivation(params, h_prev, zx), len(GATE_ROWS))  # 4 × (H,)


def gates(params: Weights, h_prev: np.ndarray, zx: np.ndarray) -> tuple[np.ndarray, ...]:
    """f_t, i_t, C̃_t, o_t: the four learned layers, each reading [h_{t-1}, x_t]."""
    z_i, z_f, z_g, z_o = preactivations(params, h_prev, zx)
    return sigmoid(z_f), sigmoid(z_i), np.tanh(z_g), sigmoid(z_o)


def step_projected(params: Weights, state: LSTMState, zx: np.ndarray, fix: Fix = keep) -> LSTMStep:
    """One step, given zx = W_ih · x_t + b from input_projection."""
    f, i, c_tilde, o = (fix(name, v) for name, v in zip(("f", "i", "c_tilde", "o"), gates(params, state.h, zx)))
    c = fix("c", f * state.c + i * c_tilde)
    h = fix("h", o * np.tanh(c))
    return LSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=h)


SIGMOID_HALVES = (0.5, 0.5, 1.0, 0.5)  # s on the gate blocks i, f, g, o: ½ where σ(z) = ½ + ½·tanh(½z)


def trace_unfixed(params: Weights, state: LSTMState, zx: np.ndarray) -> list[LSTMStep]:
    """step_projected over every row of zx (T, 4H) with no what-if fixes, in a tight loop:
    the same arithmetic, so the records are bit for bit the same. zx is the trace's own
    and is overwritten.

    The four gates share one tanh per step, since σ(z) = ½ + ½·tanh(½z) (the sigmoid of
    activations.py): with a = tanh(s ⊙ z), where s is ½ on the rows of i, f, o and 1 on
    those of g, the gates are ½a + ½ and C̃ is a itself. s is applied once to W_hh and to
    zx, not at every step: s ⊙ (W_hh·h + zx) = (s ⊙ W_hh)·h + s ⊙ zx exactly, because
    scaling by ½ or 1 is exact in binary floating point. W_hh is read in the transposed
    layout every step uses (Weights.weight_hh_t), so the sums run in the same order.

    Nine NumPy calls a step, each writing into preallocated (T, ·) arrays that the records
    are views of. Row t of `rows` is [C_{t-1} | i f g o]: the matrix product writes the
    gates in place, and one product of [f, g] with [C_{t-1}, i] gives f * C_{t-1} and
    C̃ * i, which add up to C_t, written straight into row t + 1."""
    steps, hidden = zx.shape[0], params.hidden_size
    dtype = zx.dtype
    scale = params.row_scale(SIGMOID_HALVES).astype(dtype)  # s
    offset = np.where(scale == 0.5, scale, 0).astype(dtype)  # ½ on the σ rows, 0 on g's
    weight_hh_t = params.weight_hh_t_scaled(SIGMOID_HALVES)  # (H, 4H): (s ⊙ W_hh)ᵀ, made once per layer
    zx = np.multiply(zx, scale, zx)  # (T, 4H) s ⊙ zx, in the trace's own array
    rows = np.empty((steps + 1, 5 * hidden), dtype)  # [C_{t-1} | i f g o]; row T holds only C_T
    rows[0, :hidden] = state.c
    hs = np.empty((steps, hidden), dtype)
    products = np.empty(2 * hidden, dtype)  # [f * C_{t-1}, C̃ * i]
    forget_part, input_part = products[:hidden], products[hidden:]
    tanh_c = np.empty(hidden, dtype)
    acts = rows[:-1, hidden:]  # (T, 4H) rows i, f, g, o
    c_prev_and_i, f_and_g = rows[:-1, : 2 * hidden], rows[:-1, 2 * hidden : 4 * hidden]
    i_, f_, g_, o_ = (acts[:, k * hidden : (k + 1) * hidden] for k in range(4))  # (T, H) views
    cs = rows[1:, :hidden]  # C_t
    dot, add, multiply, tanh = np.dot, np.add, np.multiply, np.tanh
    h = state.h
    # Outputs are passed by position: each call is ~1 µs of NumPy overhead at H = 128, and
    # parsing an out= keyword adds a tenth to that.
    for a, zx_t, ci, fg, o, c, h_t in zip(acts, zx, c_prev_and_i, f_and_g, o_, cs, hs):
        dot(h, weight_hh_t, a)  # s ⊙ W_hh · h_{t-1}   (4H,)
        add(a, zx_t, a)  # s ⊙ (W · [h_{t-1}, x_t] + b)
        tanh(a, a)
        multiply(a, scale, a)
        add(a, offset, a)  # σ(z) on the rows of i, f, o; tanh(z) on g's
        multiply(fg, ci, products)  # f_t * C_{t-1}, C̃_t * i_t
        add(forget_part, input_part, c)  # C_t
        tanh(c, tanh_c)
        h = multiply(o, tanh_c, h_t)  # h_t = o_t * tanh(C_t)
    return list(map(LSTMStep, f_, i_, g_, o_, cs, hs))


def step(params: Weights, state: LSTMState, x: np.ndarray) -> LSTMStep:
    """One step from a raw input vector x_t (X,)."""
    return step_projected(params, state, input_projection(params, x[None, :])[0])


LSTM = Cell(
    name="lstm",
    title="LSTM",
    record=LSTMStep,
    gate_blocks=4,
    zero_state=zero_state,
    step_projected=step_projected,
    trace_unfixed=trace_unfixed,
)

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
add up to the article's one: b = b_ih + b_hh.

Arithmetic is float32, the precision PyTorch trains and stores these weights in:
traces then agree with PyTorch to float32 rounding, and the frames the app streams
(rounded to 1e-5) carry no more digits than that anyway.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from app.cells.activations import sigmoid
from app.cells.base import Cell

DTYPE = np.float32


@dataclass(frozen=True)
class LSTMParams:
    """One layer's weights, in nn.LSTM's layout (gate rows i, f, g, o)."""

    weight_ih: np.ndarray  # (4H, X)  the x-part of W_i, W_f, W_C, W_o
    weight_hh: np.ndarray  # (4H, H)  the h-part
    bias: np.ndarray  # (4H,)  b_ih + b_hh

    @property
    def hidden_size(self) -> int:
        return self.weight_hh.shape[1]


class LSTMState(NamedTuple):
    c: np.ndarray  # (H,)  C_{t-1}, the belt
    h: np.ndarray  # (H,)  h_{t-1}


@dataclass(frozen=True)
class LSTMStep:
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


def params_from_arrays(arrays: Mapping[str, np.ndarray], layer: int) -> LSTMParams:
    """Layer `layer` from a state_dict-like mapping with nn.LSTM's key names."""
    k = f"l{layer}"
    return LSTMParams(
        weight_ih=np.asarray(arrays[f"weight_ih_{k}"], DTYPE),
        weight_hh=np.asarray(arrays[f"weight_hh_{k}"], DTYPE),
        bias=np.asarray(arrays[f"bias_ih_{k}"], DTYPE) + np.asarray(arrays[f"bias_hh_{k}"], DTYPE),
    )


def params_to_arrays(params: LSTMParams, layer: int) -> dict[str, np.ndarray]:
    """The inverse of params_from_arrays; the whole bias is stored as bias_ih."""
    k = f"l{layer}"
    return {
        f"weight_ih_{k}": params.weight_ih,
        f"weight_hh_{k}": params.weight_hh,
        f"bias_ih_{k}": params.bias,
        f"bias_hh_{k}": np.zeros_like(params.bias),
    }


def zero_state(hidden_size: int, dtype: np.dtype = DTYPE) -> LSTMState:
    return LSTMState(np.zeros(hidden_size, dtype), np.zeros(hidden_size, dtype))


def input_projection(params: LSTMParams, xs: np.ndarray) -> np.ndarray:
    """W_ih · x_t + b for every t at once: one matrix product for a whole text."""
    return np.asarray(xs, DTYPE) @ params.weight_ih.T + params.bias  # (T, 4H)


def step_projected(params: LSTMParams, state: LSTMState, zx: np.ndarray) -> LSTMStep:
    """One step, given zx = W_ih · x_t + b from input_projection."""
    z = zx + params.weight_hh @ state.h  # (4H,)  pre-activations of i, f, g, o
    z_i, z_f, z_g, z_o = np.split(z, 4)
    f = sigmoid(z_f)
    i = sigmoid(z_i)
    c_tilde = np.tanh(z_g)
    c = f * state.c + i * c_tilde
    o = sigmoid(z_o)
    h = o * np.tanh(c)
    return LSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=h)


def step(params: LSTMParams, state: LSTMState, x: np.ndarray) -> LSTMStep:
    """One step from a raw input vector x_t (X,)."""
    return step_projected(params, state, input_projection(params, x[None, :])[0])


LSTM = Cell(
    name="lstm",
    title="LSTM",
    gates=LSTMStep.GATES,
    states=LSTMStep.STATES,
    gate_blocks=4,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
    zero_state=zero_state,
    input_projection=input_projection,
    step_projected=step_projected,
)

"""The GRU (Cho et al. 2014): one update gate z_t does the work of forget and input,
a reset gate r_t, and the cell state merged into h. Two formulations are in use:

"article" (the article's, Cho et al.'s; Keras with reset_after=False): reset before the product

    z_t  = σ(W_z · [h_{t-1}, x_t] + b_z)
    r_t  = σ(W_r · [h_{t-1}, x_t] + b_r)
    h̃_t  = tanh(W · [r_t * h_{t-1}, x_t] + b)
    h_t  = (1 − z_t) * h_{t-1} + z_t * h̃_t          z: how much of the new h̃ is written

"pytorch" (PyTorch's nn.GRU, cuDNN, Keras with reset_after=True): reset after the product,
and z the other way round

    n_t  = tanh(W_in · x_t + b_in + r_t * (W_hn · h_{t-1} + b_hn))
    h_t  = (1 − z_t) * n_t + z_t * h_{t-1}          z: how much of the old h is kept

Both are reported as z, r and h̃ (= n_t). Weights follow nn.GRU: three gate blocks in the
row order r, z, n. The pytorch form needs b_hn apart from b_in (r multiplies it), so only
the r and z blocks' two biases are summed; the model file's top-level key `gru_variant`
says which form a model uses ("pytorch" when absent, as nn.GRU's layout suggests).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.cells.activations import sigmoid
from app.cells.base import Cell, InvalidOption, StepRecord
from app.cells.rnn import HiddenState, zero_hidden_state
from app.cells.weights import DTYPE, Weights

UPDATE_MEANING = {
    "article": "z is how much of the new candidate h̃ is written: h_t = (1 − z) * h_{t-1} + z * h̃_t",
    "pytorch": "z is how much of the old h_{t-1} is kept: h_t = (1 − z) * h̃_t + z * h_{t-1} (PyTorch, Keras)",
}
VARIANT_KEY = "gru_variant"
DEFAULT_VARIANT = "pytorch"


@dataclass(frozen=True)
class GRUParams(Weights):
    """nn.GRU's rows r, z, n; `bias` holds b_ir + b_hr, b_iz + b_hz and b_in (plus b_hn
    for the article's form, where it is just another term of the sum)."""

    bias_hn: np.ndarray | None = None  # (H,)  the pytorch form's b_hn, which r multiplies
    variant: str = DEFAULT_VARIANT


@dataclass(frozen=True)
class GRUStep(StepRecord):
    GATES: ClassVar[tuple[str, ...]] = ("z", "r", "h_tilde")
    STATES: ClassVar[tuple[str, ...]] = ("h",)

    z: np.ndarray  # (H,)
    r: np.ndarray  # (H,)
    h_tilde: np.ndarray  # (H,)  h̃_t, the candidate (PyTorch's n_t)
    h: np.ndarray  # (H,)

    def state(self) -> HiddenState:
        return HiddenState(self.h)


def step_projected(params: GRUParams, state: HiddenState, zx: np.ndarray) -> GRUStep:
    x_r, x_z, x_n = np.split(zx, 3)  # W_i· · x_t + b_·, rows r, z, n
    w_hr, w_hz, w_hn = np.split(params.weight_hh, 3)
    h_prev = state.h
    r = sigmoid(x_r + w_hr @ h_prev)
    z = sigmoid(x_z + w_hz @ h_prev)
    if params.variant == "article":
        h_tilde = np.tanh(x_n + w_hn @ (r * h_prev))  # reset before the product
        h = (1 - z) * h_prev + z * h_tilde
    else:
        h_tilde = np.tanh(x_n + r * (w_hn @ h_prev + params.bias_hn))  # reset after it
        h = (1 - z) * h_tilde + z * h_prev
    return GRUStep(z=z, r=r, h_tilde=h_tilde, h=h)


def check_variant(options: Mapping) -> str:
    variant = options.get(VARIANT_KEY, DEFAULT_VARIANT)
    if variant not in UPDATE_MEANING:
        raise InvalidOption(f"{VARIANT_KEY!r} is {variant!r}; expected one of {', '.join(UPDATE_MEANING)}")
    return variant


def read_options(arrays: Mapping[str, np.ndarray], hidden: int) -> dict:
    if VARIANT_KEY not in arrays:
        return {VARIANT_KEY: DEFAULT_VARIANT}
    value = arrays[VARIANT_KEY]
    if value.shape != () or value.dtype.kind != "U":
        raise InvalidOption(f"{VARIANT_KEY!r} must be a single string, 'article' or 'pytorch'")
    return {VARIANT_KEY: check_variant({VARIANT_KEY: str(value[()])})}


def params_from_arrays(arrays: Mapping[str, np.ndarray], layer: int, options: Mapping) -> GRUParams:
    k = f"l{layer}"
    b_ih, b_hh = (np.asarray(arrays[f"bias_{part}_{k}"], DTYPE) for part in ("ih", "hh"))
    rz = 2 * len(b_ih) // 3  # the r and z blocks
    variant = check_variant(options)
    if variant == "article":
        bias, bias_hn = b_ih + b_hh, np.zeros(len(b_ih) - rz, DTYPE)
    else:
        bias, bias_hn = np.concatenate([b_ih[:rz] + b_hh[:rz], b_ih[rz:]]), b_hh[rz:]
    weight_ih, weight_hh = (np.asarray(arrays[f"weight_{part}_{k}"], DTYPE) for part in ("ih", "hh"))
    return GRUParams(weight_ih, weight_hh, bias, bias_hn, variant)


def params_to_arrays(params: GRUParams, layer: int) -> dict[str, np.ndarray]:
    k = f"l{layer}"
    hidden = params.hidden_size
    return {
        f"weight_ih_{k}": params.weight_ih,
        f"weight_hh_{k}": params.weight_hh,
        f"bias_ih_{k}": params.bias,
        f"bias_hh_{k}": np.concatenate([np.zeros(2 * hidden, DTYPE), params.bias_hn]),
    }


def options(params: GRUParams) -> dict:
    return {VARIANT_KEY: params.variant, "update_meaning": UPDATE_MEANING[params.variant]}


def options_to_arrays(options: Mapping) -> dict[str, np.ndarray]:
    return {VARIANT_KEY: np.array(check_variant(options))}


GRU = Cell(
    name="gru",
    title="GRU",
    record=GRUStep,
    gate_blocks=3,
    zero_state=zero_hidden_state,
    step_projected=step_projected,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
    read_options=read_options,
    options=options,
    options_to_arrays=options_to_arrays,
)

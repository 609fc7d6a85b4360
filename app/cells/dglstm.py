"""The depth-gated LSTM (Yao et al. 2015): a stack of LSTMs in which a depth gate d_t
links each layer's cell to the cell of the layer below, so the belt runs upwards too.

For a layer L above the first, with x_t = h_t^{L-1} (the output of the layer below):

    f_t, i_t, C̃_t, o_t   as in the LSTM, from [h_{t-1}^L, x_t]
    d_t    = σ(W_xd · x_t + w_cd * C_t^{L-1} + w_ld * C_{t-1}^L + b_d)     the depth gate
    C_t^L  = d_t * C_t^{L-1} + f_t * C_{t-1}^L + i_t * C̃_t
    h_t^L  = o_t * tanh(C_t^L)

w_cd and w_ld are per-unit (diagonal) weights, like peepholes. The bottom layer has no
layer below and no depth gate: it is the plain LSTM, and its records carry no d.
Weights: nn.LSTM's (rows i, f, g, o) for every layer, and for each layer k ≥ 1
`depth_weight_x_l{k}` W_xd (H, H), `depth_weight_c_l{k}` w_cd (H,),
`depth_weight_l_l{k}` w_ld (H,), `depth_bias_l{k}` b_d (H,).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from app.cells import lstm
from app.cells.activations import sigmoid
from app.cells.base import Cell
from app.cells.lstm import LSTMState, LSTMStep
from app.cells.weights import DTYPE, Weights, project_inputs, weights_from_arrays, weights_to_arrays


@dataclass(frozen=True)
class DepthGate:
    weight_x: np.ndarray  # (H, X)  W_xd
    weight_c: np.ndarray  # (H,)  w_cd, on the cell below
    weight_l: np.ndarray  # (H,)  w_ld, on this layer's previous cell
    bias: np.ndarray  # (H,)  b_d

    NAMES: ClassVar[tuple[str, ...]] = ("weight_x", "weight_c", "weight_l", "bias")


@dataclass(frozen=True)
class DGLSTMParams(Weights):
    depth: DepthGate | None = None  # None on the bottom layer


@dataclass(frozen=True)
class DGLSTMStep(LSTMStep):
    GATES: ClassVar[tuple[str, ...]] = ("f", "i", "c_tilde", "o", "d")

    d: np.ndarray  # (H,)  the depth gate


def input_projection(params: DGLSTMParams, xs: np.ndarray, below: Sequence[LSTMStep] | None = None) -> np.ndarray:
    """The LSTM's W_ih · x_t + b, then, above the bottom layer, all of the depth gate's
    pre-activation that is known before the step (everything but w_ld * C_{t-1}) and
    the cell below itself: (T, 4H + H + H)."""
    zx = project_inputs(params, xs)  # (T, 4H)
    if params.depth is None:
        return zx
    c_below = np.stack([record.c for record in below])  # (T, H)  C_t^{L-1}
    depth = params.depth
    zd = np.asarray(xs, DTYPE) @ depth.weight_x.T + depth.weight_c * c_below + depth.bias  # (T, H)
    return np.concatenate([zx, zd, c_below], axis=1)


def step_projected(params: DGLSTMParams, state: LSTMState, zx: np.ndarray) -> LSTMStep:
    if params.depth is None:
        return lstm.step_projected(params, state, zx)
    hidden = params.hidden_size
    zx, zd, c_below = np.split(zx, [4 * hidden, 5 * hidden])
    f, i, c_tilde, o = lstm.gates(params, state.h, zx)
    d = sigmoid(zd + params.depth.weight_l * state.c)
    c = d * c_below + f * state.c + i * c_tilde
    return DGLSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=o * np.tanh(c), d=d)


def depth_key(name: str, layer: int) -> str:
    return f"depth_{name}_l{layer}"


def extra_shapes(layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
    if layer == 0:
        return {}
    shapes = {"weight_x": (hidden, inputs), "weight_c": (hidden,), "weight_l": (hidden,), "bias": (hidden,)}
    return {depth_key(name, layer): shape for name, shape in shapes.items()}


def params_from_arrays(arrays: Mapping[str, np.ndarray], layer: int, options: Mapping | None = None) -> DGLSTMParams:
    weights = weights_from_arrays(arrays, layer)
    depth = None
    if layer > 0:
        depth = DepthGate(*(np.asarray(arrays[depth_key(name, layer)], DTYPE) for name in DepthGate.NAMES))
    return DGLSTMParams(weights.weight_ih, weights.weight_hh, weights.bias, depth)


def params_to_arrays(params: DGLSTMParams, layer: int) -> dict[str, np.ndarray]:
    arrays = weights_to_arrays(params, layer)
    if params.depth is not None:
        arrays |= {depth_key(name, layer): getattr(params.depth, name) for name in DepthGate.NAMES}
    return arrays


DGLSTM = Cell(
    name="dglstm",
    title="Depth-gated LSTM",
    record=DGLSTMStep,
    gate_blocks=4,
    zero_state=lstm.zero_state,
    step_projected=step_projected,
    input_projection=input_projection,
    extra_shapes=extra_shapes,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
)

"""The depth-gated LSTM (Yao et al. 2015): a stack of LSTMs in which a depth gate d_t
links each layer's cell to the cell of the layer below, so the belt runs upwards too.

For a layer L above the first, with x_t = h_t^{L-1} (the output of the layer below):

    f_t, i_t, C̃_t, o_t   as in the LSTM, from [h_{t-1}^L, x_t]
    d_t    = σ(W_xd · x_t + w_cd * C_t^{L-1} + w_ld * C_{t-1}^L + b_d)     the depth gate
    C_t^L  = f_t * C_{t-1}^L + i_t * C̃_t + d_t * C_t^{L-1}
    h_t^L  = o_t * tanh(C_t^L)

w_cd and w_ld are per-unit (diagonal) weights, like peepholes. The bottom layer has no
layer below and no depth gate: it is the plain LSTM, and its records carry no d.
Weights: nn.LSTM's (rows i, f, g, o) for every layer, and for each layer k ≥ 1
`depth_weight_x_l{k}` W_xd (H, H), `depth_weight_c_l{k}` w_cd (H,),
`depth_weight_l_l{k}` w_ld (H,), `depth_bias_l{k}` b_d (H,).

Training is the LSTM's (lstm.py) with the depth gate's terms, C_t^{L-1} being the cell
state of the layer below:
    backward:  dz_d = dC_t * C_t^{L-1} * d(1 − d)
               dC_{t-1} += dz_d * w_ld
               dx_t += W_xdᵀ · dz_d
               ∂L/∂C_t^{L-1} = dC_t * d_t + dz_d * w_cd        (the layer below's dlink)
               dW_xd = Σ dz_d x_tᵀ, dw_cd = Σ dz_d * C_t^{L-1}, dw_ld = Σ dz_d * C_{t-1}, db_d = Σ dz_d
The layer below adds its dlink to dC_t at every step, so the loss reaches the lower belt
both through h (as in any stack) and straight through the depth gate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, TypeVar

import numpy as np
from numpy.typing import DTypeLike

from app.cells import lstm
from app.cells.activations import sigmoid
from app.cells.base import Cell, Fix, Jacobians, Tape, keep
from app.cells.equations import Note
from app.cells.lstm import DepthTerms, LSTMState, LSTMStep
from app.cells.sums import LayerSum, Part, one_entry
from app.cells.weights import (
    DTYPE,
    Weights,
    linear,
    project_inputs,
    weights_from_arrays,
    weights_to_arrays,
)

Below = TypeVar("Below")  # the layer below's records, or one of them


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
    the cell below itself: (T, 4H + H + H), or (T, B, ·) for a batch."""
    zx = project_inputs(params, xs)  # (T, 4H)
    if params.depth is None:
        return zx
    c_below = np.stack([record.c for record in layer_below(below)])  # (T, H)  C_t^{L-1}
    depth = params.depth
    zd = linear(xs, depth.weight_x, depth.bias) + depth.weight_c * c_below  # (T, H)
    return np.concatenate([zx, zd, c_below], axis=-1)


def step_projected(params: DGLSTMParams, state: LSTMState, zx: np.ndarray, fix: Fix = keep) -> LSTMStep:
    if params.depth is None:
        return lstm.step_projected(params, state, zx, fix)
    hidden = params.hidden_size
    zx, zd, c_below = np.split(zx, [4 * hidden, 5 * hidden], axis=-1)
    f, i, c_tilde, o = (fix(name, v) for name, v in zip(("f", "i", "c_tilde", "o"), lstm.gates(params, state.h, zx)))
    d = fix("d", sigmoid(zd + params.depth.weight_l * state.c))
    c = fix("c", f * state.c + i * c_tilde + d * c_below)
    return DGLSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=fix("h", o * np.tanh(c)), d=d)


def backward(params: DGLSTMParams, tape: Tape, dhs, need_dxs=True, dlink=None):
    depth = None
    if params.depth is not None:
        depth = DepthTerms(params.depth, tape.stack("d"), tape.zx[..., 5 * params.hidden_size :])
    return lstm.backward(params, tape, dhs, need_dxs, dlink, depth=depth)


def jacobian(params: DGLSTMParams, prev: dict, record: LSTMStep, below: LSTMStep | None = None) -> Jacobians:
    """The LSTM's, with the depth gate's terms above the bottom layer (the cell below held fixed)."""
    depth = None
    if params.depth is not None:
        assert isinstance(record, DGLSTMStep), "a layer with a depth gate steps to DGLSTMStep records"
        depth = DepthTerms(params.depth, record.d, layer_below(below).c)
    return lstm.jacobian(params, prev, record, depth=depth)


def layer_below(below: Below | None) -> Below:
    """What a layer above the bottom reads of the layer below (its records), which it cannot do without."""
    if below is None:
        raise ValueError("a depth-gated layer above the bottom reads the records of the layer below")
    return below


def layer_sums(params: DGLSTMParams, prev: dict, record: DGLSTMStep, x: np.ndarray, below, unit: int) -> list[LayerSum]:
    """The LSTM's four, and above the bottom layer the depth gate's
    W_xd · x_t + w_cd * C_t^{L-1} + w_ld * C_{t-1} + b_d for `unit`."""
    sums = lstm.layer_sums(params, prev, record, x, below, unit)
    depth = params.depth
    if depth is None:
        return sums
    parts = (
        Part("x", x, depth.weight_x[unit]),
        one_entry("c_below", below.c, depth.weight_c, unit),
        one_entry("c_prev", prev["c"], depth.weight_l, unit),
    )
    return [*sums, LayerSum("depth", "d", "sigmoid", parts, float(depth.bias[unit]), float(record.d[unit]))]


def depth_key(name: str, layer: int) -> str:
    return f"depth_{name}_l{layer}"


def extra_shapes(layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
    if layer == 0:
        return {}
    shapes = {"weight_x": (hidden, inputs), "weight_c": (hidden,), "weight_l": (hidden,), "bias": (hidden,)}
    return {depth_key(name, layer): shape for name, shape in shapes.items()}


def params_from_arrays(
    arrays: Mapping[str, np.ndarray], layer: int, options: Mapping | None = None, dtype: DTypeLike = DTYPE
) -> DGLSTMParams:
    weights = weights_from_arrays(arrays, layer, dtype=dtype)
    depth = None
    if layer > 0:
        depth = DepthGate(*(np.asarray(arrays[depth_key(name, layer)], dtype) for name in DepthGate.NAMES))
    return DGLSTMParams(weights.weight_ih, weights.weight_hh, weights.bias, depth)


def params_to_arrays(params: DGLSTMParams, layer: int) -> dict[str, np.ndarray]:
    arrays = weights_to_arrays(params, layer)
    if params.depth is not None:
        arrays |= {depth_key(name, layer): getattr(params.depth, name) for name in DepthGate.NAMES}
    return arrays


# The bottom layer reads no layer below: the plain LSTM's four steps. Every layer above
# has the depth gate, as a step of its own between writing and updating the belt.
NOTES: tuple[Note, ...] = (("note_dglstm", {}),)
FIGURES = (
    lstm.figure("diagram_lstm", notes=NOTES, update_notes=("note_dglstm_bottom",)),
    lstm.figure("diagram_dglstm", depth=True, notes=NOTES),
)

DGLSTM = Cell(
    name="dglstm",
    title="Depth-gated LSTM",
    record=DGLSTMStep,
    gate_rows=lstm.GATE_ROWS,
    zero_state=lstm.zero_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=lambda options: FIGURES,
    input_projection=input_projection,
    extra_shapes=extra_shapes,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
    layer_sums=layer_sums,
)

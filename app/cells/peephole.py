"""The LSTM with peephole connections (Gers & Schmidhuber 2000): the gates also look
at the cell state, C_{t-1} for the forget and input gates and the new C_t for the output.

    f_t  = σ(W_f · [h_{t-1}, x_t] + p_f * C_{t-1} + b_f)
    i_t  = σ(W_i · [h_{t-1}, x_t] + p_i * C_{t-1} + b_i)
    C̃_t  = tanh(W_C · [h_{t-1}, x_t] + b_C)
    C_t  = f_t * C_{t-1} + i_t * C̃_t
    o_t  = σ(W_o · [h_{t-1}, x_t] + p_o * C_t + b_o)
    h_t  = o_t * tanh(C_t)

Each peephole p_· is one weight per unit (a diagonal matrix, as in Gers & Schmidhuber
and most implementations: unit j's gate sees only unit j's cell), where the article
writes a full matrix, W_f · [C_{t-1}, h_{t-1}, x_t]. Some papers give peepholes to only
some gates, so each is optional: a model has any subset of f, i, o, the same on every
layer (absent ones act as p = 0). W and b are nn.LSTM's (rows i, f, g, o); the peepholes
are `peephole_f_l{k}`, `peephole_i_l{k}`, `peephole_o_l{k}`, each (H,).

Training and the gradient view are the LSTM's (lstm.py) with these extra terms:
    backward:  dC_t     += dz_o * p_o            (o reads the new C_t)
               dC_{t-1} += dz_f * p_f + dz_i * p_i
               dp_f = Σ dz_f * C_{t-1},  dp_i = Σ dz_i * C_{t-1},  dp_o = Σ dz_o * C_t
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import DTypeLike

from app.cells import lstm
from app.cells.activations import sigmoid
from app.cells.base import Cell, Fix, InvalidOption, keep
from app.cells.lstm import LSTMState, LSTMStep, preactivations, zero_state
from app.cells.weights import DTYPE, Weights, weights_from_arrays, weights_to_arrays

PEEPHOLE_GATES = ("f", "i", "o")


@dataclass(frozen=True)
class PeepholeParams(Weights):
    peepholes: Mapping[str, np.ndarray] = field(default_factory=dict)  # gate -> p (H,), for those that have one

    def peek(self, gate: str, c: np.ndarray) -> np.ndarray | float:
        """p_gate * C, or 0 where the gate has no peephole."""
        p = self.peepholes.get(gate)
        return 0.0 if p is None else p * c


def step_projected(params: PeepholeParams, state: LSTMState, zx: np.ndarray, fix: Fix = keep) -> LSTMStep:
    z_i, z_f, z_g, z_o = preactivations(params, state.h, zx)
    f = fix("f", sigmoid(z_f + params.peek("f", state.c)))
    i = fix("i", sigmoid(z_i + params.peek("i", state.c)))
    c_tilde = fix("c_tilde", np.tanh(z_g))
    c = fix("c", f * state.c + i * c_tilde)
    o = fix("o", sigmoid(z_o + params.peek("o", c)))  # the output gate sees the new C_t
    return LSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=fix("h", o * np.tanh(c)))


def peephole_key(gate: str, layer: int) -> str:
    return f"peephole_{gate}_l{layer}"


def read_options(arrays: Mapping[str, np.ndarray], hidden: int) -> dict:
    """Which peepholes the model has: those layer 0 has (every layer must match)."""
    present = [gate for gate in PEEPHOLE_GATES if f"rnn.{peephole_key(gate, 0)}" in arrays]
    return {"peepholes": present}


def check_options(options: Mapping) -> list[str]:
    gates = list(options.get("peepholes", ()))
    if not set(gates) <= set(PEEPHOLE_GATES):
        raise InvalidOption(f"peepholes must be among {', '.join(PEEPHOLE_GATES)}; got {gates}")
    return gates


def options_with_defaults(given: Mapping, hidden: int) -> dict:
    """The peepholes given (all three when none are named), in the order f, i, o."""
    if set(given) - {"peepholes"}:
        raise InvalidOption(f"a peephole LSTM takes only 'peepholes'; got {', '.join(given)}")
    gates = check_options({"peepholes": given.get("peepholes", PEEPHOLE_GATES)})
    return {"peepholes": [gate for gate in PEEPHOLE_GATES if gate in gates]}


def extra_shapes(layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
    return {peephole_key(gate, layer): (hidden,) for gate in check_options(options)}


def params_from_arrays(
    arrays: Mapping[str, np.ndarray], layer: int, options: Mapping, dtype: DTypeLike = DTYPE
) -> PeepholeParams:
    weights = weights_from_arrays(arrays, layer, dtype=dtype)
    peepholes = {gate: np.asarray(arrays[peephole_key(gate, layer)], dtype) for gate in check_options(options)}
    return PeepholeParams(weights.weight_ih, weights.weight_hh, weights.bias, peepholes)


def params_to_arrays(params: PeepholeParams, layer: int) -> dict[str, np.ndarray]:
    peepholes = {peephole_key(gate, layer): p for gate, p in params.peepholes.items()}
    return weights_to_arrays(params, layer) | peepholes


def options(params: PeepholeParams) -> dict:
    return {"peepholes": [gate for gate in PEEPHOLE_GATES if gate in params.peepholes]}


def backward(params: PeepholeParams, tape, dhs, need_dxs=True, dlink=None):
    return lstm.backward(params, tape, dhs, need_dxs, dlink, peepholes=params.peepholes)


def jacobian(params: PeepholeParams, prev: dict, record: LSTMStep, below=None):
    return lstm.jacobian(params, prev, record, peepholes=params.peepholes)


def layer_sums(params: PeepholeParams, prev: dict, record: LSTMStep, x, below, unit: int):
    return lstm.layer_sums(params, prev, record, x, below, unit, peepholes=params.peepholes)


def figures(options: Mapping) -> tuple:
    """The LSTM's figure with lines from the belt into the gates that have a peephole."""
    gates = tuple(check_options(options))
    note = ("note_peephole", {"gates": ", ".join(gates)}) if gates else ("note_peephole_none", {})
    return (lstm.figure("diagram_peephole", peepholes=gates, notes=(note,)),)


PEEPHOLE = Cell(
    name="peephole",
    title="LSTM with peephole connections",
    record=LSTMStep,
    gate_rows=lstm.GATE_ROWS,
    zero_state=zero_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=figures,
    check_options=options_with_defaults,
    extra_shapes=extra_shapes,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
    read_options=read_options,
    options=options,
    layer_sums=layer_sums,
)

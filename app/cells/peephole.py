"""The LSTM with peephole connections (Gers & Schmidhuber 2000): the gates also look
at the cell state, C_{t-1} for the forget and input gates and the new C_t for the output.

    f_t  = σ(W_f · [h_{t-1}, x_t] + p_f * C_{t-1} + b_f)
    i_t  = σ(W_i · [h_{t-1}, x_t] + p_i * C_{t-1} + b_i)
    C̃_t  = tanh(W_C · [h_{t-1}, x_t] + b_C)
    C_t  = f_t * C_{t-1} + i_t * C̃_t
    o_t  = σ(W_o · [h_{t-1}, x_t] + p_o * C_t + b_o)
    h_t  = o_t * tanh(C_t)

Each peephole p_· is one weight per unit (a diagonal matrix, as in most implementations:
unit j's gate sees only unit j's cell). Some papers give peepholes to only some gates, so
each is optional: a model has any subset of f, i, o, the same on every layer (absent ones
act as p = 0). W and b are nn.LSTM's (rows i, f, g, o); the peepholes are
`peephole_f_l{k}`, `peephole_i_l{k}`, `peephole_o_l{k}`, each (H,).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from app.cells.activations import sigmoid
from app.cells.base import Cell, InvalidOption
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


def step_projected(params: PeepholeParams, state: LSTMState, zx: np.ndarray) -> LSTMStep:
    z_i, z_f, z_g, z_o = preactivations(params, state.h, zx)
    f = sigmoid(z_f + params.peek("f", state.c))
    i = sigmoid(z_i + params.peek("i", state.c))
    c_tilde = np.tanh(z_g)
    c = f * state.c + i * c_tilde
    o = sigmoid(z_o + params.peek("o", c))  # the output gate sees the new C_t
    return LSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=o * np.tanh(c))


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


def extra_shapes(layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
    return {peephole_key(gate, layer): (hidden,) for gate in check_options(options)}


def params_from_arrays(arrays: Mapping[str, np.ndarray], layer: int, options: Mapping) -> PeepholeParams:
    weights = weights_from_arrays(arrays, layer)
    peepholes = {gate: np.asarray(arrays[peephole_key(gate, layer)], DTYPE) for gate in check_options(options)}
    return PeepholeParams(weights.weight_ih, weights.weight_hh, weights.bias, peepholes)


def params_to_arrays(params: PeepholeParams, layer: int) -> dict[str, np.ndarray]:
    peepholes = {peephole_key(gate, layer): p for gate, p in params.peepholes.items()}
    return weights_to_arrays(params, layer) | peepholes


def options(params: PeepholeParams) -> dict:
    return {"peepholes": [gate for gate in PEEPHOLE_GATES if gate in params.peepholes]}


PEEPHOLE = Cell(
    name="peephole",
    title="LSTM with peephole connections",
    record=LSTMStep,
    gate_blocks=4,
    zero_state=zero_state,
    step_projected=step_projected,
    extra_shapes=extra_shapes,
    params_from_arrays=params_from_arrays,
    params_to_arrays=params_to_arrays,
    read_options=read_options,
    options=options,
)

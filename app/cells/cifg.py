"""The LSTM with coupled forget and input gates (CIFG): it forgets only what it writes.

One gate decides both: where f_t lets old values go, the new candidate comes in.

    f_t  = σ(W_f · [h_{t-1}, x_t] + b_f)
    i_t  = 1 − f_t                                the input gate, no longer learned
    C̃_t  = tanh(W_C · [h_{t-1}, x_t] + b_C)
    C_t  = f_t * C_{t-1} + (1 − f_t) * C̃_t
    o_t  = σ(W_o · [h_{t-1}, x_t] + b_o)
    h_t  = o_t * tanh(C_t)

Weights as nn.LSTM's with the input gate's block taken out: three gate blocks of H
rows, in the order f, g (= C̃), o.

Training and the gradient view are the LSTM's (lstm.py) for these rows: f reaches
C_t = f * C_{t-1} + (1 − f) * C̃ twice and there is no dz_i:
    dz_f = dC_t * (C_{t-1} − C̃) * f(1 − f)        dz_g = dC_t * (1 − f) * (1 − C̃²)
"""

from __future__ import annotations

import numpy as np

from app.cells import lstm
from app.cells.activations import sigmoid
from app.cells.base import Cell, Fix, keep
from app.cells.lstm import LSTMState, LSTMStep, zero_state
from app.cells.weights import Weights, blocks, preactivation

GATE_ROWS = ("f", "g", "o")  # W's row blocks: no input gate's, as i = 1 − f


def step_projected(params: Weights, state: LSTMState, zx: np.ndarray, fix: Fix = keep) -> LSTMStep:
    z_f, z_g, z_o = blocks(preactivation(params, state.h, zx), len(GATE_ROWS))
    f = fix("f", sigmoid(z_f))
    i = fix("i", 1 - f)
    c_tilde = fix("c_tilde", np.tanh(z_g))
    c = fix("c", f * state.c + i * c_tilde)
    o = fix("o", sigmoid(z_o))
    return LSTMStep(f=f, i=i, c_tilde=c_tilde, o=o, c=c, h=fix("h", o * np.tanh(c)))


def backward(params: Weights, tape, dhs, need_dxs=True, dlink=None):
    return lstm.backward(params, tape, dhs, need_dxs, dlink, rows=GATE_ROWS)


def jacobian(params: Weights, prev: dict, record: LSTMStep, below=None):
    return lstm.jacobian(params, prev, record, rows=GATE_ROWS)


def layer_sums(params: Weights, prev: dict, record: LSTMStep, x, below, unit: int):
    return lstm.layer_sums(params, prev, record, x, below, unit, rows=GATE_ROWS)  # i = 1 − f is no layer


FIGURE = lstm.figure("diagram_cifg", coupled=True, notes=(("note_cifg", {}),))

CIFG = Cell(
    name="cifg",
    title="LSTM with coupled forget and input gates",
    record=LSTMStep,
    gate_rows=GATE_ROWS,
    zero_state=zero_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=lambda options: (FIGURE,),
    layer_sums=layer_sums,
)

"""Backpropagation through time for the LSTM with coupled input and forget gates
(app/cells/cifg.py; rows f, g, o): the LSTM's passes (lstm.py) with i = 1 − f, so f
reaches C_t = f * C_{t-1} + (1 − f) * C̃ twice and there is no dz_i:

    dz_f = dC_t * (C_{t-1} − C̃) * f(1 − f)        dz_g = dC_t * (1 − f) * (1 − C̃²)
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from app.cells.cifg import GATE_ROWS as CIFG_ROWS
from app.training.backprop.lstm import LSTM, backward, forget_gate, forward

CIFG = replace(
    LSTM,
    name="cifg",
    forward=partial(forward, rows=CIFG_ROWS),
    backward=partial(backward, rows=CIFG_ROWS),
    **forget_gate(CIFG_ROWS),
)

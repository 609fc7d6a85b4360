"""Exact one-step Jacobians of the cells, for the gradient-flow view.

For a layer with state s_t and input x_t, one step gives J_s = ∂s_t/∂s_{t-1} and
J_x = ∂s_t/∂x_t, written out from the cell's equations (σ' = σ(1 − σ), tanh' = 1 − tanh²).
States are stacked as s = [C, h] for the LSTM and its variants, and s = h for the RNN, the
GRU and the clockwork RNN. Each function reads the step's record (the gate values), the
state it started from and, for the depth-gated LSTM, the layer below's record of that step.

LSTM, with z_· the pre-activations and W_h·, W_x· the h- and x-parts of each gate's W:
    ∂C_t/∂C_{t-1} = diag(f)
    ∂C_t/∂h_{t-1} = diag(C_{t-1} σ'_f) W_hf + diag(C̃ σ'_i) W_hi + diag(i tanh'_C̃) W_hC
    ∂h_t/∂·       = diag(tanh(C_t) σ'_o) ∂z_o/∂·  +  diag(o (1 − tanh²C_t)) ∂C_t/∂·
"""

from __future__ import annotations

from functools import partial

import numpy as np

from app.cells.cifg import GATE_ROWS as CIFG_ROWS
from app.cells.cwrnn import CWRNNParams, CWRNNStep
from app.cells.gru import GRUParams, GRUStep
from app.cells.lstm import GATE_ROWS as LSTM_ROWS
from app.cells.lstm import LSTMStep
from app.cells.rnn import RNNStep
from app.cells.weights import Weights

Jacobians = tuple[np.ndarray, np.ndarray]  # (∂s_t/∂s_{t-1}, ∂s_t/∂x_t)


def rows(matrix: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """diag(scale) @ matrix, without building the diagonal."""
    return scale[:, None] * matrix


def lstm(
    params: Weights, prev: dict, record: LSTMStep, below: LSTMStep | None = None, rows_order=LSTM_ROWS
) -> Jacobians:
    """The LSTM's Jacobians, and its variants' through their extra terms: peepholes
    (p_f, p_i on C_{t-1} and p_o on C_t: ∂C_t/∂C_{t-1} gains σ'_f C_{t-1} p_f + σ'_i C̃ p_i,
    and z_o gains p_o ∂C_t/∂·), the coupled gate (i = 1 − f, so ∂C_t/∂z_f = (C_{t-1} − C̃) σ'_f)
    and the depth gate (d reads x and C_{t-1}: ∂C_t/∂C_{t-1} gains C_t^{L-1} σ'_d w_ld and
    ∂C_t/∂x gains diag(C_t^{L-1} σ'_d) W_xd; the cell below, `below`.c, is held fixed)."""
    c_prev = prev["c"].astype(np.float64)
    f, g, o, c = (getattr(record, n).astype(np.float64) for n in ("f", "c_tilde", "o", "c"))
    coupled = "i" not in rows_order
    i = 1 - f if coupled else record.i.astype(np.float64)
    blocks_h = dict(zip(rows_order, np.split(params.weight_hh.astype(np.float64), len(rows_order))))
    blocks_x = dict(zip(rows_order, np.split(params.weight_ih.astype(np.float64), len(rows_order))))
    no_peephole = np.zeros_like(f)
    p_f, p_i, p_o = (np.asarray(getattr(params, "peepholes", {}).get(gate, no_peephole), np.float64) for gate in "fio")
    dc_dzf = (c_prev - g if coupled else c_prev) * f * (1 - f)  # ∂C_t/∂z_f, diagonal
    dc_dzi = no_peephole if coupled else g * i * (1 - i)
    dc_dzg = i * (1 - g**2)

    def d_cell(blocks):  # ∂C_t through the gates' pre-activations
        rows_i = 0 if coupled else rows(blocks["i"], dc_dzi)
        return rows(blocks["f"], dc_dzf) + rows_i + rows(blocks["g"], dc_dzg)

    dc_dh, dc_dx = d_cell(blocks_h), d_cell(blocks_x)
    dc_dc = f + dc_dzf * p_f + dc_dzi * p_i
    depth = getattr(params, "depth", None)
    if depth is not None:
        d = record.d.astype(np.float64)
        dc_dzd = below.c.astype(np.float64) * d * (1 - d)
        dc_dc = dc_dc + dc_dzd * depth.weight_l
        dc_dx = dc_dx + rows(depth.weight_x.astype(np.float64), dc_dzd)
    dc_dc = np.diag(dc_dc)

    tanh_c = np.tanh(c)
    dh_dc = o * (1 - tanh_c**2)  # ∂h_t/∂C_t (diagonal)

    def d_output(w_o, dc):  # ∂h_t = σ'_o tanh(C_t) ∂z_o + o tanh'(C_t) ∂C_t, with z_o = W_o·[h, x] + p_o * C_t
        return rows(w_o + rows(dc, p_o), tanh_c * o * (1 - o)) + rows(dc, dh_dc)

    j_s = np.block([[dc_dc, dc_dh], [d_output(0, dc_dc), d_output(blocks_h["o"], dc_dh)]])  # (2H, 2H)
    j_x = np.vstack([dc_dx, d_output(blocks_x["o"], dc_dx)])  # (2H, X)
    return j_s, j_x


def rnn(params: Weights, prev: dict, record: RNNStep, below=None) -> Jacobians:
    slope = 1 - record.h.astype(np.float64) ** 2  # tanh'
    return rows(params.weight_hh.astype(np.float64), slope), rows(params.weight_ih.astype(np.float64), slope)


def gru(params: GRUParams, prev: dict, record: GRUStep, below=None) -> Jacobians:
    h_prev = prev["h"].astype(np.float64)
    z, r, n = (getattr(record, name).astype(np.float64) for name in ("z", "r", "h_tilde"))
    w_hr, w_hz, w_hn = np.split(params.weight_hh.astype(np.float64), 3)  # rows r, z, n
    w_xr, w_xz, w_xn = np.split(params.weight_ih.astype(np.float64), 3)
    dr_dh, dr_dx = rows(w_hr, r * (1 - r)), rows(w_xr, r * (1 - r))
    dz_dh, dz_dx = rows(w_hz, z * (1 - z)), rows(w_xz, z * (1 - z))
    slope = 1 - n**2
    if params.variant == "article":
        # n = tanh(W_xn x + W_hn (r * h_prev) + b);  h = (1 − z) h_prev + z n
        dn_dh = rows(w_hn * r[None, :] + w_hn @ np.diag(h_prev) @ dr_dh, slope)
        dn_dx = rows(w_xn + w_hn @ np.diag(h_prev) @ dr_dx, slope)
        j_s = np.diag(1 - z) + rows(dz_dh, n - h_prev) + rows(dn_dh, z)
        j_x = rows(dz_dx, n - h_prev) + rows(dn_dx, z)
    else:
        # n = tanh(W_xn x + b_in + r * (W_hn h_prev + b_hn));  h = (1 − z) n + z h_prev
        hidden_n = w_hn @ h_prev + params.bias_hn.astype(np.float64)
        dn_dh = rows(rows(w_hn, r) + rows(dr_dh, hidden_n), slope)
        dn_dx = rows(w_xn + rows(dr_dx, hidden_n), slope)
        j_s = np.diag(z) + rows(dz_dh, h_prev - n) + rows(dn_dh, 1 - z)
        j_x = rows(dz_dx, h_prev - n) + rows(dn_dx, 1 - z)
    return j_s, j_x


def cwrnn(params: CWRNNParams, prev: dict, record: CWRNNStep, below=None) -> Jacobians:
    """h_t = a * tanh(W_x x + (M ⊙ W_h) h_{t-1} + b) + (1 − a) * h_{t-1}, a = 1 on the units
    whose module ticks: an idle unit's row of J_s is the identity's (weight_hh is masked)."""
    active = record.active.astype(np.float64)
    slope = active * (1 - record.h.astype(np.float64) ** 2)
    return np.diag(1 - active) + rows(params.weight_hh.astype(np.float64), slope), rows(
        params.weight_ih.astype(np.float64), slope
    )


# cell name -> (the one-step Jacobians, the names of the state vectors stacked in s)
STEP_JACOBIANS = {
    "lstm": (lstm, ("c", "h")),
    "peephole": (lstm, ("c", "h")),
    "cifg": (partial(lstm, rows_order=CIFG_ROWS), ("c", "h")),
    "dglstm": (lstm, ("c", "h")),
    "rnn": (rnn, ("h",)),
    "gru": (gru, ("h",)),
    "cwrnn": (cwrnn, ("h",)),
}

"""Exact one-step Jacobians of the cells, for the gradient-flow view.

For a layer with state s_t and input x_t, one step gives J_s = ∂s_t/∂s_{t-1} and
J_x = ∂s_t/∂x_t, written out from the cell's equations (σ' = σ(1 − σ), tanh' = 1 − tanh²).
States are stacked as s = [C, h] for the LSTM and s = h for the RNN and the GRU. Each
function reads the step's record (the gate values) and the state it started from.

LSTM, with z_· the pre-activations and W_h·, W_x· the h- and x-parts of each gate's W:
    ∂C_t/∂C_{t-1} = diag(f)
    ∂C_t/∂h_{t-1} = diag(C_{t-1} σ'_f) W_hf + diag(C̃ σ'_i) W_hi + diag(i tanh'_C̃) W_hC
    ∂h_t/∂·       = diag(tanh(C_t) σ'_o) ∂z_o/∂·  +  diag(o (1 − tanh²C_t)) ∂C_t/∂·
"""

from __future__ import annotations

import numpy as np

from app.cells.gru import GRUParams, GRUStep
from app.cells.lstm import LSTMStep
from app.cells.rnn import RNNStep
from app.cells.weights import Weights

Jacobians = tuple[np.ndarray, np.ndarray]  # (∂s_t/∂s_{t-1}, ∂s_t/∂x_t)


def rows(matrix: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """diag(scale) @ matrix, without building the diagonal."""
    return scale[:, None] * matrix


def lstm(params: Weights, prev: dict, record: LSTMStep) -> Jacobians:
    c_prev = prev["c"].astype(np.float64)
    f, i, g, o, c = (getattr(record, n).astype(np.float64) for n in ("f", "i", "c_tilde", "o", "c"))
    blocks_h = np.split(params.weight_hh.astype(np.float64), 4)  # rows i, f, g, o
    blocks_x = np.split(params.weight_ih.astype(np.float64), 4)

    def d_cell(blocks):  # ∂C_t through the gates' pre-activations
        w_i, w_f, w_g, _ = blocks
        return rows(w_f, c_prev * f * (1 - f)) + rows(w_i, g * i * (1 - i)) + rows(w_g, i * (1 - g**2))

    tanh_c = np.tanh(c)
    dh_dc = o * (1 - tanh_c**2)  # ∂h_t/∂C_t (diagonal)

    def d_output(blocks, dc):
        return rows(blocks[3], tanh_c * o * (1 - o)) + rows(dc, dh_dc)

    dc_dh, dc_dx = d_cell(blocks_h), d_cell(blocks_x)
    dc_dc = np.diag(f)
    j_s = np.block([[dc_dc, dc_dh], [rows(dc_dc, dh_dc), d_output(blocks_h, dc_dh)]])  # (2H, 2H)
    j_x = np.vstack([dc_dx, d_output(blocks_x, dc_dx)])  # (2H, X)
    return j_s, j_x


def rnn(params: Weights, prev: dict, record: RNNStep) -> Jacobians:
    slope = 1 - record.h.astype(np.float64) ** 2  # tanh'
    return rows(params.weight_hh.astype(np.float64), slope), rows(params.weight_ih.astype(np.float64), slope)


def gru(params: GRUParams, prev: dict, record: GRUStep) -> Jacobians:
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


# cell name -> (the one-step Jacobians, the names of the state vectors stacked in s)
STEP_JACOBIANS = {"lstm": (lstm, ("c", "h")), "rnn": (rnn, ("h",)), "gru": (gru, ("h",))}

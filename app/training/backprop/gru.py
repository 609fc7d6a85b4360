"""Backpropagation through time for PyTorch's GRU (nn.GRU; gate rows r, z, n), the
variant that applies the reset gate after the matrix product and keeps b_hn apart:

    r = σ(W_ir·x + b_ir + W_hr·h_{t-1} + b_hr)
    z = σ(W_iz·x + b_iz + W_hz·h_{t-1} + b_hz)
    n = tanh(W_in·x + b_in + r * (W_hn·h_{t-1} + b_hn))          (the article's h̃)
    h_t = (1 − z) * n + z * h_{t-1}       (the article's z is PyTorch's 1 − z)

Backward, with dh = ∂L/∂h_t from above plus from step t+1, and a = W_hn·h_{t-1} + b_hn:
    dz_n  = dh * (1 − z) * (1 − n²)            input side of n
    dz_z  = dh * (h_{t-1} − n) * z(1 − z)
    dz_r  = dz_n * a * r(1 − r)
    hidden side: the r and z rows get dz_r, dz_z; the n rows get dz_n * r
    dh_{t-1} = dh * z + W_hhᵀ · (hidden side)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.cells.activations import sigmoid
from app.training.backprop.base import (
    LayerBackprop,
    LayerParams,
    State,
    hidden_side_grads,
    input_projection,
    input_side_grads,
)


@dataclass(frozen=True)
class GRUCache:
    xs: np.ndarray  # (T, B, X)
    gates: np.ndarray  # (T, B, 3H)  r, z, n after their nonlinearities
    a: np.ndarray  # (T, B, H)  W_hn·h_{t-1} + b_hn, before the reset gate
    hs: np.ndarray  # (T+1, B, H)  h_{-1} (the start state), h_0 … h_{T-1}


def forward(params: LayerParams, xs: np.ndarray, state: State) -> tuple[np.ndarray, GRUCache, State]:
    steps, batch, _ = xs.shape
    hidden = params["weight_hh"].shape[1]
    zx = input_projection(xs, params["weight_ih"], params["bias_ih"])  # (T, B, 3H)
    w_hh_t, b_hh = params["weight_hh"].T, params["bias_hh"]
    gates = np.empty_like(zx)
    a = np.empty((steps, batch, hidden), zx.dtype)
    hs = np.empty((steps + 1, batch, hidden), zx.dtype)
    (hs[0],) = state
    rz = slice(0, 2 * hidden)
    for t in range(steps):
        zh = hs[t] @ w_hh_t + b_hh  # (B, 3H)
        act = gates[t]
        act[:, rz] = sigmoid(zx[t, :, rz] + zh[:, rz])
        r, z = act[:, :hidden], act[:, hidden : 2 * hidden]
        a[t] = zh[:, 2 * hidden :]
        act[:, 2 * hidden :] = n = np.tanh(zx[t, :, 2 * hidden :] + r * a[t])
        hs[t + 1] = (1.0 - z) * n + z * hs[t]
    return hs[1:], GRUCache(xs, gates, a, hs), (hs[-1].copy(),)


def backward(params: LayerParams, cache: GRUCache, dhs: np.ndarray, need_dxs: bool = True) -> tuple[LayerParams, np.ndarray | None]:
    weight_hh = params["weight_hh"]  # (3H, H)
    hidden = weight_hh.shape[1]
    dzx = np.empty_like(cache.gates)  # (T, B, 3H)  input side
    dzh = np.empty_like(cache.gates)  # (T, B, 3H)  hidden side
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        r, z, n = np.split(cache.gates[t], 3, axis=1)
        h_prev = cache.hs[t]
        dh = dhs[t] + dh_next
        dz_n = dh * (1.0 - z) * (1.0 - n * n)
        dz_z = dh * (h_prev - n) * z * (1.0 - z)
        dz_r = dz_n * cache.a[t] * r * (1.0 - r)
        dzx[t, :, :hidden] = dzh[t, :, :hidden] = dz_r
        dzx[t, :, hidden : 2 * hidden] = dzh[t, :, hidden : 2 * hidden] = dz_z
        dzx[t, :, 2 * hidden :] = dz_n
        dzh[t, :, 2 * hidden :] = dz_n * r
        dh_next = dh * z + dzh[t] @ weight_hh
    d_weight_ih, d_bias_ih, dxs = input_side_grads(dzx, cache.xs, params["weight_ih"], need_dxs)
    d_weight_hh, d_bias_hh = hidden_side_grads(dzh, cache.hs[:-1])
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, "bias_ih": d_bias_ih, "bias_hh": d_bias_hh}
    return grads, dxs


GRU = LayerBackprop(name="gru", gate_blocks=3, state_size=1, forward=forward, backward=backward)

"""Backpropagation through time for the GRU of app/cells/gru.py, both forms (the model
file's `gru_variant`), over nn.GRU's rows r, z, n.

"pytorch" (nn.GRU): the reset gate applied after the matrix product, b_hn kept apart:

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

"article" (Cho et al.'s, the article's): reset before the product, every bias summed,
and z the other way round:

    h̃ = tanh(W_in·x + W_hn·(r * h_{t-1}) + b_n)
    h_t = (1 − z) * h_{t-1} + z * h̃

Backward:
    dz_n  = dh * z * (1 − h̃²)
    dz_z  = dh * (h̃ − h_{t-1}) * z(1 − z)
    d(r * h_{t-1}) = W_hnᵀ · dz_n,       dz_r = d(r * h_{t-1}) * h_{t-1} * r(1 − r)
    dh_{t-1} = dh * (1 − z) + d(r * h_{t-1}) * r + W_hr,hzᵀ · [dz_r, dz_z]
    dW_hn = Σ_t dz_n (r * h_{t-1})ᵀ; the r and z rows of W_hh as the pytorch form's
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from app.cells.activations import sigmoid
from app.cells.gru import VARIANT_KEY, check_variant
from app.training.backprop.base import (
    LayerBackprop,
    LayerParams,
    State,
    hidden_side_grads,
    input_projection,
    input_side_grads,
    zero_float_state,
)


@dataclass(frozen=True)
class GRUCache:
    xs: np.ndarray  # (T, B, X)
    gates: np.ndarray  # (T, B, 3H)  r, z, n after their nonlinearities
    a: np.ndarray | None  # (T, B, H)  W_hn·h_{t-1} + b_hn, before the reset gate (pytorch form)
    hs: np.ndarray  # (T+1, B, H)  h_{-1} (the start state), h_0 … h_{T-1}


def forward(params: LayerParams, xs: np.ndarray, state: State, below=None) -> tuple[np.ndarray, GRUCache, State]:
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


def backward(params: LayerParams, cache: GRUCache, dhs: np.ndarray, need_dxs: bool = True, dlink=None):
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
    return grads, dxs, None


def forward_article(
    params: LayerParams, xs: np.ndarray, state: State, below=None
) -> tuple[np.ndarray, GRUCache, State]:
    steps, batch, _ = xs.shape
    hidden = params["weight_hh"].shape[1]
    rz = slice(0, 2 * hidden)
    zx = input_projection(xs, params["weight_ih"], params["bias_ih"] + params["bias_hh"])  # (T, B, 3H)
    w_rz_t, w_n_t = params["weight_hh"][rz].T, params["weight_hh"][2 * hidden :].T  # (H, 2H), (H, H)
    gates = np.empty_like(zx)
    hs = np.empty((steps + 1, batch, hidden), zx.dtype)
    (hs[0],) = state
    for t in range(steps):
        h_prev, act = hs[t], gates[t]
        act[:, rz] = sigmoid(zx[t, :, rz] + h_prev @ w_rz_t)
        r, z = act[:, :hidden], act[:, hidden : 2 * hidden]
        act[:, 2 * hidden :] = n = np.tanh(zx[t, :, 2 * hidden :] + (r * h_prev) @ w_n_t)
        hs[t + 1] = (1.0 - z) * h_prev + z * n
    return hs[1:], GRUCache(xs, gates, None, hs), (hs[-1].copy(),)


def backward_article(params: LayerParams, cache: GRUCache, dhs: np.ndarray, need_dxs: bool = True, dlink=None):
    weight_hh = params["weight_hh"]  # (3H, H)
    hidden = weight_hh.shape[1]
    w_rz, w_n = weight_hh[: 2 * hidden], weight_hh[2 * hidden :]
    dz = np.empty_like(cache.gates)  # (T, B, 3H)  every gate's pre-activation
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        r, z, n = np.split(cache.gates[t], 3, axis=1)
        h_prev = cache.hs[t]
        dh = dhs[t] + dh_next
        dz[t, :, 2 * hidden :] = dz_n = dh * z * (1.0 - n * n)
        dz[t, :, hidden : 2 * hidden] = dh * (n - h_prev) * z * (1.0 - z)
        d_reset_h = dz_n @ w_n  # ∂L/∂(r * h_{t-1})
        dz[t, :, :hidden] = d_reset_h * h_prev * r * (1.0 - r)
        dh_next = dh * (1.0 - z) + d_reset_h * r + dz[t, :, : 2 * hidden] @ w_rz
    d_weight_ih, d_bias, dxs = input_side_grads(dz, cache.xs, params["weight_ih"], need_dxs)
    h_prev = cache.hs[:-1]
    d_weight_rz, _ = hidden_side_grads(dz[:, :, : 2 * hidden], h_prev)
    d_weight_n, _ = hidden_side_grads(dz[:, :, 2 * hidden :], cache.gates[:, :, :hidden] * h_prev)  # reads r * h_{t-1}
    grads = {
        "weight_ih": d_weight_ih,
        "weight_hh": np.concatenate([d_weight_rz, d_weight_n]),
        "bias_ih": d_bias,
        "bias_hh": d_bias.copy(),
    }
    return grads, dxs, None


def options(given: Mapping, hidden: int) -> dict:
    if set(given) - {VARIANT_KEY}:
        raise ValueError(f"a gru takes only {VARIANT_KEY!r}; got {', '.join(given)}")
    return {VARIANT_KEY: check_variant(given)}


def specialize(layer: LayerBackprop, options: Mapping) -> LayerBackprop:
    if options[VARIANT_KEY] == "article":
        return replace(layer, forward=forward_article, backward=backward_article)
    return layer


GRU = LayerBackprop(
    name="gru",
    forward=forward,
    backward=backward,
    zero_state_of=zero_float_state(1),
    options=options,
    specialize=specialize,
)

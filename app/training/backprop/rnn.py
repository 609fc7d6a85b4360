"""Backpropagation through time for the plain RNN of the article's §1 (nn.RNN with tanh):

    h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh)

Backward, with dh = ∂L/∂h_t from above plus from step t+1:
    dz_t     = dh * (1 − h_t²)
    dh_{t-1} = W_hhᵀ · dz_t
This repeated product by W_hhᵀ and tanh' ≤ 1 is why gradients vanish over long lags
(the article's §2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

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
class RNNCache:
    xs: np.ndarray  # (T, B, X)
    hs: np.ndarray  # (T+1, B, H)  h_{-1} (the start state), h_0 … h_{T-1}


def forward(params: LayerParams, xs: np.ndarray, state: State, below=None) -> tuple[np.ndarray, RNNCache, State]:
    steps, batch, _ = xs.shape
    zx = input_projection(xs, params["weight_ih"], params["bias_ih"] + params["bias_hh"])  # (T, B, H)
    w_hh_t = params["weight_hh"].T
    hs = np.empty((steps + 1, batch, zx.shape[-1]), zx.dtype)
    (hs[0],) = state
    for t in range(steps):
        hs[t + 1] = np.tanh(zx[t] + hs[t] @ w_hh_t)
    return hs[1:], RNNCache(xs, hs), (hs[-1].copy(),)


def backward(params: LayerParams, cache: RNNCache, dhs: np.ndarray, need_dxs: bool = True, dlink=None):
    weight_hh = params["weight_hh"]
    dz = np.empty_like(dhs)  # (T, B, H)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        h = cache.hs[t + 1]
        dz[t] = (dhs[t] + dh_next) * (1.0 - h * h)
        dh_next = dz[t] @ weight_hh
    d_weight_ih, d_bias, dxs = input_side_grads(dz, cache.xs, params["weight_ih"], need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, cache.hs[:-1])
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, "bias_ih": d_bias, "bias_hh": d_bias.copy()}
    return grads, dxs, None


RNN = LayerBackprop(name="rnn", forward=forward, backward=backward, zero_state_of=zero_float_state(1))

"""Backpropagation through time for the LSTM of app/cells/lstm.py (nn.LSTM's layout:
gate rows i, f, g (= C̃), o; z = W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh).

Forward, as in the article:
    i, f, o = σ(z_i), σ(z_f), σ(z_o)      C̃ = tanh(z_g)
    C_t = f * C_{t-1} + i * C̃             h_t = o * tanh(C_t)

Backward, step t from the last to the first, with dh = ∂L/∂h_t (from above plus from
step t+1) and dC_t arriving from step t+1:
    dC_t     += dh * o * (1 − tanh²(C_t))
    dz_o      = dh * tanh(C_t) * o(1 − o)
    dz_i      = dC_t * C̃ * i(1 − i)
    dz_f      = dC_t * C_{t-1} * f(1 − f)
    dz_g      = dC_t * i * (1 − C̃²)
    dC_{t-1}  = dC_t * f
    dh_{t-1}  = W_hhᵀ · dz
Then over all steps at once: dW_hh = Σ_t dz_t h_{t-1}ᵀ, dW_ih = Σ_t dz_t x_tᵀ,
db_ih = db_hh = Σ_t dz_t, dx_t = W_ihᵀ · dz_t.
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
class LSTMCache:
    xs: np.ndarray  # (T, B, X)
    gates: np.ndarray  # (T, B, 4H)  i, f, C̃, o after their nonlinearities
    cs: np.ndarray  # (T+1, B, H)  C_{-1} (the start state), C_0 … C_{T-1}
    hs: np.ndarray  # (T+1, B, H)  h likewise
    tanh_cs: np.ndarray  # (T, B, H)  tanh(C_t)


def forward(params: LayerParams, xs: np.ndarray, state: State) -> tuple[np.ndarray, LSTMCache, State]:
    steps, batch, _ = xs.shape
    hidden = params["weight_hh"].shape[1]
    zx = input_projection(xs, params["weight_ih"], params["bias_ih"] + params["bias_hh"])  # (T, B, 4H)
    w_hh_t = params["weight_hh"].T  # (H, 4H)
    gates = np.empty_like(zx)
    cs = np.empty((steps + 1, batch, hidden), zx.dtype)
    hs = np.empty_like(cs)
    tanh_cs = np.empty((steps, batch, hidden), zx.dtype)
    cs[0], hs[0] = state
    g = slice(2 * hidden, 3 * hidden)
    for t in range(steps):
        z = zx[t] + hs[t] @ w_hh_t  # (B, 4H)
        act = gates[t]
        act[:] = sigmoid(z)  # i, f, o (and g, overwritten next)
        act[:, g] = np.tanh(z[:, g])
        i, f, c_tilde, o = np.split(act, 4, axis=1)
        cs[t + 1] = f * cs[t] + i * c_tilde
        tanh_cs[t] = np.tanh(cs[t + 1])
        hs[t + 1] = o * tanh_cs[t]
    cache = LSTMCache(xs, gates, cs, hs, tanh_cs)
    return hs[1:], cache, (cs[-1].copy(), hs[-1].copy())


def backward(params: LayerParams, cache: LSTMCache, dhs: np.ndarray, need_dxs: bool = True) -> tuple[LayerParams, np.ndarray | None]:
    weight_hh = params["weight_hh"]  # (4H, H)
    hidden = weight_hh.shape[1]
    dz = np.empty_like(cache.gates)  # (T, B, 4H)
    dh_next = np.zeros_like(dhs[0])  # ∂L/∂h_t through step t+1
    dc_next = np.zeros_like(dhs[0])  # ∂L/∂C_t through step t+1
    for t in reversed(range(len(dhs))):
        i, f, c_tilde, o = np.split(cache.gates[t], 4, axis=1)
        tanh_c = cache.tanh_cs[t]
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
        dz_t = dz[t]
        dz_t[:, :hidden] = dc * c_tilde * i * (1.0 - i)
        dz_t[:, hidden : 2 * hidden] = dc * cache.cs[t] * f * (1.0 - f)
        dz_t[:, 2 * hidden : 3 * hidden] = dc * i * (1.0 - c_tilde * c_tilde)
        dz_t[:, 3 * hidden :] = dh * tanh_c * o * (1.0 - o)
        dc_next = dc * f
        dh_next = dz_t @ weight_hh  # (B, H)
    d_weight_ih, d_bias, dxs = input_side_grads(dz, cache.xs, params["weight_ih"], need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, cache.hs[:-1])
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, "bias_ih": d_bias, "bias_hh": d_bias.copy()}
    return grads, dxs


def forget_bias_one(bias: np.ndarray, hidden: int) -> None:
    """Start the forget gate near open (b_f += 1, Jozefowicz et al. 2015): the belt
    keeps what it holds until training teaches it to drop something."""
    bias[hidden : 2 * hidden] += 1.0


LSTM = LayerBackprop(name="lstm", gate_blocks=4, state_size=2, forward=forward, backward=backward, init_bias=forget_bias_one)

"""Backpropagation through time for the LSTM of app/cells/lstm.py (nn.LSTM's layout:
gate rows i, f, g (= C̃), o; z = W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh), and the one
implementation its variants share: peepholes, the coupled gate (cifg) and the depth
gate (dglstm) are extra terms here, each switched on by the arrays the layer has (or, for
the coupled gate, by its row layout), and written out in their own modules' docstrings.

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
from app.cells.lstm import GATE_ROWS
from app.training.backprop.base import (
    LayerBackprop,
    LayerParams,
    State,
    hidden_side_grads,
    input_projection,
    input_side_grads,
    per_unit_grad,
    zero_float_state,
)

LSTM_ROWS = GATE_ROWS  # a cell whose rows have no "i" couples it to f (cifg)


@dataclass(frozen=True)
class LSTMCache:
    xs: np.ndarray  # (T, B, X)
    gates: np.ndarray  # (T, B, G·H)  the gate blocks after their nonlinearities (C̃ as g)
    cs: np.ndarray  # (T+1, B, H)  C_{-1} (the start state), C_0 … C_{T-1}
    hs: np.ndarray  # (T+1, B, H)  h likewise
    tanh_cs: np.ndarray  # (T, B, H)  tanh(C_t)
    ds: np.ndarray | None = None  # (T, B, H)  the depth gate (dglstm above its bottom layer)
    c_below: np.ndarray | None = None  # (T, B, H)  C_t of the layer below, which d lets in


def blocks(rows: tuple[str, ...], hidden: int) -> dict[str, slice]:
    """Each gate's columns in a (·, G·H) array."""
    return {name: slice(k * hidden, (k + 1) * hidden) for k, name in enumerate(rows)}


def forward(
    params: LayerParams, xs: np.ndarray, state: State, below: LSTMCache | None = None, rows: tuple[str, ...] = LSTM_ROWS
) -> tuple[np.ndarray, LSTMCache, State]:
    steps, batch, _ = xs.shape
    hidden = params["weight_hh"].shape[1]
    zx = input_projection(xs, params["weight_ih"], params["bias_ih"] + params["bias_hh"])  # (T, B, G·H)
    w_hh_t = params["weight_hh"].T  # (H, G·H)
    gates = np.empty_like(zx)
    cs = np.empty((steps + 1, batch, hidden), zx.dtype)
    hs = np.empty_like(cs)
    tanh_cs = np.empty((steps, batch, hidden), zx.dtype)
    cs[0], hs[0] = state
    at = blocks(rows, hidden)
    coupled = "i" not in at
    p_f, p_i, p_o = (params.get(f"peephole_{gate}") for gate in "fio")
    ds = c_below = None
    if "depth_bias" in params:  # d's pre-activation but for w_ld * C_{t-1}, all steps at once
        c_below = below.cs[1:]
        zd = input_projection(xs, params["depth_weight_x"], params["depth_bias"]) + params["depth_weight_c"] * c_below
        ds = np.empty_like(zd)
    for t in range(steps):
        z = zx[t] + hs[t] @ w_hh_t  # (B, G·H)
        c_prev = cs[t]
        if p_f is not None:
            z[:, at["f"]] += p_f * c_prev
        if p_i is not None:
            z[:, at["i"]] += p_i * c_prev
        act = gates[t]
        act[:] = sigmoid(z)  # i, f, o (and g, overwritten next)
        act[:, at["g"]] = np.tanh(z[:, at["g"]])
        f, c_tilde = act[:, at["f"]], act[:, at["g"]]
        i = 1.0 - f if coupled else act[:, at["i"]]
        c = cs[t + 1]
        np.add(f * c_prev, i * c_tilde, out=c)
        if ds is not None:
            ds[t] = sigmoid(zd[t] + params["depth_weight_l"] * c_prev)
            c += ds[t] * c_below[t]
        if p_o is not None:  # the output gate sees the new C_t
            act[:, at["o"]] = sigmoid(z[:, at["o"]] + p_o * c)
        tanh_cs[t] = np.tanh(c)
        hs[t + 1] = act[:, at["o"]] * tanh_cs[t]
    cache = LSTMCache(xs, gates, cs, hs, tanh_cs, ds, c_below)
    return hs[1:], cache, (cs[-1].copy(), hs[-1].copy())


def backward(
    params: LayerParams,
    cache: LSTMCache,
    dhs: np.ndarray,
    need_dxs: bool = True,
    dlink: np.ndarray | None = None,
    rows: tuple[str, ...] = LSTM_ROWS,
):
    """The LSTM's backward pass above, with each variant's extra terms where its arrays
    are (see peephole.py, cifg.py, dglstm.py); `dlink` (T, B, H) is ∂L/∂C_t through the
    depth gate of the layer above, and the returned dlink is ∂L/∂C_t of the layer below."""
    weight_hh = params["weight_hh"]  # (G·H, H)
    hidden = weight_hh.shape[1]
    at = blocks(rows, hidden)
    coupled = "i" not in at
    p_f, p_i, p_o = (params.get(f"peephole_{gate}") for gate in "fio")
    ds, c_below = cache.ds, cache.c_below
    dz = np.empty_like(cache.gates)  # (T, B, G·H)
    dzd = None if ds is None else np.empty_like(ds)  # (T, B, H)  the depth gate's pre-activation
    dlink_below = None if ds is None else np.empty_like(ds)
    dh_next = np.zeros_like(dhs[0])  # ∂L/∂h_t through step t+1
    dc_next = np.zeros_like(dhs[0])  # ∂L/∂C_t through step t+1
    for t in reversed(range(len(dhs))):
        act, dz_t = cache.gates[t], dz[t]
        f, c_tilde, o = act[:, at["f"]], act[:, at["g"]], act[:, at["o"]]
        i = 1.0 - f if coupled else act[:, at["i"]]
        c_prev, tanh_c = cache.cs[t], cache.tanh_cs[t]
        dh = dhs[t] + dh_next
        dc = dc_next + dh * o * (1.0 - tanh_c * tanh_c)
        if dlink is not None:
            dc += dlink[t]
        dz_t[:, at["o"]] = dz_o = dh * tanh_c * o * (1.0 - o)
        if p_o is not None:
            dc += dz_o * p_o
        dz_t[:, at["g"]] = dc * i * (1.0 - c_tilde * c_tilde)
        if coupled:  # i = 1 − f: f reaches C_t twice, dC_t/df = C_{t-1} − C̃
            dz_t[:, at["f"]] = dc * (c_prev - c_tilde) * f * (1.0 - f)
        else:
            dz_t[:, at["i"]] = dc * c_tilde * i * (1.0 - i)
            dz_t[:, at["f"]] = dc * c_prev * f * (1.0 - f)
        dc_next = dc * f
        if p_f is not None:
            dc_next += dz_t[:, at["f"]] * p_f
        if p_i is not None:
            dc_next += dz_t[:, at["i"]] * p_i
        if ds is not None:
            d = ds[t]
            dzd[t] = dc * c_below[t] * d * (1.0 - d)
            dlink_below[t] = dc * d + dzd[t] * params["depth_weight_c"]  # ∂L/∂C_t of the layer below
            dc_next += dzd[t] * params["depth_weight_l"]
        dh_next = dz_t @ weight_hh  # (B, H)
    d_weight_ih, d_bias, dxs = input_side_grads(dz, cache.xs, params["weight_ih"], need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, cache.hs[:-1])
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh, "bias_ih": d_bias, "bias_hh": d_bias.copy()}
    seen = {"f": cache.cs[:-1], "i": cache.cs[:-1], "o": cache.cs[1:]}  # the C each peephole reads
    for gate, p in zip("fio", (p_f, p_i, p_o)):
        if p is not None:
            grads[f"peephole_{gate}"] = per_unit_grad(dz[:, :, at[gate]], seen[gate])
    if ds is not None:
        d_weight_x, grads["depth_bias"], dxs_depth = input_side_grads(dzd, cache.xs, params["depth_weight_x"], need_dxs)
        grads["depth_weight_x"] = d_weight_x
        grads["depth_weight_c"] = per_unit_grad(dzd, c_below)
        grads["depth_weight_l"] = per_unit_grad(dzd, cache.cs[:-1])
        if need_dxs:
            dxs += dxs_depth
    return grads, dxs, dlink_below


def forget_gate(rows: tuple[str, ...]) -> dict:
    """A LayerBackprop's forget-gate fields for a cell with gate blocks `rows`: where f's
    rows are (for --forget-decay), and an initial b_f += 1 (Jozefowicz et al. 2015) so the
    belt keeps what it holds until training teaches it to drop something."""

    def forget_rows(hidden: int) -> slice:
        return blocks(rows, hidden)["f"]

    def adjust(params: LayerParams, hidden: int) -> None:
        params["bias_ih"][forget_rows(hidden)] += 1.0

    return {"forget_rows": forget_rows, "adjust_init": adjust}


LSTM = LayerBackprop(
    name="lstm", forward=forward, backward=backward, zero_state_of=zero_float_state(2), **forget_gate(LSTM_ROWS)
)

"""Backpropagation through time for the clockwork RNN (app/cells/cwrnn.py): the plain
RNN's passes (rnn.py) where only the modules whose period divides the step update.

With a_t = 1 on the units of the modules that tick at step t (t mod T_g = 0) and 0 on
the others, and W_hh masked to its block-upper-triangular form M ⊙ W_hh:

    h_t      = a_t * tanh(W_ih·x_t + b + (M ⊙ W_hh)·h_{t-1}) + (1 − a_t) * h_{t-1}
    dz_t     = dh * a_t * (1 − h_t²)
    dh_{t-1} = dh * (1 − a_t) + (M ⊙ W_hh)ᵀ · dz_t           an idle unit passes dh on unchanged
    dW_hh    = M ⊙ Σ_t dz_t h_{t-1}ᵀ                          masked weights stay at 0

The state carries each sequence's clock, (B,) ints: the step about to run, counted from
the start of the sequence, so windows that continue a stream keep the modules' phase.
The periods are the model's option "periods" (default: 1, 2, 4, 8, as many modules as
split H evenly, up to 4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import partial

import numpy as np

from app.cells.cwrnn import CWRNN as CELL
from app.cells.cwrnn import check_periods, recurrent_mask
from app.models.seeded import default_options
from app.training.backprop.base import (
    LayerBackprop,
    LayerParams,
    State,
    hidden_side_grads,
    input_projection,
    input_side_grads,
)
from app.training.backprop.rnn import RNNCache


@dataclass(frozen=True)
class CWRNNCache(RNNCache):  # xs, hs, and:
    active: np.ndarray  # (T, B, H)  a_t: 1.0 where the unit's module ticks at step t


def ticks(periods: np.ndarray, hidden: int, clock: np.ndarray, steps: int, dtype) -> np.ndarray:
    """a_t for steps clock … clock + T − 1 of each sequence: (T, B, H)."""
    unit_periods = np.repeat(periods, hidden // len(periods))  # (H,)
    t = clock[None, :] + np.arange(steps)[:, None]  # (T, B)
    return (t[:, :, None] % unit_periods == 0).astype(dtype)


def forward(
    params: LayerParams, xs: np.ndarray, state: State, below=None, periods=(1,)
) -> tuple[np.ndarray, CWRNNCache, State]:
    steps, batch, _ = xs.shape
    h_start, clock = state
    hidden = params["weight_hh"].shape[1]
    periods = np.asarray(periods)
    zx = input_projection(xs, params["weight_ih"], params["bias_ih"] + params["bias_hh"])  # (T, B, H)
    w_hh_t = (params["weight_hh"] * recurrent_mask(periods, hidden)).T
    active = ticks(periods, hidden, clock, steps, zx.dtype)
    hs = np.empty((steps + 1, batch, hidden), zx.dtype)
    hs[0] = h_start
    for t in range(steps):
        candidate = np.tanh(zx[t] + hs[t] @ w_hh_t)
        hs[t + 1] = np.where(active[t] > 0, candidate, hs[t])
    return hs[1:], CWRNNCache(xs, hs, active), (hs[-1].copy(), clock + steps)


def backward(params: LayerParams, cache: CWRNNCache, dhs: np.ndarray, need_dxs: bool = True, dlink=None, periods=(1,)):
    hidden = params["weight_hh"].shape[1]
    mask = recurrent_mask(np.asarray(periods), hidden)
    weight_hh = params["weight_hh"] * mask
    dz = np.empty_like(dhs)  # (T, B, H)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        h, active = cache.hs[t + 1], cache.active[t]
        dh = dhs[t] + dh_next
        dz[t] = dh * active * (1.0 - h * h)
        dh_next = dh * (1.0 - active) + dz[t] @ weight_hh
    d_weight_ih, d_bias, dxs = input_side_grads(dz, cache.xs, params["weight_ih"], need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, cache.hs[:-1])
    grads = {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh * mask, "bias_ih": d_bias, "bias_hh": d_bias.copy()}
    return grads, dxs, None


def zero_state(batch: int, hidden: int, dtype=np.float32) -> State:
    return np.zeros((batch, hidden), dtype), np.zeros(batch, np.int64)  # h, and every clock at step 0


def options(given: Mapping, hidden: int) -> dict:
    if set(given) - {"periods"}:
        raise ValueError(f"a clockwork RNN takes only 'periods'; got {', '.join(given)}")
    periods = given.get("periods", default_options(CELL, hidden)["periods"])
    return {"periods": check_periods(periods, hidden).tolist()}


def mask_recurrent_weights(params: LayerParams, hidden: int, periods=(1,)) -> None:
    """Zero what the mask drops, so the model file holds the weights the cell uses."""
    params["weight_hh"] *= recurrent_mask(np.asarray(periods), hidden)


def specialize(layer: LayerBackprop, options: Mapping) -> LayerBackprop:
    periods = tuple(options["periods"])
    return replace(
        layer,
        forward=partial(forward, periods=periods),
        backward=partial(backward, periods=periods),
        adjust_init=partial(mask_recurrent_weights, periods=periods),
    )


CWRNN = LayerBackprop(
    name="cwrnn", forward=forward, backward=backward, zero_state_of=zero_state, options=options, specialize=specialize
)

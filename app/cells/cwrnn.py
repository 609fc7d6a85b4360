"""The clockwork RNN (Koutník et al. 2014): a plain RNN whose hidden units are split
into G equal modules that tick at different speeds, periods T_1 ≤ T_2 ≤ … (1, 2, 4, …).

At step t (counted from 0 over the whole trace) module g updates only if t mod T_g = 0;
otherwise it keeps its value:

    h_t^(g) = tanh(W^(g) · [h_{t-1}, x_t] + b^(g))     if t mod T_g = 0
    h_t^(g) = h_{t-1}^(g)                              otherwise

A module reads the input and only the modules at least as slow as itself (T_j ≥ T_g):
fast modules listen to slow ones, never the reverse. With the modules in order of
period, W_hh is block-upper-triangular; block (g, j) of H/G × H/G is kept where
T_j ≥ T_g and is zero elsewhere (any values a file holds there are masked off).

Weights are nn.RNN's (one gate block, G = 1 in weights.py's sense); the periods are the
model file's `rnn.periods`, an int array (G,), shared by every layer. The state carries
t, so a trace continued by appending keeps the clock (in training, each sequence of a
batch has its own: t is then (B,)). Each step also reports `active`, a_t: 1 for the
units whose module updated and 0 for the idle ones.

Backward, with W_hh masked to M ⊙ W_hh:
    h_t      = a_t * tanh(W_ih·x_t + b + (M ⊙ W_hh)·h_{t-1}) + (1 − a_t) * h_{t-1}
    dz_t     = dh * a_t * (1 − h_t²)
    dh_{t-1} = dh * (1 − a_t) + (M ⊙ W_hh)ᵀ · dz_t           an idle unit passes dh on unchanged
    dW_hh    = M ⊙ Σ_t dz_t h_{t-1}ᵀ                          masked weights stay at 0
and the one-step Jacobian: an idle unit's row of ∂h_t/∂h_{t-1} is the identity's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import ClassVar, NamedTuple

import numpy as np
from numpy.typing import DTypeLike

from app.cells.base import Cell, Fix, InvalidOption, Jacobians, StepRecord, Tape, keep
from app.cells.equations import PERIOD, STEP, Figure, Stage, W, b, cases, cat, mod, num, tanh, v
from app.cells.gradients import both_biases, f64, hidden_side_grads, input_side_grads, scale_rows
from app.cells.sums import LayerSum, gate_sums
from app.cells.weights import DTYPE, Weights, preactivation, weights_from_arrays

PERIODS_KEY = "rnn.periods"


class ClockState(NamedTuple):
    h: np.ndarray  # (H,) or (B, H)  h_{t-1}
    t: int | np.ndarray  # the step about to run; (B,) for a batch


@dataclass(frozen=True)
class CWRNNParams(Weights):
    """nn.RNN's weights with weight_hh already masked to the block-upper-triangular form."""

    periods: np.ndarray  # (G,)  T_g, one per module

    @property
    def unit_periods(self) -> np.ndarray:
        return np.repeat(self.periods, self.hidden_size // len(self.periods))  # (H,)  each unit's module's T


@dataclass(frozen=True)
class CWRNNStep(StepRecord):
    STATES: ClassVar[tuple[str, ...]] = ("h",)
    EXTRAS: ClassVar[tuple[str, ...]] = ("active",)

    h: np.ndarray  # (H,)
    active: np.ndarray  # (H,)  a_t: 1.0 where the unit's module updated at this step, 0.0 where it idled
    t: int | np.ndarray

    def state(self) -> ClockState:
        return ClockState(self.h, self.t + 1)


def zero_state(hidden_size: int, dtype: DTypeLike = DTYPE, batch: int | None = None) -> ClockState:
    if batch is None:
        return ClockState(np.zeros(hidden_size, dtype), 0)
    return ClockState(np.zeros((batch, hidden_size), dtype), np.zeros(batch, np.int64))  # every clock at step 0


def step_projected(params: CWRNNParams, state: ClockState, zx: np.ndarray, fix: Fix = keep) -> CWRNNStep:
    t = state.t[:, None] if isinstance(state.t, np.ndarray) and state.t.ndim else state.t  # a batch's clocks (B,)
    active = t % params.unit_periods == 0  # (H,) or (B, H)
    h = fix("h", np.where(active, np.tanh(preactivation(params, state.h, zx)), state.h))
    return CWRNNStep(h=h, active=active.astype(h.dtype), t=state.t)


def recurrent_mask(periods: np.ndarray, hidden: int) -> np.ndarray:
    """1 where module g (rows) reads module j (columns), i.e. T_j ≥ T_g; (H, H)."""
    size = hidden // len(periods)
    reads = periods[None, :] >= periods[:, None]  # (G, G)
    return np.kron(reads, np.ones((size, size))).astype(DTYPE)


def check_periods(periods, hidden: int) -> np.ndarray:
    periods = np.asarray(periods)
    if periods.ndim != 1 or periods.dtype.kind not in "iu" or len(periods) == 0:
        raise InvalidOption(f"{PERIODS_KEY!r} must be a non-empty 1-D int array (G,) of module periods, e.g. [1, 2, 4]")
    if (periods < 1).any() or (np.diff(periods) < 0).any():
        raise InvalidOption(f"{PERIODS_KEY!r} must be positive and in increasing order; got {periods.tolist()}")
    if hidden % len(periods):
        raise InvalidOption(f"{PERIODS_KEY!r}: {hidden} hidden units do not split into {len(periods)} equal modules")
    return periods.astype(np.int64)


def read_options(arrays: Mapping[str, np.ndarray], hidden: int) -> dict:
    if PERIODS_KEY not in arrays:
        raise InvalidOption(f"missing key {PERIODS_KEY!r} (an int array (G,) of module periods, e.g. [1, 2, 4])")
    return {"periods": check_periods(arrays[PERIODS_KEY], hidden).tolist()}


def backward(params: CWRNNParams, tape: Tape, dhs: np.ndarray, need_dxs: bool = True, dlink=None):
    mask = recurrent_mask(params.periods, params.hidden_size)
    dz = np.empty_like(dhs)  # (T, B, H)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(dhs))):
        record = tape.records[t]
        h, active = record.h, record.active
        dh = dhs[t] + dh_next
        dz[t] = dh * active * (1.0 - h * h)
        dh_next = dh * (1.0 - active) + dz[t] @ params.weight_hh  # (masked already)
    d_weight_ih, d_bias, dxs = input_side_grads(dz, tape.xs, params.weight_ih, need_dxs)
    d_weight_hh, _ = hidden_side_grads(dz, tape.stack_before("h"))
    return {"weight_ih": d_weight_ih, "weight_hh": d_weight_hh * mask, **both_biases(d_bias)}, dxs, None


def jacobian(params: CWRNNParams, prev: dict, record: CWRNNStep, below=None) -> Jacobians:
    """h_t = a * tanh(W_x x + (M ⊙ W_h) h_{t-1} + b) + (1 − a) * h_{t-1}, a = 1 on the units
    whose module ticks: an idle unit's row of J_s is the identity's (weight_hh is masked)."""
    active = f64(record.active)
    slope = active * (1 - f64(record.h) ** 2)
    return np.diag(1 - active) + scale_rows(f64(params.weight_hh), slope), scale_rows(f64(params.weight_ih), slope)


def layer_sums(params: CWRNNParams, prev: dict, record: CWRNNStep, x: np.ndarray, below, unit: int) -> list[LayerSum]:
    """The tanh layer's W · [h_{t-1}, x_t] + b for `unit` (W_hh masked: it reads only the
    modules at least as slow as its own); used only where the unit's module ticks."""
    (layer,) = gate_sums(params, unit, prev["h"], x, record, [("layer", "h", "tanh")])
    return [replace(layer, used=bool(record.active[unit]))]


def options_with_defaults(given: Mapping, hidden: int) -> dict:
    """The periods given, or 1, 2, 4, 8 for as many modules (up to 4) as split H evenly."""
    if set(given) - {"periods"}:
        raise InvalidOption(f"a clockwork RNN takes only 'periods'; got {', '.join(given)}")
    modules = next(g for g in (4, 2, 1) if hidden % g == 0)
    periods = given.get("periods", [2**g for g in range(modules)])
    return {"periods": check_periods(periods, hidden).tolist()}


def mask_recurrent_weights(arrays: dict[str, np.ndarray], hidden: int, options: Mapping) -> None:
    """Zero what the mask drops, so a freshly drawn model holds the weights the cell uses."""
    arrays["weight_hh"] *= recurrent_mask(np.asarray(options["periods"]), hidden)


def params_from_arrays(
    arrays: Mapping[str, np.ndarray], layer: int, options: Mapping, dtype: DTypeLike = DTYPE
) -> CWRNNParams:
    weights = weights_from_arrays(arrays, layer, dtype=dtype)
    periods = check_periods(options["periods"], weights.hidden_size)
    weight_hh = weights.weight_hh * recurrent_mask(periods, weights.hidden_size)
    return CWRNNParams(weights.weight_ih, weight_hh, weights.bias, periods)


def options(params: CWRNNParams) -> dict:
    return {"periods": params.periods.tolist()}


def options_to_arrays(options: Mapping) -> dict[str, np.ndarray]:
    return {PERIODS_KEY: np.asarray(options["periods"], np.int64)}


# --- the walk-through: which modules tick at this t, then the update -------------------

TICKS = mod(STEP, PERIOD) == num(0)  # t mod T_g = 0: module g updates at step t


def figures(options: Mapping) -> tuple[Figure, ...]:
    periods = ", ".join(str(period) for period in options["periods"])
    return (replace(FIGURE, notes=(("note_cwrnn", {"periods": periods}),)),)


FIGURE = Figure(
    family="clockwork",
    label="diagram_cwrnn",
    parts=("modules", "layer", "clock"),
    stages=(
        Stage(
            key="clock",
            parts=("modules", "clock"),
            vectors=("h_prev", "h"),
            equations=(v("active") == cases(num(1), TICKS, num(0)),),
            story=((("active", ">", 0.5), "story_clock_tick"), (None, "story_clock_idle")),
            notes=("note_clock_periods",),
        ),
        Stage(
            key="clock_update",
            parts=("modules", "layer", "clock"),
            vectors=("h_prev", "x", "h", "h_top"),
            equations=(v("h") == cases(tanh(W() @ cat(v("h_prev"), v("x")) + b()), TICKS, v("h_prev")),),
            story=((("active", ">", 0.5), "story_clock_update_tick"), (None, "story_clock_update_idle")),
            notes=("note_clock_reads",),
        ),
    ),
)

CWRNN = Cell(
    name="cwrnn",
    title="Clockwork RNN",
    record=CWRNNStep,
    gate_rows=("h",),
    zero_state=zero_state,
    step_projected=step_projected,
    backward=backward,
    jacobian=jacobian,
    figures=figures,
    check_options=options_with_defaults,
    constrain=mask_recurrent_weights,
    params_from_arrays=params_from_arrays,
    read_options=read_options,
    options=options,
    options_to_arrays=options_to_arrays,
    layer_sums=layer_sums,
)

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
t, so a trace continued by appending keeps the clock. Each step also reports `active`,
1 for the units whose module updated and 0 for the idle ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from app.cells.base import Cell, InvalidOption, StepRecord
from app.cells.weights import DTYPE, Weights, preactivation, weights_from_arrays

PERIODS_KEY = "rnn.periods"


class ClockState(NamedTuple):
    h: np.ndarray  # (H,)  h_{t-1}
    t: int  # the step about to run


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
    active: np.ndarray  # (H,)  1.0 where the unit's module updated at this step, 0.0 where it idled
    t: int

    def state(self) -> ClockState:
        return ClockState(self.h, self.t + 1)


def zero_state(hidden_size: int, dtype: np.dtype = DTYPE) -> ClockState:
    return ClockState(np.zeros(hidden_size, dtype), 0)


def step_projected(params: CWRNNParams, state: ClockState, zx: np.ndarray) -> CWRNNStep:
    active = state.t % params.unit_periods == 0  # (H,)
    h = np.where(active, np.tanh(preactivation(params, state.h, zx)), state.h)
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


def params_from_arrays(arrays: Mapping[str, np.ndarray], layer: int, options: Mapping) -> CWRNNParams:
    weights = weights_from_arrays(arrays, layer)
    periods = check_periods(options["periods"], weights.hidden_size)
    weight_hh = weights.weight_hh * recurrent_mask(periods, weights.hidden_size)
    return CWRNNParams(weights.weight_ih, weight_hh, weights.bias, periods)


def options(params: CWRNNParams) -> dict:
    return {"periods": params.periods.tolist()}


def options_to_arrays(options: Mapping) -> dict[str, np.ndarray]:
    return {PERIODS_KEY: np.asarray(options["periods"], np.int64)}


CWRNN = Cell(
    name="cwrnn",
    title="Clockwork RNN",
    record=CWRNNStep,
    gate_blocks=1,
    zero_state=zero_state,
    step_projected=step_projected,
    params_from_arrays=params_from_arrays,
    read_options=read_options,
    options=options,
    options_to_arrays=options_to_arrays,
)

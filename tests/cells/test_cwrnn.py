"""The clockwork RNN: modules of periods T_g update when t mod T_g = 0; fast read slow."""

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from app.cells.base import InvalidOption
from app.cells.cwrnn import CWRNN
from tests.cells.naive import (
    assert_steps_match,
    dot,
    draw_weights,
    stacked,
    trace_layer,
)

PERIOD_SETS = [[1], [1, 2], [1, 2, 4], [1, 3, 3, 8]]


def naive_cwrnn(arrays, periods, xs, hidden, t0=0, h0=None):
    """Unit u belongs to module u // size; it reads unit k only if k's module is at
    least as slow as its own; it updates only on its module's ticks."""
    size = hidden // len(periods)
    w_ih, w_hh, b_ih, b_hh = (arrays[f"{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))
    h = list(h0) if h0 is not None else [0.0] * hidden
    out = []
    for t, x in enumerate(xs, start=t0):
        new_h, active = [], []
        for u in range(hidden):
            period = periods[u // size]
            if t % period:
                new_h.append(h[u])
                active.append(0.0)
                continue
            read = sum(float(w_hh[u, k]) * h[k] for k in range(hidden) if periods[k // size] >= period)
            new_h.append(math.tanh(dot(w_ih, u, x) + read + float(b_ih[u]) + float(b_hh[u])))
            active.append(1.0)
        h = new_h
        out.append({"h": h, "active": active})
    return out


def draw(rng, periods, per_module=3, inputs=2):
    hidden = per_module * len(periods)
    return hidden, draw_weights(rng, 1, hidden, inputs, scale=1.0)


@pytest.mark.parametrize("periods", PERIOD_SETS)
def test_every_step_matches_a_per_unit_loop(periods):
    rng = np.random.default_rng(len(periods))
    hidden, arrays = draw(rng, periods)
    xs = rng.normal(0, 1, (17, 2)).astype(np.float32)
    records = trace_layer(CWRNN, arrays, xs, hidden, {"periods": periods})
    assert_steps_match(records, naive_cwrnn(arrays, periods, xs, hidden), f"periods {periods}")


def test_a_module_is_unchanged_on_its_idle_steps_and_moves_on_its_ticks():
    periods = [1, 2, 4, 8]
    rng = np.random.default_rng(0)
    hidden, arrays = draw(rng, periods, per_module=2)
    records = trace_layer(CWRNN, arrays, rng.normal(0, 1, (33, 2)).astype(np.float32), hidden, {"periods": periods})
    h = stacked(records, "h")
    for g, period in enumerate(periods):
        units = slice(2 * g, 2 * g + 2)
        for t in range(1, 33):
            ticks = t % period == 0
            assert (records[t].active[units] == ticks).all()
            if not ticks:
                assert_array_equal(h[t, units], h[t - 1, units], err_msg=f"module {g} moved at t={t}")
            else:
                assert not np.array_equal(h[t, units], h[t - 1, units])


def test_slow_modules_never_read_fast_ones():
    """Changing the weights by which a slow module would read a faster one changes nothing."""
    periods = [1, 2, 4]
    rng = np.random.default_rng(1)
    hidden, arrays = draw(rng, periods, per_module=2)
    xs = rng.normal(0, 1, (20, 2)).astype(np.float32)
    tampered = dict(arrays, weight_hh_l0=arrays["weight_hh_l0"].copy())
    tampered["weight_hh_l0"][2:, :2] += 5.0  # modules 1, 2 reading module 0
    tampered["weight_hh_l0"][4:, 2:4] -= 5.0  # module 2 reading module 1

    def h_of(weights):
        return stacked(trace_layer(CWRNN, weights, xs, hidden, {"periods": periods}), "h")

    assert_array_equal(h_of(tampered), h_of(arrays))
    upper = dict(arrays, weight_hh_l0=arrays["weight_hh_l0"] + np.float32(0.5))  # now also fast reading slow
    assert not np.array_equal(h_of(upper), h_of(arrays))


def test_the_clock_continues_from_the_state():
    periods = [1, 2, 4]
    rng = np.random.default_rng(2)
    hidden, arrays = draw(rng, periods)
    params = CWRNN.params_from_arrays(arrays, 0, {"periods": periods})
    xs = rng.normal(0, 1, (11, 2)).astype(np.float32)
    whole = CWRNN.trace(params, xs, CWRNN.zero_state(hidden, np.float32))
    head = CWRNN.trace(params, xs[:5], CWRNN.zero_state(hidden, np.float32))
    tail = CWRNN.trace(params, xs[5:], head[-1].state())
    assert head[-1].state().t == 5
    for a, b in zip(whole, head + tail):
        assert_array_equal(a.h, b.h)
        assert_array_equal(a.active, b.active)


@pytest.mark.parametrize(
    "periods, hidden, message",
    [
        ([1, 2, 4], 8, "do not split into 3 equal modules"),
        ([2, 1], 4, "increasing order"),
        ([0, 1], 4, "positive"),
        ([], 4, "non-empty"),
        ([1.0, 2.0], 4, "int array"),
    ],
)
def test_bad_periods_are_refused_with_the_reason(periods, hidden, message):
    with pytest.raises(InvalidOption, match=message):
        CWRNN.read_options({"rnn.periods": np.array(periods)}, hidden)


def test_periods_are_required():
    with pytest.raises(InvalidOption, match="missing key 'rnn.periods'"):
        CWRNN.read_options({}, 4)

"""The peephole LSTM: C_{t-1} feeds f and i, C_t feeds o, each peephole optional."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from app.cells.lstm import LSTM
from app.cells.peephole import PEEPHOLE
from tests.cells.naive import (
    assert_steps_match,
    draw_case,
    draw_weights,
    pre,
    sigma,
    stacked,
    trace_layer,
)

SUBSETS = [(), ("f",), ("i",), ("o",), ("f", "o"), ("f", "i", "o")]


def naive_peephole(arrays, peepholes, xs, hidden):
    """Rows i, f, g, o; p_gate[u] * C where the gate has a peephole."""

    def peek(gate, u, c):
        return float(peepholes[gate][u]) * c if gate in peepholes else 0.0

    c, h, out = [0.0] * hidden, [0.0] * hidden, []
    for x in xs:
        step = {name: [] for name in ("f", "i", "c_tilde", "o", "c", "h")}
        for u in range(hidden):
            f = sigma(pre(arrays, 0, hidden + u, x, h) + peek("f", u, c[u]))
            i = sigma(pre(arrays, 0, u, x, h) + peek("i", u, c[u]))
            g = math.tanh(pre(arrays, 0, 2 * hidden + u, x, h))
            c_new = f * c[u] + i * g
            o = sigma(pre(arrays, 0, 3 * hidden + u, x, h) + peek("o", u, c_new))
            for name, value in zip(step, (f, i, g, o, c_new, o * math.tanh(c_new))):
                step[name].append(value)
        c, h = step["c"], step["h"]
        out.append(step)
    return out


def peephole_arrays(rng, hidden, gates, scale=1.5):
    return {gate: rng.normal(0, scale, hidden).astype(np.float32) for gate in gates}


@pytest.mark.parametrize("gates", SUBSETS)
@pytest.mark.parametrize("seed", range(3))
def test_every_step_matches_a_per_unit_loop_for_any_subset_of_peepholes(gates, seed):
    rng = np.random.default_rng(seed)
    hidden, arrays, xs = draw_case(rng, 4)
    peepholes = peephole_arrays(rng, hidden, gates)
    arrays |= {f"peephole_{gate}_l0": p for gate, p in peepholes.items()}
    records = trace_layer(PEEPHOLE, arrays, xs, hidden, {"peepholes": list(gates)})
    assert_steps_match(records, naive_peephole(arrays, peepholes, xs, hidden), f"peepholes {gates}")


@pytest.mark.parametrize("gates", [(), ("f", "i", "o")])
def test_zero_or_absent_peepholes_are_the_plain_lstm(gates):
    rng = np.random.default_rng(9)
    arrays = draw_weights(rng, 4, 6, 3)
    arrays |= {f"peephole_{gate}_l0": np.zeros(6, np.float32) for gate in gates}
    xs = rng.normal(0, 1, (15, 3)).astype(np.float32)
    peephole = trace_layer(PEEPHOLE, arrays, xs, 6, {"peepholes": list(gates)})
    lstm = trace_layer(LSTM, arrays, xs, 6)
    for name in ("f", "i", "c_tilde", "o", "c", "h"):
        assert_array_equal(stacked(peephole, name), stacked(lstm, name), err_msg=name)


def test_the_output_peephole_reads_the_new_cell_state_not_the_old():
    """With W = 0 and b = 0 every pre-activation is the peephole term alone, so
    o_t = σ(p_o * C_t) exactly: a wrong C (C_{t-1}) gives a visibly different o."""
    hidden = 3
    arrays = {key: np.zeros_like(value) for key, value in draw_weights(np.random.default_rng(0), 4, hidden, 1).items()}
    arrays["bias_ih_l0"][2 * hidden : 3 * hidden] = 2.0  # C̃ = tanh(2), so C moves every step
    arrays["peephole_o_l0"] = np.array([3.0, -2.0, 1.0], np.float32)
    records = trace_layer(PEEPHOLE, arrays, np.zeros((3, 1), np.float32), hidden, {"peepholes": ["o"]})
    for record in records:
        expected = 1 / (1 + np.exp(-arrays["peephole_o_l0"] * record.c))
        assert_allclose(record.o, expected, rtol=1e-6)


def test_the_summary_says_which_peepholes_exist():
    params = PEEPHOLE.params_from_arrays(
        draw_weights(np.random.default_rng(1), 4, 2, 2) | {"peephole_o_l0": np.ones(2), "peephole_f_l0": np.ones(2)},
        0,
        {"peepholes": ["o", "f"]},
    )
    assert PEEPHOLE.options(params) == {"peepholes": ["f", "o"]}

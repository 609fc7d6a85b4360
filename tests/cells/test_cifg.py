"""The coupled forget/input gates: C_t = f_t * C_{t-1} + (1 − f_t) * C̃_t, rows f, g, o."""

import math

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from app.cells.cifg import CIFG
from tests.cells.naive import assert_steps_match, draw_case, draw_weights, pre, sigma, stacked, trace_layer


def naive_cifg(arrays, xs, hidden):
    c, h, out = [0.0] * hidden, [0.0] * hidden, []
    for x in xs:
        step = {name: [] for name in ("f", "i", "c_tilde", "o", "c", "h")}
        for u in range(hidden):
            f = sigma(pre(arrays, 0, u, x, h))  # rows: f, g, o
            g = math.tanh(pre(arrays, 0, hidden + u, x, h))
            o = sigma(pre(arrays, 0, 2 * hidden + u, x, h))
            c_new = f * c[u] + (1 - f) * g
            for name, value in zip(step, (f, 1 - f, g, o, c_new, o * math.tanh(c_new))):
                step[name].append(value)
        c, h = step["c"], step["h"]
        out.append(step)
    return out


@pytest.mark.parametrize("seed", range(4))
def test_every_step_matches_a_per_unit_loop(seed):
    rng = np.random.default_rng(seed)
    hidden, arrays, xs = draw_case(rng, 3)
    assert_steps_match(trace_layer(CIFG, arrays, xs, hidden), naive_cifg(arrays, xs, hidden))


def test_the_input_gate_is_exactly_one_minus_the_forget_gate_and_c_stays_between():
    rng = np.random.default_rng(5)
    arrays = draw_weights(rng, 3, 8, 4, scale=2.0)
    records = trace_layer(CIFG, arrays, rng.normal(0, 2, (40, 4)).astype(np.float32), 8)
    c_prev = np.zeros(8, np.float32)
    for record in records:
        assert_array_equal(record.i, 1 - record.f)
        # A convex mix: C_t lies between C_{t-1} and C̃_t, unit by unit.
        low, high = np.minimum(c_prev, record.c_tilde), np.maximum(c_prev, record.c_tilde)
        assert ((record.c >= low - 1e-6) & (record.c <= high + 1e-6)).all()
        c_prev = record.c
    assert stacked(records, "f").std() > 0.1  # the gate really moves


def test_three_gate_blocks_in_the_order_f_g_o():
    assert CIFG.gate_blocks == 3
    assert CIFG.layer_shapes(0, 5, 2, {})["weight_ih_l0"] == (15, 2)

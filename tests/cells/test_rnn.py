"""The plain RNN: h_t = tanh(W · [h_{t-1}, x_t] + b)."""

import math

import numpy as np
import pytest

from app.cells.rnn import RNN
from tests.cells.naive import assert_steps_match, draw_case, pre, trace_layer


def naive_rnn(arrays, xs, hidden):
    h, out = [0.0] * hidden, []
    for x in xs:
        h = [math.tanh(pre(arrays, 0, u, x, h)) for u in range(hidden)]
        out.append({"h": h})
    return out


@pytest.mark.parametrize("seed", range(4))
def test_every_step_matches_a_per_unit_loop(seed):
    rng = np.random.default_rng(seed)
    hidden, arrays, xs = draw_case(rng, 1)
    assert_steps_match(trace_layer(RNN, arrays, xs, hidden), naive_rnn(arrays, xs, hidden))


def test_a_step_has_no_gates_and_only_h():
    assert (RNN.gates, RNN.states, RNN.extras) == ((), ("h",), ())

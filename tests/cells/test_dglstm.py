"""The depth-gated LSTM: d_t links each layer's cell to the cell below."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from app.cells.dglstm import DGLSTM
from app.cells.lstm import LSTM, LSTMStep
from tests.cells.naive import dot, draw_sizes, draw_weights, pre, sigma, stacked


def naive_dglstm(arrays, xs, hidden, layers):
    """Layer 0 a plain LSTM; layer L ≥ 1 adds d_t and the term d_t * C_t^{L-1}."""
    c = [[0.0] * hidden for _ in range(layers)]
    h = [[0.0] * hidden for _ in range(layers)]
    out = []
    for x in xs:
        step, c_below = [], None
        for L in range(layers):
            record = {name: [] for name in ("f", "i", "c_tilde", "o", "c", "h", "d")}
            for u in range(hidden):
                i = sigma(pre(arrays, L, u, x, h[L]))
                f = sigma(pre(arrays, L, hidden + u, x, h[L]))
                g = math.tanh(pre(arrays, L, 2 * hidden + u, x, h[L]))
                o = sigma(pre(arrays, L, 3 * hidden + u, x, h[L]))
                c_new = f * c[L][u] + i * g
                if L > 0:
                    d = sigma(
                        dot(arrays[f"depth_weight_x_l{L}"], u, x)
                        + float(arrays[f"depth_weight_c_l{L}"][u]) * c_below[u]
                        + float(arrays[f"depth_weight_l_l{L}"][u]) * c[L][u]
                        + float(arrays[f"depth_bias_l{L}"][u])
                    )
                    c_new += d * c_below[u]
                    record["d"].append(d)
                for name, value in zip(("f", "i", "c_tilde", "o", "c", "h"), (f, i, g, o, c_new, o * math.tanh(c_new))):
                    record[name].append(value)
            c[L], h[L] = record["c"], record["h"]
            c_below, x = record["c"], record["h"]
            step.append(record)
        out.append(step)
    return out


def draw_stack(rng, hidden, inputs, layers, depth_scale=1.0):
    arrays = {}
    for L in range(layers):
        arrays |= draw_weights(rng, 4, hidden, inputs if L == 0 else hidden, layer=L)
        if L > 0:
            arrays |= {f"depth_weight_x_l{L}": rng.normal(0, depth_scale, (hidden, hidden)).astype(np.float32)}
            arrays |= {
                f"depth_{name}_l{L}": rng.normal(0, depth_scale, hidden).astype(np.float32)
                for name in ("weight_c", "weight_l", "bias")
            }
    return arrays


def run_stack(cell, arrays, xs, hidden, layers):
    """Each layer reads the h of the one below, and its records, as Model.forward does."""
    below, out = None, []
    for L in range(layers):
        records = cell.trace(cell.params_from_arrays(arrays, L, {}), xs, cell.zero_state(hidden, np.float32), below)
        out.append(records)
        xs, below = stacked(records, "h"), records
    return out


@pytest.mark.parametrize("layers", [2, 3])
@pytest.mark.parametrize("seed", range(3))
def test_every_layer_and_step_matches_a_per_unit_loop(layers, seed):
    rng = np.random.default_rng(seed)
    hidden, inputs, steps = draw_sizes(rng)
    arrays = draw_stack(rng, hidden, inputs, layers)
    xs = rng.normal(0, 1, (steps, inputs)).astype(np.float32)
    ours = run_stack(DGLSTM, arrays, xs, hidden, layers)
    for t, expected in enumerate(naive_dglstm(arrays, xs, hidden, layers)):
        for L, record in enumerate(expected):
            names = [n for n in record if record[n]]  # layer 0 has no d
            for name in names:
                assert_allclose(
                    getattr(ours[L][t], name), record[name], rtol=1e-5, atol=1e-6, err_msg=f"{name}, layer {L}, t={t}"
                )


def test_the_bottom_layer_is_a_plain_lstm_with_no_depth_gate():
    rng = np.random.default_rng(1)
    arrays = draw_stack(rng, 4, 3, 2)
    bottom = run_stack(DGLSTM, arrays, rng.normal(0, 1, (5, 3)).astype(np.float32), 4, 2)[0]
    assert all(type(record) is LSTMStep and "d" not in record.GATES for record in bottom)
    assert DGLSTM.layer_shapes(0, 4, 3, {}).keys() == LSTM.layer_shapes(0, 4, 3, {}).keys()


def test_a_closed_depth_gate_leaves_a_stacked_lstm():
    rng = np.random.default_rng(2)
    arrays = draw_stack(rng, 5, 3, 3)
    for L in (1, 2):
        arrays[f"depth_weight_x_l{L}"][:] = 0
        arrays[f"depth_weight_c_l{L}"][:] = 0
        arrays[f"depth_weight_l_l{L}"][:] = 0
        arrays[f"depth_bias_l{L}"][:] = -200.0  # σ(-200) = 0 in float32
    xs = rng.normal(0, 1, (12, 3)).astype(np.float32)
    gated, plain = run_stack(DGLSTM, arrays, xs, 5, 3), run_stack(LSTM, arrays, xs, 5, 3)
    for L in range(3):
        for name in ("f", "i", "c_tilde", "o", "c", "h"):
            assert_array_equal(stacked(gated[L], name), stacked(plain[L], name), err_msg=f"{name}, layer {L}")
    assert (stacked(gated[2], "d") == 0).all()


def test_an_open_depth_gate_adds_the_cell_below():
    rng = np.random.default_rng(3)
    arrays = draw_stack(rng, 3, 2, 2)
    arrays["depth_bias_l1"][:] = 200.0  # d = 1
    arrays["depth_weight_x_l1"][:] = 0
    layers = run_stack(DGLSTM, arrays, rng.normal(0, 1, (4, 2)).astype(np.float32), 3, 2)
    c_prev = np.zeros(3, np.float32)
    for below, above in zip(*layers):
        assert_allclose(above.d, 1.0)
        assert_allclose(above.c, below.c + above.f * c_prev + above.i * above.c_tilde, rtol=1e-6)
        c_prev = above.c

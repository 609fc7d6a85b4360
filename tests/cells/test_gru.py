"""The GRU in both formulations: the article's (reset before the product) and
PyTorch's (reset after it, z the other way round). nn.GRU parity: tests/models/importers."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.cells.gru import GRU
from tests.cells.naive import (
    assert_steps_match,
    dot,
    draw_case,
    draw_weights,
    sigma,
    stacked,
    trace_layer,
)


def naive_gru(arrays, xs, hidden, variant):
    """Rows r, z, n; the two biases of each row kept apart, as nn.GRU writes them."""
    w_ih, w_hh, b_ih, b_hh = (arrays[f"{k}_l0"] for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))

    def x_part(row, x):
        return dot(w_ih, row, x) + float(b_ih[row])

    def h_part(row, h):
        return dot(w_hh, row, h) + float(b_hh[row])

    h, out = [0.0] * hidden, []
    for x in xs:
        r = [sigma(x_part(u, x) + h_part(u, h)) for u in range(hidden)]
        z = [sigma(x_part(hidden + u, x) + h_part(hidden + u, h)) for u in range(hidden)]
        n_row = [2 * hidden + u for u in range(hidden)]
        if variant == "article":
            reset_h = [r[k] * h[k] for k in range(hidden)]
            h_tilde = [math.tanh(x_part(row, x) + h_part(row, reset_h)) for row in n_row]
            h = [(1 - z[u]) * h[u] + z[u] * h_tilde[u] for u in range(hidden)]
        else:
            h_tilde = [math.tanh(x_part(row, x) + r[u] * h_part(row, h)) for u, row in enumerate(n_row)]
            h = [(1 - z[u]) * h_tilde[u] + z[u] * h[u] for u in range(hidden)]
        out.append({"z": z, "r": r, "h_tilde": h_tilde, "h": h})
    return out


@pytest.mark.parametrize("variant", ["article", "pytorch"])
@pytest.mark.parametrize("seed", range(4))
def test_every_step_matches_a_hand_written_reference(variant, seed):
    rng = np.random.default_rng(seed)
    hidden, arrays, xs = draw_case(rng, 3)
    records = trace_layer(GRU, arrays, xs, hidden, {"gru_variant": variant})
    assert_steps_match(records, naive_gru(arrays, xs, hidden, variant), variant)


def test_the_two_formulations_really_differ():
    rng = np.random.default_rng(3)
    arrays = draw_weights(rng, 3, 5, 2, scale=1.5)
    xs = rng.normal(0, 1, (6, 2)).astype(np.float32)
    h = {v: stacked(trace_layer(GRU, arrays, xs, 5, {"gru_variant": v}), "h") for v in ("article", "pytorch")}
    assert np.abs(h["article"] - h["pytorch"]).max() > 0.05


@pytest.mark.parametrize("variant, z_bias", [("article", -60.0), ("pytorch", 60.0)])
def test_which_way_z_goes_keeping_h_is_z_0_in_the_article_and_z_1_in_pytorch(variant, z_bias):
    rng = np.random.default_rng(4)
    arrays = draw_weights(rng, 3, 4, 3)
    arrays["bias_ih_l0"][4:8] = z_bias  # the z block: σ(∓60) is 0 or 1 to float32
    params = GRU.params_from_arrays(arrays, 0, {"gru_variant": variant})
    h0 = rng.uniform(-1, 1, 4).astype(np.float32)
    xs = rng.normal(0, 1, (10, 3)).astype(np.float32)
    records = GRU.trace(params, xs, GRU.zero_state(4, np.float32)._replace(h=h0))
    assert_allclose(stacked(records, "h"), np.tile(h0, (10, 1)))
    assert GRU.options(params)["gru_variant"] == variant
    assert "h_{t-1}" in GRU.options(params)["update_meaning"]


def test_pytorch_form_keeps_b_hn_apart_and_round_trips_the_biases():
    rng = np.random.default_rng(6)
    arrays = draw_weights(rng, 3, 3, 2)
    params = GRU.params_from_arrays(arrays, 0, {"gru_variant": "pytorch"})
    assert_allclose(params.bias, arrays["bias_ih_l0"])  # as nn.GRU adds them: b_ih to W_ih · x, b_hh to W_hh · h
    assert_allclose(params.bias_hh, arrays["bias_hh_l0"])
    again = GRU.params_from_arrays(GRU.params_to_arrays(params, 0), 0, {"gru_variant": "pytorch"})
    assert_allclose(again.bias[:6] + again.bias_hh[:6], params.bias[:6] + params.bias_hh[:6])  # r, z: only the sum acts
    assert_allclose(again.bias[6:], params.bias[6:])
    assert_allclose(again.bias_hh[6:], params.bias_hh[6:])  # b_hn, which r multiplies, kept apart

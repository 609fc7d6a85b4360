"""The weights every cell shares: the cached transposed W_hh the recurrent product reads."""

import dataclasses

import numpy as np
from numpy.testing import assert_allclose

from app.cells.weights import preactivation
from tests.helpers import random_lstm_params


def test_the_transposed_w_hh_is_w_hh_transposed_in_its_own_c_ordered_array():
    params = random_lstm_params(np.random.default_rng(0), 5, 3)
    assert params.weight_hh_t.shape == (5, 20)
    assert params.weight_hh_t.flags.c_contiguous
    assert np.array_equal(params.weight_hh_t, params.weight_hh.T)
    assert params.weight_hh_t is params.weight_hh_t  # made once per layer


def test_preactivation_is_w_hh_times_h_plus_zx_in_float64_to_float32_rounding():
    rng = np.random.default_rng(1)
    params = random_lstm_params(rng, 9, 4)
    h, zx = rng.normal(0, 1, 9).astype(np.float32), rng.normal(0, 1, 36).astype(np.float32)
    expected = params.weight_hh.astype(np.float64) @ h.astype(np.float64) + zx
    assert_allclose(preactivation(params, h, zx), expected, rtol=1e-5, atol=1e-6)


def test_replaced_weights_get_their_own_transpose_never_a_stale_one():
    """What-if weight edits build new params with dataclasses.replace: the cached
    transpose of the old W_hh must not follow them."""
    params = random_lstm_params(np.random.default_rng(2), 4, 2)
    _ = params.weight_hh_t  # cache the old one
    edited = params.weight_hh.copy()
    edited[3, 1] = 7.0
    replaced = dataclasses.replace(params, weight_hh=edited)
    assert replaced.weight_hh_t[1, 3] == 7.0
    assert params.weight_hh_t[1, 3] != 7.0


def test_a_scaled_transpose_is_made_once_and_scales_the_product_exactly():
    rng = np.random.default_rng(3)
    params = random_lstm_params(rng, 6, 2)
    halves = (0.5, 0.5, 1.0, 0.5)
    scaled = params.weight_hh_t_scaled(halves)
    assert scaled is params.weight_hh_t_scaled(halves)
    s = params.row_scale(halves)
    assert np.array_equal(s, np.repeat(np.float32([0.5, 0.5, 1.0, 0.5]), 6))
    h = rng.normal(0, 1, 6).astype(np.float32)
    assert np.array_equal(np.dot(h, scaled), s * np.dot(h, params.weight_hh_t))  # powers of two: exact

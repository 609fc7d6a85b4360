"""The LSTM cell against the article's equations, computed three independent ways."""

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.cells.base import keep
from app.cells.lstm import LSTM, LSTMParams, LSTMState, step, zero_state
from tests.helpers import random_lstm_params


def per_unit_reference(params: LSTMParams, state: LSTMState, x: np.ndarray) -> dict[str, list[float]]:
    """The article's equations written out unit by unit with Python floats, no NumPy
    vector ops: W_· · [h_{t-1}, x_t] as explicit sums over the concatenation."""
    H = params.hidden_size
    W = np.concatenate([params.weight_hh, params.weight_ih], axis=1).astype(float)  # (4H, H+X): W · [h, x]
    hx = [float(v) for v in state.h] + [float(v) for v in x]
    sig = lambda v: 1.0 / (1.0 + math.exp(-v))  # noqa: E731

    def pre(block: int, unit: int) -> float:
        row = block * H + unit  # PyTorch row order: i, f, g, o
        return sum(W[row, k] * hx[k] for k in range(len(hx))) + float(params.bias[row])

    out = {name: [] for name in ("f", "i", "c_tilde", "o", "c", "h")}
    for u in range(H):
        i, f, g, o = sig(pre(0, u)), sig(pre(1, u)), math.tanh(pre(2, u)), sig(pre(3, u))
        c = f * float(state.c[u]) + i * g
        for name, value in zip(("f", "i", "c_tilde", "o", "c"), (f, i, g, o, c)):
            out[name].append(value)
        out["h"].append(o * math.tanh(c))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_step_matches_a_per_unit_loop(seed):
    rng = np.random.default_rng(seed)
    hidden, inputs = int(rng.integers(1, 9)), int(rng.integers(1, 7))
    params = random_lstm_params(rng, hidden, inputs, scale=1.0)
    state = LSTMState(rng.normal(0, 1, hidden).astype(np.float32), rng.uniform(-1, 1, hidden).astype(np.float32))
    x = rng.normal(0, 1, inputs).astype(np.float32)
    record = step(params, state, x)
    expected = per_unit_reference(params, state, x)
    for name, values in expected.items():
        assert_allclose(getattr(record, name), values, rtol=1e-5, atol=1e-6, err_msg=f"{name}, seed {seed}")


def test_two_unit_step_matches_values_derived_by_hand():
    # Pre-activations chosen so every gate has a closed form: σ(0) = 1/2, σ(ln 3) = 3/4,
    # tanh(atanh(±1/2)) = ±1/2. W_hh = 0, x_t = [1], so z = W_ih[:, 0] + b with b = 0.
    ln3, a = math.log(3), math.atanh(0.5)
    z = {"i": [0, ln3], "f": [ln3, 0], "g": [a, -a], "o": [0, ln3]}
    weight_ih = np.array([[v] for block in "ifgo" for v in z[block]], np.float32)  # (8, 1)
    params = LSTMParams(weight_ih=weight_ih, weight_hh=np.zeros((8, 2), np.float32), bias=np.zeros(8, np.float32))
    state = LSTMState(c=np.array([1.0, 2.0], np.float32), h=np.array([0.3, -0.7], np.float32))

    record = step(params, state, np.array([1.0], np.float32))

    assert_allclose(record.f, [0.75, 0.5], rtol=1e-6)
    assert_allclose(record.i, [0.5, 0.75], rtol=1e-6)
    assert_allclose(record.c_tilde, [0.5, -0.5], rtol=1e-6)
    assert_allclose(record.o, [0.5, 0.75], rtol=1e-6)
    # C_t = f * C_{t-1} + i * C̃ = [0.75·1 + 0.5·0.5, 0.5·2 − 0.75·0.5] = [1, 0.625]
    assert_allclose(record.c, [1.0, 0.625], rtol=1e-6)
    # h_t = o * tanh(C_t)
    assert_allclose(record.h, [0.5 * math.tanh(1.0), 0.75 * math.tanh(0.625)], rtol=1e-6)


def test_open_forget_gate_and_closed_input_gate_keep_the_belt_unchanged():
    """The article's conveyor belt: with f = 1 and i = 0, C passes through untouched,
    whatever the input and the candidate values are."""
    rng = np.random.default_rng(3)
    hidden, inputs = 6, 4
    params = random_lstm_params(rng, hidden, inputs)
    bias = params.bias.copy()
    bias[:hidden] = -60.0  # i block: σ(-60) = 0 to float32
    bias[hidden : 2 * hidden] = 60.0  # f block: σ(60) = 1
    params = LSTMParams(params.weight_ih * 0.01, params.weight_hh * 0.01, bias)
    c0 = rng.normal(0, 2, hidden).astype(np.float32)
    state = LSTMState(c0, np.zeros(hidden, np.float32))
    for record in LSTM.trace(params, rng.normal(0, 1, (50, inputs)).astype(np.float32), state):
        assert_allclose(record.f, 1.0)
        assert_allclose(record.i, 0.0, atol=1e-25)
        assert_allclose(record.c, c0)  # exactly the value it started with, 50 steps later
        assert_allclose(record.h, record.o * np.tanh(c0), rtol=1e-6)


def test_trace_equals_stepping_one_token_at_a_time():
    rng = np.random.default_rng(4)
    params = random_lstm_params(rng, 7, 3)
    xs = rng.normal(0, 1, (20, 3)).astype(np.float32)
    traced = LSTM.trace(params, xs, zero_state(7))
    state = zero_state(7)
    for x, record in zip(xs, traced):
        stepped = step(params, state, x)
        for name in ("f", "i", "c_tilde", "o", "c", "h"):
            assert_allclose(getattr(record, name), getattr(stepped, name), rtol=1e-6, atol=1e-7)
        state = stepped.state()


@pytest.mark.parametrize("hidden, inputs, steps", [(1, 1, 3), (7, 3, 40), (33, 5, 25), (49, 4, 12), (130, 6, 8)])
def test_fast_trace_without_fixes_equals_the_fixable_loop_bit_for_bit(hidden, inputs, steps):
    """No fixes takes the tight loop (trace_unfixed); a no-op fix takes step_projected.
    They must agree exactly, or a what-if run would differ from its baseline everywhere.
    (H = 49 and 130: widths where OpenBLAS's sgemv_n sums a ragged tail its own way; a
    fast path that reordered W_hh's rows differed from the step loop there.)"""
    rng = np.random.default_rng(hidden)
    params = random_lstm_params(rng, hidden, inputs, scale=1.5)
    state = LSTMState(rng.normal(0, 1, hidden).astype(np.float32), rng.normal(0, 1, hidden).astype(np.float32))
    xs = rng.normal(0, 1, (steps, inputs)).astype(np.float32)
    fast = LSTM.trace(params, xs, state)
    fixable = LSTM.trace(params, xs, state, fixes=lambda k: keep)
    for t, (a, b) in enumerate(zip(fast, fixable, strict=True)):
        for name in ("f", "i", "c_tilde", "o", "c", "h"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), f"{name} at t={t}"


def test_fast_trace_leaves_the_start_state_alone():
    rng = np.random.default_rng(6)
    params = random_lstm_params(rng, 4, 2)
    state = LSTMState(rng.normal(0, 1, 4).astype(np.float32), rng.normal(0, 1, 4).astype(np.float32))
    before = (state.c.copy(), state.h.copy())
    LSTM.trace(params, np.ones((5, 2), np.float32), state)
    assert np.array_equal(before[0], state.c) and np.array_equal(before[1], state.h)


def test_step_does_not_change_its_inputs():
    rng = np.random.default_rng(5)
    params = random_lstm_params(rng, 4, 2)
    state = LSTMState(rng.normal(0, 1, 4).astype(np.float32), rng.normal(0, 1, 4).astype(np.float32))
    before = [a.copy() for a in (params.weight_ih, params.weight_hh, params.bias, state.c, state.h)]
    step(params, state, np.ones(2, np.float32))
    for kept, now in zip(before, (params.weight_ih, params.weight_hh, params.bias, state.c, state.h)):
        assert np.array_equal(kept, now)


def test_float32_throughout_and_no_overflow_for_huge_preactivations():
    params = LSTMParams(
        weight_ih=np.full((8, 1), 1e4, np.float32), weight_hh=np.zeros((8, 2), np.float32), bias=np.zeros(8, np.float32)
    )
    with np.errstate(all="raise"):
        record = step(params, zero_state(2), np.array([-1.0], np.float32))
    assert record.h.dtype == np.float32
    assert np.all(np.isfinite(record.h)) and np.all(record.f == 0.0)

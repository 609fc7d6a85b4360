"""Numerical gradient checks: every parameter's analytic gradient against central
differences of the loss, in float64 so the check itself is exact to ~1e-7; for every
cell, in each of its forms, alone and stacked, from random and from carried states."""

import numpy as np
import pytest

from app.training import network
from app.training.network import IGNORE, Shape

# (cell, options): every trainable cell, and each form a cell's options give it
CONFIGS = [
    ("rnn", {}),
    ("lstm", {}),
    ("gru", {"gru_variant": "pytorch"}),
    ("gru", {"gru_variant": "article"}),
    ("peephole", {"peepholes": ["f", "i", "o"]}),
    ("peephole", {"peepholes": ["f"]}),
    ("peephole", {"peepholes": ["i", "o"]}),
    ("cifg", {}),
    ("dglstm", {}),
    ("cwrnn", {"periods": [1, 2, 4]}),
    ("cwrnn", {"periods": [1, 3]}),
]
IDS = [
    cell + "".join(f"-{v if isinstance(v, str) else ''.join(map(str, v))}" for v in options.values())
    for cell, options in CONFIGS
]


def float64(params):
    return {key: value.astype(np.float64) for key, value in params.items()}


def numerical_gradient(loss_of, array, samples, rng, eps=1e-6):
    """Central differences at `samples` random entries of `array` (changed in place, restored)."""
    flat = array.reshape(-1)
    picks = rng.choice(flat.size, size=min(samples, flat.size), replace=False)
    estimates = []
    for index in picks:
        saved = flat[index]
        flat[index] = saved + eps
        plus = loss_of()
        flat[index] = saved - eps
        minus = loss_of()
        flat[index] = saved
        estimates.append((plus - minus) / (2 * eps))
    return picks, np.array(estimates)


def random_states(shape, batch, rng):
    """A state away from zero: N(0, 0.5²) values, and clockwork clocks at random phases."""
    return [
        tuple(rng.normal(0, 0.5, s.shape) if s.dtype.kind == "f" else rng.integers(0, 9, s.shape) for s in state)
        for state in network.zero_states(shape, batch, np.float64)
    ]


def random_problem(cell, embed, layers, seed, marked_fraction=1.0, options=None):
    rng = np.random.default_rng(seed)
    shape = Shape(cell=cell, vocab=7, hidden=6, layers=layers, embed=embed, options=options or {})
    params = float64(network.init_params(shape, seed))
    for key in params:  # larger than PyTorch's init, so every gate is away from 0.5 and errors show
        params[key] += rng.normal(0, 0.5, params[key].shape)
    steps, batch = 6, 3
    ids = rng.integers(0, shape.vocab, (steps, batch))
    targets = rng.integers(0, shape.vocab, (steps, batch))
    targets[rng.random((steps, batch)) > marked_fraction] = IGNORE
    return shape, params, ids, targets, random_states(shape, batch, rng), rng


def assert_every_gradient_matches(shape, params, ids, targets, states, rng, label):
    grads = network.step(shape, params, ids, targets, states).grads
    assert set(grads) == set(params)

    def loss():
        return network.step(shape, params, ids, targets, states, grad=False).loss

    for key, value in params.items():
        picks, expected = numerical_gradient(loss, value, 12, rng)
        np.testing.assert_allclose(
            grads[key].reshape(-1)[picks], expected, rtol=1e-5, atol=1e-8, err_msg=f"{label}: {key}"
        )


@pytest.mark.parametrize("cell,options", CONFIGS, ids=IDS)
@pytest.mark.parametrize("embed,layers", [(None, 1), (4, 2), (4, 3)])
def test_every_parameter_gradient_matches_central_differences(cell, options, embed, layers):
    shape, params, ids, targets, states, rng = random_problem(
        cell, embed, layers, seed=len(cell) + layers, options=options
    )
    assert_every_gradient_matches(shape, params, ids, targets, states, rng, f"{cell} {options}")


@pytest.mark.parametrize("cell,options", CONFIGS, ids=IDS)
def test_gradients_from_the_state_a_previous_window_carried(cell, options):
    """Truncated BPTT: the second window starts from the first one's state (for the
    clockwork RNN, its clocks too), held constant."""
    shape, params, ids, targets, states, rng = random_problem(cell, 4, 2, seed=7, options=options)
    carried = network.step(shape, params, ids[:4], targets[:4], states, grad=False).states
    assert_every_gradient_matches(shape, params, ids[4:], targets[4:], carried, rng, f"{cell} {options}, second window")


@pytest.mark.parametrize("cell,options", CONFIGS, ids=IDS)
def test_only_marked_positions_carry_loss(cell, options):
    shape, params, ids, targets, states, rng = random_problem(cell, 4, 1, seed=3, marked_fraction=0.3, options=options)
    assert (targets == IGNORE).any() and (targets != IGNORE).any()
    grads = network.step(shape, params, ids, targets, states).grads

    def loss():
        return network.step(shape, params, ids, targets, states, grad=False).loss

    for key in ("rnn.weight_hh_l0", "encoder.weight"):
        picks, expected = numerical_gradient(loss, params[key], 12, rng)
        np.testing.assert_allclose(grads[key].reshape(-1)[picks], expected, rtol=1e-5, atol=1e-8, err_msg=key)

    changed_ignored = np.where(targets == IGNORE, (targets + 3) % shape.vocab, targets)
    assert (
        network.step(shape, params, ids, targets, states, grad=False).loss
        != network.step(shape, params, ids, changed_ignored, states, grad=False).loss
    )  # marking more positions changes the loss: the mask is really applied


@pytest.mark.parametrize("cell,options", CONFIGS, ids=IDS)
def test_the_carried_state_is_the_state_after_the_window(cell, options):
    shape, params, ids, targets, states, _ = random_problem(cell, None, 2, seed=5, options=options)
    whole = network.step(shape, params, ids, targets, states, grad=False)
    first = network.step(shape, params, ids[:4], targets[:4], states, grad=False).states
    second = network.step(shape, params, ids[4:], targets[4:], first, grad=False)
    for layer_whole, layer_split in zip(whole.states, second.states):
        for a, b in zip(layer_whole, layer_split):
            np.testing.assert_allclose(a, b, rtol=1e-12)
    assert second.loss != whole.loss  # the windows really differ


def test_embedding_gradient_rows_add_up_like_np_add_at():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 9, 200)
    rows = rng.normal(size=(200, 3)).astype(np.float32)
    expected = np.zeros((12, 3), np.float32)
    np.add.at(expected, ids, rows)
    np.testing.assert_allclose(network.sum_rows_by_id(ids, rows, 12), expected, rtol=1e-5, atol=1e-6)

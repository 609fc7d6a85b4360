"""Pieces of the naive references the cell tests compare against: Python floats, one
unit at a time, reading the raw nn.RNN-style arrays (two biases, PyTorch's row order),
so nothing is shared with the NumPy code under test."""

from __future__ import annotations

import math

import numpy as np
from numpy.testing import assert_allclose


def sigma(v: float) -> float:
    return 1.0 / (1.0 + math.exp(-v))


def dot(matrix: np.ndarray, row: int, vector) -> float:
    return sum(float(matrix[row, k]) * float(vector[k]) for k in range(len(vector)))


def pre(arrays: dict, layer: int, row: int, x, h) -> float:
    """Row `row` of W · [h_{t-1}, x_t] + b_ih + b_hh, written out as sums."""
    k = f"l{layer}"
    return (
        dot(arrays[f"weight_ih_{k}"], row, x)
        + dot(arrays[f"weight_hh_{k}"], row, h)
        + float(arrays[f"bias_ih_{k}"][row])
        + float(arrays[f"bias_hh_{k}"][row])
    )


def draw_weights(rng: np.random.Generator, blocks: int, hidden: int, inputs: int, layer: int = 0, scale=0.7) -> dict:
    """nn.RNN's four arrays for one layer, drawn at random."""
    rows, k = blocks * hidden, f"l{layer}"
    shapes = {
        f"weight_ih_{k}": (rows, inputs),
        f"weight_hh_{k}": (rows, hidden),
        f"bias_ih_{k}": (rows,),
        f"bias_hh_{k}": (rows,),
    }
    return {key: rng.normal(0, scale, shape).astype(np.float32) for key, shape in shapes.items()}


def draw_sizes(rng: np.random.Generator) -> tuple[int, int, int]:
    """hidden, inputs, steps."""
    return int(rng.integers(1, 8)), int(rng.integers(1, 6)), int(rng.integers(3, 12))


def draw_case(rng: np.random.Generator, blocks: int) -> tuple[int, dict, np.ndarray]:
    """Random sizes, one layer's weights of `blocks` gate blocks, and an input sequence."""
    hidden, inputs, steps = draw_sizes(rng)
    arrays = draw_weights(rng, blocks, hidden, inputs)
    return hidden, arrays, rng.normal(0, 1, (steps, inputs)).astype(np.float32)


def stacked(records, name: str) -> np.ndarray:
    return np.stack([getattr(r, name) for r in records])


def trace_layer(cell, arrays: dict, xs: np.ndarray, hidden: int, options: dict | None = None) -> list:
    """The app's trace of one layer from a zero state: what the references check."""
    params = cell.params_from_arrays(arrays, 0, options or {})
    return cell.trace(params, xs, cell.zero_state(hidden, np.float32))


def assert_steps_match(records, expected: list[dict], context: str = "") -> None:
    """Each step's record against the reference's {name: values} for that step."""
    assert len(records) == len(expected)
    for t, (record, values) in enumerate(zip(records, expected)):
        for name, want in values.items():
            assert_allclose(getattr(record, name), want, rtol=1e-5, atol=1e-6, err_msg=f"{name} at t={t} {context}")

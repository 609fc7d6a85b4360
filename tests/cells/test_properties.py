"""Properties every cell keeps, for any finite input and any weights (hypothesis).

Each cell in app.cells.CELLS is tested; its weights are drawn with exactly the shapes a
model file holds (the cell's layer_shapes) and read by the cell's own
params_from_arrays, so a new cell is covered by being registered.

Conventions of the article that make the checks generic: a gate named `*_tilde` is a
candidate (tanh, in [-1, 1]); every other gate is a σ gate, in [0, 1]; `h` is a tanh
squashed output, so |h| <= 1.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose

from app.cells import CELLS, Cell
from app.models.seeded import default_options

EVERY_CELL = list(CELLS.values())
HUGE = 1e4  # weights and inputs far past anything trained, where exp() would overflow


def floats32(bound: float):
    return st.floats(-bound, bound, width=32, allow_nan=False, allow_infinity=False)


@st.composite
def cell_inputs(draw, cell: Cell, max_weight: float, max_input: float):
    """(params, xs, state): one layer of `cell` with drawn weights, a drawn input sequence, zero state."""
    hidden, inputs, steps = draw(st.integers(1, 6)), draw(st.integers(1, 6)), draw(st.integers(1, 8))
    options = default_options(cell, hidden)  # every optional part on: all peepholes, the clockwork's modules
    weights = {
        key: draw(arrays(np.float32, shape, elements=floats32(max_weight)))
        for key, shape in cell.layer_shapes(0, hidden, inputs, options).items()
    }
    xs = draw(arrays(np.float32, (steps, inputs), elements=floats32(max_input)))
    return cell.params_from_arrays(weights, 0, options), xs, cell.zero_state(hidden, np.float32)


@pytest.mark.parametrize("cell", EVERY_CELL, ids=lambda cell: cell.name)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_gates_stay_in_their_ranges_and_nothing_overflows_even_at_huge_weights(cell, data):
    params, xs, state = data.draw(cell_inputs(cell, max_weight=HUGE, max_input=HUGE))
    for t, record in enumerate(cell.trace(params, xs, state)):
        for name in record.GATES:
            values = getattr(record, name)
            assert np.isfinite(values).all(), (t, name, values)
            low = -1.0 if name.endswith("_tilde") else 0.0
            assert ((values >= low) & (values <= 1.0)).all(), (t, name, values)
        for name in record.STATES:
            assert np.isfinite(getattr(record, name)).all(), (t, name)
        assert (np.abs(record.h) <= 1.0).all(), (t, record.h)


@pytest.mark.parametrize("cell", EVERY_CELL, ids=lambda cell: cell.name)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_step_by_step_equals_the_whole_sequence_at_once(cell, data):
    """What the stream does when text is appended a token at a time. The two differ only
    in float32 rounding (a matrix product of T rows sums in another order than one of
    1 row), which large weights amplify where a cell is chaotic; so this is checked at
    the weights a trained model has, to float32 precision."""
    params, xs, state = data.draw(cell_inputs(cell, max_weight=2.0, max_input=4.0))
    whole = cell.trace(params, xs, state)
    for t in range(len(xs)):
        (record,) = cell.trace(params, xs[t : t + 1], state)
        for name in (*record.GATES, *record.STATES):
            assert_allclose(getattr(record, name), getattr(whole[t], name), atol=1e-4, err_msg=f"t={t} {name}")
        state = record.state()

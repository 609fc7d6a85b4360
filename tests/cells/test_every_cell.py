"""What holds for every cell: float32 throughout, and a step changes nothing it is given."""

import numpy as np
import pytest

from app.cells import CELLS
from tests.helpers import CELL_NAMES, tiny_model


def test_the_registry_holds_every_cell_of_the_article_in_its_order():
    assert tuple(CELLS) == CELL_NAMES


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_vector_of_every_layer_is_float32_and_finite(cell):
    model = tiny_model(cell=cell, layers=2)
    records, _ = model.forward(np.array([3, 1, 4, 1, 5]), model.zero_state())
    for layer in records:
        for record in layer:
            for name in record.GATES + record.STATES + record.EXTRAS:
                value = getattr(record, name)
                assert value.dtype == np.float32 and value.shape == (5,) and np.isfinite(value).all(), name


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_tracing_changes_neither_the_parameters_nor_the_state(cell):
    model = tiny_model(cell=cell, layers=2)
    before = [{k: v.copy() for k, v in model.cell.params_to_arrays(p, k).items()} for k, p in enumerate(model.layers)]
    states = model.zero_state()
    model.forward(np.array([1, 2, 3]), states)
    assert all(not np.any(value) for state in states for value in state if isinstance(value, np.ndarray))
    for k, params in enumerate(model.layers):
        for key, value in model.cell.params_to_arrays(params, k).items():
            np.testing.assert_array_equal(value, before[k][key], err_msg=key)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_no_tokens_leave_every_layer_where_it_was(cell):
    model = tiny_model(cell=cell, layers=2, embed=3, hidden=4)
    states = model.zero_state()
    records, new_states = model.forward(np.array([], dtype=int), states)
    assert records == [[], []] and new_states == states

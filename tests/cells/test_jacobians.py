"""Every cell's one-step Jacobians, J_s = ∂s_t/∂s_{t-1} and J_x = ∂s_t/∂x_t, entry by
entry against central differences of the app's own step (float64 arithmetic), at steps
of a real trace: gates away from 0.5 and, for the clockwork RNN, idle and ticking modules."""

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.cells.cwrnn import ClockState
from app.cells.lstm import LSTMState
from app.cells.rnn import HiddenState
from tests.helpers import tiny_model
from tests.training.test_gradients import CONFIGS, IDS

EPS = 1e-6


def state_of(cell_name, names, s, t):
    """The cell's state from the stacked vector s = [C, h] or [h], at step t."""
    parts = np.split(s, len(names))
    if cell_name == "cwrnn":
        return ClockState(parts[0], t)
    return LSTMState(*parts) if len(names) == 2 else HiddenState(parts[0])


def central_differences(f, point):
    columns = []
    for k in range(len(point)):
        step = np.zeros_like(point)
        step[k] = EPS
        columns.append((f(point + step) - f(point - step)) / (2 * EPS))
    return np.stack(columns, axis=1)


@pytest.mark.parametrize("cell_name,options", CONFIGS, ids=IDS)
def test_one_step_jacobians_match_central_differences(cell_name, options):
    small = tiny_model(seed=3, hidden=6, layers=2, cell=cell_name, options=options)
    cell, names = small.cell, small.cell.states
    layers = tuple(  # every weight in float64, so the differences are exact
        cell.params_from_arrays(cell.params_to_arrays(p, k), k, small.cell_options, dtype=np.float64)
        for k, p in enumerate(small.layers)
    )
    model = dataclasses.replace(small, layers=layers, embedding=small.embedding.astype(np.float64))
    ids = np.random.default_rng(3).integers(0, model.vocab_size, 7)
    records, _ = model.forward(ids, model.zero_state())
    layer_hs = [model.inputs(ids).astype(np.float64)] + [
        np.stack([r.h for r in rs]).astype(np.float64) for rs in records
    ]
    for layer in (0, 1):
        params = model.layers[layer]
        for t in (1, 4, 5):  # with periods 1, 2: a ticking step and idle ones
            below = records[layer - 1][t] if layer > 0 else None
            prev = {name: getattr(records[layer][t - 1], name).astype(np.float64) for name in names}
            s_prev, x = np.concatenate([prev[name] for name in names]), layer_hs[layer][t]

            def s_next(s, x, t=t, below=below, params=params):
                zx = cell.input_projection(params, x[None], None if below is None else [below])[0]
                record = cell.step_projected(params, state_of(cell_name, names, s, t), zx)
                return np.concatenate([getattr(record, name) for name in names])

            j_s, j_x = cell.jacobian(params, prev, records[layer][t], below)
            label = f"{cell_name} {options}, layer {layer}, t = {t}"
            assert_allclose(
                j_s,
                central_differences(lambda s, x=x: s_next(s, x), s_prev),
                rtol=1e-6,
                atol=1e-8,
                err_msg=label + ": J_s",
            )
            assert_allclose(
                j_x,
                central_differences(lambda x, s_prev=s_prev: s_next(s_prev, x), x),
                rtol=1e-6,
                atol=1e-8,
                err_msg=label + ": J_x",
            )

"""Parity with PyTorch's nn.LSTM, an independent implementation of the same cell."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch", reason="PyTorch is the reference: install the 'torch' extra (make test does)")

from app.cells.lstm import LSTM, params_from_arrays, step, zero_state  # noqa: E402


@pytest.mark.parametrize("seed", range(4))
def test_every_step_matches_torch_nn_lstm(seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    hidden, inputs, steps = int(rng.integers(2, 40)), int(rng.integers(1, 20)), 30
    reference = torch.nn.LSTM(inputs, hidden, num_layers=1)
    xs = torch.randn(steps, 1, inputs)
    with torch.no_grad():
        h_ref, _ = reference(xs)
    arrays = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    records = LSTM.trace(params_from_arrays(arrays, 0), xs[:, 0].numpy(), zero_state(hidden))

    h = np.stack([r.h for r in records])
    assert_allclose(h, h_ref[:, 0].numpy(), rtol=1e-4, atol=1e-6, err_msg=f"h, seed {seed}")


def test_cell_state_matches_torch_lstm_cell():
    torch.manual_seed(7)
    cell = torch.nn.LSTMCell(5, 9)
    x = torch.randn(12, 5)
    arrays = {f"{k}_l0": v.detach().numpy() for k, v in cell.state_dict().items()}
    params = params_from_arrays(arrays, 0)
    state = zero_state(9)
    h_t, c_t = torch.zeros(1, 9), torch.zeros(1, 9)
    for t in range(12):
        with torch.no_grad():
            h_t, c_t = cell(x[t : t + 1], (h_t, c_t))
        record = step(params, state, x[t].numpy())
        assert_allclose(record.c, c_t[0].numpy(), rtol=1e-4, atol=1e-6)
        assert_allclose(record.h, h_t[0].numpy(), rtol=1e-4, atol=1e-6)
        state = record.state()

"""Gradient flow against PyTorch autograd, an independent differentiation of the same cells."""

import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.analysis.gradient_flow import GradientFlowUnavailable, gradient_flow
from app.models.registry import ModelRegistry

torch = pytest.importorskip("torch", reason="PyTorch is the reference: install the 'torch' extra (make test does)")

TEXT = "I grew up in France"


def model_and_inputs(name):
    model = ModelRegistry().get(name)
    ids = np.array([t.id for t in model.tokenizer.encode(TEXT)])
    xs = torch.tensor(model.embedding[ids], dtype=torch.float64)
    return model, ids, xs


def torch_cell(model):
    """The bundled model's layer as a float64 torch cell with the same weights."""
    params = model.layers[0]
    kind = {"lstm": torch.nn.LSTMCell, "rnn": torch.nn.RNNCell, "gru": torch.nn.GRUCell}[model.cell.name]
    cell = kind(params.input_size, params.hidden_size).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(params.weight_ih))
        cell.weight_hh.copy_(torch.tensor(params.weight_hh))
        if model.cell.name == "gru":  # nn.GRU's own two biases: b_ih, and b_hh (r multiplies its n part)
            cell.bias_ih.copy_(torch.tensor(params.bias))
            cell.bias_hh.copy_(torch.tensor(params.bias_hh))
        else:
            cell.bias_ih.copy_(torch.tensor(params.bias))
            cell.bias_hh.zero_()
    return cell


def run(cell, xs, lstm, start=0, state=None):
    H = cell.hidden_size
    state = state or ((torch.zeros(H, dtype=torch.float64),) * (2 if lstm else 1))
    for x in xs[start:]:
        if lstm:
            h, c = cell(x[None], (state[1][None], state[0][None]))
            state = (c[0], h[0])
        else:
            state = (cell(x[None], state[0][None])[0],)
    return state  # (c, h) or (h,)


@pytest.mark.parametrize("name", ["lstm-demo", "rnn-demo", "gru-demo"])
def test_input_gradients_match_torch_autograd(name):
    model, ids, xs = model_and_inputs(name)
    cell = torch_cell(model)
    lstm = model.cell.name == "lstm"
    jacobian = torch.autograd.functional.jacobian(lambda inputs: run(cell, inputs, lstm)[-1], xs)  # (H, T, X)
    expected = [float(torch.linalg.norm(jacobian[:, t, :])) for t in range(len(ids))]
    flow = gradient_flow(model, ids)
    assert_allclose(flow.input_norms, expected, rtol=2e-4, atol=1e-9)


def test_the_belt_gradient_matches_torch_autograd():
    model, ids, xs = model_and_inputs("lstm-demo")
    cell = torch_cell(model)
    flow = gradient_flow(model, ids)
    T = len(ids)
    for t in (0, 5, T - 3):
        with torch.no_grad():
            c_t, h_t = run(cell, xs[: t + 1], True)
        jacobian = torch.autograd.functional.jacobian(
            lambda c, t=t, h_t=h_t: run(cell, xs, True, t + 1, (c, h_t))[0], c_t
        )
        assert flow.state_norms[t] == pytest.approx(float(torch.linalg.norm(jacobian)), rel=2e-4)
    assert flow.state == "c" and flow.state_norms[-1] == pytest.approx(4.0)  # ∂C/∂C = I, ‖I‖ = √16


def test_the_article_gru_matches_central_differences():
    model, ids, _ = model_and_inputs("gru-article-demo")
    flow = gradient_flow(model, ids)
    params, cell = model.layers[0], model.cell
    xs = model.embedding[ids].astype(np.float64)

    def h_last(inputs):
        state = cell.zero_state(params.hidden_size, np.float64)
        records = cell.trace(params, inputs.astype(np.float32), state)
        return records[-1].h.astype(np.float64)

    for t in (0, len(ids) // 2, len(ids) - 1):
        columns = []
        for k in range(xs.shape[1]):
            step = np.zeros_like(xs)
            step[t, k] = 1e-2
            columns.append((h_last(xs + step) - h_last(xs - step)) / 2e-2)
        assert flow.input_norms[t] == pytest.approx(np.linalg.norm(np.stack(columns, 1)), rel=2e-2)


def test_cells_without_jacobians_say_so():
    model, ids, _ = model_and_inputs("cwrnn-demo")  # every cell declares one now; a cell given None would say so
    model = dataclasses.replace(model, cell=dataclasses.replace(model.cell, jacobian=None))
    with pytest.raises(GradientFlowUnavailable, match="cwrnn"):
        gradient_flow(model, ids)


@pytest.mark.parametrize("name,layer", [("peephole-demo", 0), ("cifg-demo", 0), ("dglstm-demo", 1), ("cwrnn-demo", 0)])
def test_every_cell_has_gradient_flow(name, layer):
    model, ids, _ = model_and_inputs(name)
    flow = gradient_flow(model, ids, layer)
    assert len(flow.input_norms) == len(flow.state_norms) == len(ids)
    assert flow.state == ("h" if name == "cwrnn-demo" else "c")
    assert flow.state_norms[-1] == pytest.approx(np.sqrt(model.hidden_size))  # ∂s_T/∂s_T = I
    assert all(np.isfinite(flow.input_norms)) and flow.input_norms[-1] > 0

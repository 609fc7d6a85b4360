import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.cells import get_cell
from app.training.optim import Adam, clip_grad_norm

torch = pytest.importorskip("torch", reason="PyTorch is the reference: install the 'torch' extra (make test does)")


def test_adam_matches_torch_adam_over_several_steps():
    rng = np.random.default_rng(0)
    params = {"w": rng.normal(size=(3, 4)).astype(np.float32), "b": rng.normal(size=4).astype(np.float32)}
    reference = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in params.items()}
    torch_adam = torch.optim.Adam(reference.values(), lr=0.01)
    adam = Adam(lr=0.01)
    for _ in range(5):
        grads = {k: rng.normal(size=v.shape).astype(np.float32) for k, v in params.items()}
        for k, g in grads.items():
            reference[k].grad = torch.tensor(g)
        torch_adam.step()
        adam.update(params, grads)
    for k in params:
        assert_allclose(params[k], reference[k].detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_clipping_scales_all_gradients_together_like_torch():
    rng = np.random.default_rng(1)
    grads = {"a": rng.normal(size=(5, 5)).astype(np.float32) * 10, "b": rng.normal(size=3).astype(np.float32)}
    tensors = [torch.tensor(g.copy(), requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g.copy())
    expected_norm = torch.nn.utils.clip_grad_norm_(tensors, 1.0)
    norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(float(expected_norm), rel=1e-5)
    for t, g in zip(tensors, grads.values()):
        assert_allclose(g, t.grad.numpy(), rtol=1e-5)


def test_small_gradients_are_left_alone():
    grads = {"a": np.array([0.3, 0.4], np.float32)}
    assert clip_grad_norm(grads, 1.0) == pytest.approx(0.5)
    assert_allclose(grads["a"], [0.3, 0.4])


def test_forget_bias_decay_touches_only_the_forget_rows_of_the_lstm_biases():
    from app.training.optim import decay_forget_bias

    hidden = 2
    params = {
        "rnn.bias_ih_l0": np.arange(8, dtype=np.float32),
        "rnn.bias_hh_l0": np.full(8, -1, np.float32),
        "rnn.weight_hh_l0": np.ones((8, 2), np.float32),
    }
    grads = {key: np.zeros_like(value) for key, value in params.items()}
    decay_forget_bias(params, grads, get_cell("lstm").rows("f", hidden), decay=0.5)
    assert grads["rnn.bias_ih_l0"].tolist() == [0, 0, 1.0, 1.5, 0, 0, 0, 0]  # rows i, f, g, o: only f (2, 3) decays
    assert grads["rnn.bias_hh_l0"].tolist() == [0, 0, -0.5, -0.5, 0, 0, 0, 0]
    assert not grads["rnn.weight_hh_l0"].any()


def test_each_cell_with_a_forget_gate_says_where_its_rows_are_and_the_others_have_none():
    hidden = 3
    assert get_cell("lstm").rows("f", hidden) == slice(3, 6)  # i, f, g, o
    assert get_cell("peephole").rows("f", hidden) == get_cell("dglstm").rows("f", hidden) == slice(3, 6)
    assert get_cell("cifg").rows("f", hidden) == slice(0, 3)  # f, g, o: i is 1 − f
    assert not any(get_cell(cell).has_forget_gate for cell in ("rnn", "gru", "cwrnn"))

"""Parity with PyTorch autograd: the same weights in nn.Embedding + nn.LSTM / nn.RNN /
nn.GRU + nn.Linear, the same loss, and every parameter's gradient compared."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

torch = pytest.importorskip("torch", reason="PyTorch is the reference: install the 'torch' extra (make test does)")

from app.training import network  # noqa: E402
from app.training.network import IGNORE, Shape  # noqa: E402

TORCH_RNNS = {"lstm": torch.nn.LSTM, "rnn": torch.nn.RNN, "gru": torch.nn.GRU}


class TorchLanguageModel(torch.nn.Module):
    """PyTorch's word-language-model layout: encoder, rnn, decoder."""

    def __init__(self, shape: Shape):
        super().__init__()
        self.encoder = torch.nn.Embedding(shape.vocab, shape.embed)
        self.rnn = TORCH_RNNS[shape.cell](shape.embed, shape.hidden, num_layers=shape.layers)
        self.decoder = torch.nn.Linear(shape.hidden, shape.vocab)

    def forward(self, ids, state):
        out, _ = self.rnn(self.encoder(ids), state)
        return self.decoder(out)


def torch_state(shape, states):
    """Our per-layer (h,) or (c, h) tuples as PyTorch's stacked (L, B, H) tensors."""
    h = torch.tensor(np.stack([s[-1] for s in states]))
    if shape.cell != "lstm":
        return h
    return h, torch.tensor(np.stack([s[0] for s in states]))


@pytest.mark.parametrize("cell", sorted(TORCH_RNNS))
@pytest.mark.parametrize("layers", [1, 2])
def test_every_gradient_matches_torch_autograd(cell, layers):
    rng = np.random.default_rng(layers)
    shape = Shape(cell=cell, vocab=11, hidden=8, layers=layers, embed=6)
    params = network.init_params(shape, seed=layers)
    steps, batch = 20, 4
    ids = rng.integers(0, shape.vocab, (steps, batch))
    targets = rng.integers(0, shape.vocab, (steps, batch))
    targets[rng.random((steps, batch)) < 0.3] = IGNORE
    states = [
        tuple(rng.normal(0, 0.5, s.shape).astype(np.float32) for s in state)
        for state in network.zero_states(shape, batch)
    ]

    reference = TorchLanguageModel(shape)
    reference.load_state_dict({key: torch.tensor(value) for key, value in params.items()})
    logits = reference(torch.tensor(ids), torch_state(shape, states))
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, shape.vocab), torch.tensor(targets).reshape(-1), ignore_index=IGNORE
    )
    loss.backward()

    ours = network.step(shape, params, ids, targets, states)
    assert ours.loss == pytest.approx(loss.item(), rel=1e-5)
    for key, parameter in reference.named_parameters():
        assert_allclose(
            ours.grads[key], parameter.grad.numpy(), rtol=1e-4, atol=1e-6, err_msg=f"{cell}, {layers} layers: {key}"
        )

"""PyTorch as the reference for imported models: the word-language-model example's
RNNModel (without dropout), run one token at a time so that every layer's h_t (and
C_t) is seen, and the import run through the command line as a user runs it."""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.cli import main
from app.models.format import load_model
from app.tracing.session import TraceSession

torch = pytest.importorskip("torch", reason="PyTorch is the reference: install the 'torch' extra (make test does)")

RECURRENT = {"LSTM": torch.nn.LSTM, "GRU": torch.nn.GRU, "RNN_TANH": torch.nn.RNN}
# Index order as a user's vocab.txt would have it: <unk>, then the characters, the space among them.
CHAR_VOCAB = ("<unk>", " ", *string.ascii_lowercase, ".")


class WordLanguageModel(torch.nn.Module):
    """encoder → rnn → decoder, the state_dict layout `gatescope import torch` reads."""

    def __init__(self, kind: str, vocab: int, embed: int, hidden: int, layers: int, **rnn_options):
        super().__init__()
        self.encoder = torch.nn.Embedding(vocab, embed)
        self.rnn = RECURRENT[kind](embed, hidden, layers, **rnn_options)
        self.decoder = torch.nn.Linear(hidden, vocab)


def write_vocab(path: Path, tokens=CHAR_VOCAB) -> Path:
    path.write_text("".join(f"{token}\n" for token in tokens), encoding="utf-8")
    return path


def import_torch(tmp_path: Path, state_dict: dict, *options: str, vocab=CHAR_VOCAB) -> Path:
    """Save the state_dict, then `gatescope import torch` it; the written model's path."""
    torch.save(state_dict, tmp_path / "model.pt")
    output = tmp_path / "imported.npz"
    argv = [
        "import",
        "torch",
        str(tmp_path / "model.pt"),
        "--vocab",
        str(write_vocab(tmp_path / "vocab.txt", vocab)),
        "-o",
        str(output),
        *options,
    ]
    assert main(argv) == 0
    return output


def run_import(capsys, source: str, path: Path, *options: str) -> tuple[int, str, str]:
    """`gatescope import SOURCE PATH` with CHAR_VOCAB, writing m.npz beside PATH, as a user
    runs it: its exit code, output and error (no message carries terminal colour codes)."""
    vocab = write_vocab(path.parent / "v.txt")
    code = main(["import", source, str(path), "--vocab", str(vocab), "-o", str(path.parent / "m.npz"), *options])
    out, err = capsys.readouterr()
    assert "\x1b" not in out + err
    return code, out, err.strip()


def torch_steps(module: WordLanguageModel, ids: list[int]) -> list[dict]:
    """Per step: every layer's h (and c for an LSTM) and the decoder's probabilities."""
    steps, state = [], None
    with torch.no_grad():
        for token in ids:
            x = module.encoder(torch.tensor([[token]]))  # (1, 1, E)
            out, state = module.rnn(x, state)
            h, c = state if isinstance(state, tuple) else (state, None)
            steps.append(
                {
                    "h": h[:, 0].numpy().copy(),  # (L, H)
                    "c": None if c is None else c[:, 0].numpy().copy(),
                    "p": torch.softmax(module.decoder(out[0, 0]), dim=-1).numpy(),
                }
            )
    return steps


def assert_trace_matches(model_path: Path, text: str, expected: list[dict], context: str = "") -> None:
    """Our trace of `text` against PyTorch's steps, to float32 precision."""
    model = load_model(model_path)
    session = TraceSession(model)
    ours = session.run(session.tokenize(text))
    assert len(ours) == len(expected)
    for t, (step, reference) in enumerate(zip(ours, expected)):
        for layer, record in enumerate(step.layers):
            where = f"layer {layer}, t={t} {context}"
            assert_allclose(record.h, reference["h"][layer], rtol=1e-4, atol=1e-6, err_msg=f"h, {where}")
            if reference["c"] is not None:
                assert_allclose(record.c, reference["c"][layer], rtol=1e-4, atol=1e-6, err_msg=f"c, {where}")
        p = model.next_token_probabilities(step.layers[-1].h[None])[0]  # the whole distribution, not the top k
        assert_allclose(p, reference["p"], rtol=1e-4, atol=1e-7, err_msg=f"p, t={t} {context}")
        assert_allclose(step.predictions[1], p[step.predictions[0]], rtol=1e-5, err_msg=f"top k, t={t} {context}")


def random_text(rng: np.random.Generator, length: int = 24) -> str:
    return "".join(rng.choice(list(CHAR_VOCAB[1:]), length))

"""Small models and weights for tests, drawn from a seeded generator."""

from __future__ import annotations

import numpy as np

from app.cells import get_cell
from app.cells.lstm import LSTMParams
from app.models.model import Model
from app.models.seeded import default_options, random_layers
from app.models.tokenizers import CharTokenizer, WordTokenizer
from app.tracing.wire import ERROR_BOUND

CELL_NAMES = ("rnn", "lstm", "peephole", "cifg", "gru", "dglstm", "cwrnn")
API_ROUNDING = 0.5e-5  # GATESCOPE_DECIMALS = 5: the API's JSON values are the float32 rounded to 5 decimals
WIRE_BOUND = ERROR_BOUND + API_ROUNDING  # a binary frame's value against the API's JSON for the same step


def random_lstm_params(rng: np.random.Generator, hidden: int, inputs: int, scale: float = 0.5) -> LSTMParams:
    return LSTMParams(
        weight_ih=rng.normal(0, scale, (4 * hidden, inputs)).astype(np.float32),
        weight_hh=rng.normal(0, scale, (4 * hidden, hidden)).astype(np.float32),
        bias=rng.normal(0, scale, 4 * hidden).astype(np.float32),
    )


def tiny_model(
    seed: int = 0,
    hidden: int = 5,
    layers: int = 1,
    embed: int | None = 3,
    decoder: bool = True,
    word: bool = False,
    name: str = "tiny",
    cell: str = "lstm",
    options: dict | None = None,
) -> Model:
    """A small char- (or word-) level model of any cell; `options` default to every
    optional part (all peepholes, nn.GRU's form, as many clockwork modules as fit)."""
    rng = np.random.default_rng(seed)
    if word:
        tokenizer = WordTokenizer(vocab=("<unk>", "i", "grew", "up", "in", "france", "."), lowercase=True)
    else:
        tokenizer = CharTokenizer(vocab=("<unk>", " ", *"abcdefghijklmnopqrstuvwxyzIF."))
    vocab = len(tokenizer.vocab)
    inputs = embed if embed is not None else vocab
    kind = get_cell(cell)
    options = default_options(kind, hidden) if options is None else options
    stack = random_layers(kind, rng, hidden, inputs, layers, options, scale=0.5)
    return Model(
        name=name,
        cell=kind,
        tokenizer=tokenizer,
        layers=stack,
        embedding=rng.normal(0, 1, (vocab, embed)).astype(np.float32) if embed is not None else None,
        decoder_weight=rng.normal(0, 1, (vocab, hidden)).astype(np.float32) if decoder else None,
        decoder_bias=rng.normal(0, 1, vocab).astype(np.float32) if decoder else None,
        description="a tiny test model",
        trained=False,
    )


def bundled_names() -> list[str]:
    """The models shipped in app/models/bundled, as the registry lists them (sorted)."""
    from app.models.registry import BUNDLED_DIR

    return [path.stem for path in sorted(BUNDLED_DIR.glob("*.npz"))]  # in file-name order, as listed

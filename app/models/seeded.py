"""The bundled default model until trained demo models arrive: an LSTM with random,
seeded weights. It is labelled untrained everywhere it appears.

Re-create it with:  python -m app.models.seeded -o app/models/bundled/lstm-demo.npz
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path

import numpy as np

from app.cells.lstm import LSTM, LSTMParams
from app.models.format import save_model
from app.models.model import Model
from app.models.tokenizers import CharTokenizer

# Printable ASCII and newline: what an English sentence is made of; anything else is <unk>.
CHAR_VOCAB = ("<unk>", "\n", *(c for c in string.printable if c.isprintable()))


def seeded_lstm(name: str = "lstm-demo", hidden: int = 16, embed: int = 8, seed: int = 0) -> Model:
    """A one-layer char-level LSTM with a decoder. The weights are drawn at a larger
    scale than PyTorch's U(±1/√H) so the gates spread over [0, 1] and the diagram has
    something to show; the forget bias starts at +1, the usual choice for training."""
    rng = np.random.default_rng(seed)
    vocab = len(CHAR_VOCAB)
    scale = 1.5 / np.sqrt(hidden)

    def draw(*shape: int) -> np.ndarray:
        return rng.normal(0.0, scale, shape).astype(np.float32)

    bias = draw(4 * hidden)
    bias[hidden : 2 * hidden] += 1.0  # rows i, f, g, o: the f block
    layer = LSTMParams(weight_ih=draw(4 * hidden, embed), weight_hh=draw(4 * hidden, hidden), bias=bias)
    return Model(
        name=name,
        cell=LSTM,
        tokenizer=CharTokenizer(vocab=CHAR_VOCAB),
        layers=(layer,),
        embedding=rng.normal(0.0, 1.0, (vocab, embed)).astype(np.float32),
        decoder_weight=draw(vocab, hidden),
        decoder_bias=np.zeros(vocab, np.float32),
        description=(
            f"Untrained: a character-level LSTM (H = {hidden}) with random weights (seed {seed}). "
            "Its gates really compute, but it has learned nothing yet, so its guesses are noise."
        ),
        trained=False,
        info={"seed": seed, "training": None},
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    save_model(seeded_lstm(seed=args.seed), args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

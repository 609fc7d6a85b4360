"""The bundled default model until trained demo models arrive: an LSTM with random,
seeded weights. It is labelled untrained everywhere it appears.

Re-create it with:  python -m app.models.seeded -o app/models/bundled/lstm-demo.npz
Re-create every bundled untrained demo:  python -m app.models.seeded --all -o app/models/bundled
An untrained model of any other cell:  python -m app.models.seeded --cell gru -o gru.npz
"""

from __future__ import annotations

import argparse
import string
from pathlib import Path
from typing import Required, TypedDict

import numpy as np

from app.cells import CELLS, Cell, get_cell
from app.cells.lstm import LSTM, LSTMParams
from app.models.chinese import untrained_description
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
        info={"seed": seed, "training": None, "description_zh": untrained_description("lstm", 1, hidden, seed)},
    )


def default_options(cell: Cell, hidden: int) -> dict:
    """Every optional part switched on: all three peepholes, nn.GRU's form, and as many
    clockwork modules (up to 4, periods 1, 2, 4, 8) as split H evenly."""
    return cell.default_options(hidden)


def random_layers(
    cell: Cell, rng: np.random.Generator, hidden: int, inputs: int, count: int, options: dict, scale: float
) -> tuple:
    """`count` layers of `cell` with every array the model file would hold drawn from N(0, scale²)."""
    layers = []
    for layer in range(count):
        shapes = cell.layer_shapes(layer, hidden, inputs if layer == 0 else hidden, options)
        arrays = {key: rng.normal(0.0, scale, shape).astype(np.float32) for key, shape in shapes.items()}
        layers.append(cell.params_from_arrays(arrays, layer, options))
    return tuple(layers)


def seeded_model(
    cell_name: str,
    hidden: int = 16,
    embed: int = 8,
    layers: int = 1,
    seed: int = 0,
    name: str | None = None,
    options: dict | None = None,
) -> Model:
    """An untrained char-level model of any cell, drawn like seeded_lstm's weights;
    `options` (e.g. {"gru_variant": "article"}) replace default_options."""
    cell = get_cell(cell_name)
    rng = np.random.default_rng(seed)
    vocab = len(CHAR_VOCAB)
    scale = 1.5 / np.sqrt(hidden)
    stack = random_layers(cell, rng, hidden, embed, layers, options or default_options(cell, hidden), scale)
    return Model(
        name=name or f"{cell.name}-demo",
        cell=cell,
        tokenizer=CharTokenizer(vocab=CHAR_VOCAB),
        layers=stack,
        embedding=rng.normal(0.0, 1.0, (vocab, embed)).astype(np.float32),
        decoder_weight=rng.normal(0.0, scale, (vocab, hidden)).astype(np.float32),
        decoder_bias=np.zeros(vocab, np.float32),
        description=(
            f"Untrained: a character-level {cell.title} ({layers} × {hidden} units) with random weights "
            f"(seed {seed}). It really computes, but it has learned nothing yet, so its guesses are noise."
        ),
        trained=False,
        info={"seed": seed, "training": None, "description_zh": untrained_description(cell.name, layers, hidden, seed)},
    )


class DemoRecipe(TypedDict, total=False):
    """seeded_model's arguments for one bundled demo."""

    cell_name: Required[str]
    layers: int
    options: dict


# The untrained demo of every cell that ships with the app, so a student can switch
# between the article's cells on the same text: file stem -> seeded_model arguments.
BUNDLED_DEMOS: dict[str, DemoRecipe] = {
    "rnn-demo": {"cell_name": "rnn"},
    "peephole-demo": {"cell_name": "peephole"},
    "cifg-demo": {"cell_name": "cifg"},
    "gru-demo": {"cell_name": "gru"},
    "gru-article-demo": {"cell_name": "gru", "options": {"gru_variant": "article"}},
    "dglstm-demo": {"cell_name": "dglstm", "layers": 2},
    "cwrnn-demo": {"cell_name": "cwrnn"},
}


def write_bundled_demos(folder: Path) -> None:
    """Re-create every bundled untrained demo: lstm-demo and one per other cell."""
    save_model(seeded_lstm(), folder / "lstm-demo.npz")
    for name, arguments in BUNDLED_DEMOS.items():
        save_model(seeded_model(name=name, **arguments), folder / f"{name}.npz")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cell", choices=sorted(CELLS), help="any cell (default: the bundled LSTM demo's recipe)")
    parser.add_argument("--layers", type=int, default=1, help="with --cell: stacked layers")
    parser.add_argument("--hidden", type=int, default=16, help="with --cell: units per layer")
    parser.add_argument("--gru-variant", choices=("pytorch", "article"), help="with --cell gru: its formulation")
    parser.add_argument("--all", action="store_true", help="write every bundled demo into the folder -o names")
    args = parser.parse_args(argv)
    if args.all:
        write_bundled_demos(args.output)
        print(f"wrote the bundled demos into {args.output}")
        return
    if args.cell:
        options = {"gru_variant": args.gru_variant} if args.gru_variant else None
        model = seeded_model(args.cell, hidden=args.hidden, layers=args.layers, seed=args.seed, options=options)
    else:
        model = seeded_lstm(seed=args.seed)
    save_model(model, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()

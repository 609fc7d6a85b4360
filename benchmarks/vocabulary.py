"""Next-token guesses with a very large vocabulary: the whole T × V softmax and a sort of
every step ("before") against top-k by partial selection over chunks of rows bounded in
bytes (Model.top_predictions, "after"), side by side in one run.

    nice -n 10 .venv/bin/python benchmarks/vocabulary.py [--vocab 1000000] [--tokens 64 500] [--hidden 64]

A word-level model with a random decoder (V × H, float32) reads T tokens; each side picks
the top 5 guesses of every step (they must agree). "Extra memory" is the peak of NumPy's
allocations during the call (tracemalloc), above what was held before; the decoder itself
(V × H) is the model's and not counted.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cells import get_cell  # noqa: E402
from app.models.model import Model  # noqa: E402
from app.models.seeded import random_layers  # noqa: E402
from app.models.tokenizers import WordTokenizer  # noqa: E402
from benchmarks.machine import describe, measured  # noqa: E402

MiB = 2**20
TOP_K = 5


def big_model(vocab: int, hidden: int) -> Model:
    rng = np.random.default_rng(0)
    cell = get_cell("lstm")
    return Model(
        name="big",
        cell=cell,
        tokenizer=WordTokenizer(vocab=("<unk>", *(f"w{i}" for i in range(1, vocab)))),
        layers=random_layers(cell, rng, hidden, hidden, 1, {}, scale=0.5),
        embedding=rng.normal(0, 1, (vocab, hidden)).astype(np.float32),
        decoder_weight=rng.normal(0, 1, (vocab, hidden)).astype(np.float32),
        decoder_bias=rng.normal(0, 1, vocab).astype(np.float32),
    )


def sort_everything(model: Model, h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As it was: every step's whole distribution, sorted."""
    probabilities = model.next_token_probabilities(h)  # (T, V)
    ids = np.stack([np.argsort(p)[::-1][:TOP_K] for p in probabilities])
    return ids, np.take_along_axis(probabilities, ids, axis=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vocab", type=int, default=1_000_000)
    parser.add_argument("--tokens", type=int, nargs="+", default=[64, 500])
    parser.add_argument("--hidden", type=int, default=64)
    args = parser.parse_args()
    print(describe())
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    model = big_model(args.vocab, args.hidden)
    print(f"V = {args.vocab:,}, H = {args.hidden}, decoder {model.decoder_weight.nbytes / MiB:.0f} MiB\n")
    print("| T | before: time | before: extra memory | after: time | after: extra memory |")
    print("|---|---|---|---|---|")
    rng = np.random.default_rng(1)
    for tokens in args.tokens:
        h = np.tanh(rng.normal(0, 1, (tokens, args.hidden))).astype(np.float32)
        (ids, p), before_s, before_mib = measured(lambda: sort_everything(model, h))  # noqa: B023
        (top, top_p), after_s, after_mib = measured(lambda: model.top_predictions(h, TOP_K))  # noqa: B023
        assert (ids == top).all(), "the two sides picked different tokens"
        np.testing.assert_allclose(p, top_p, rtol=1e-4)  # float32 sums of a million terms, in two orders
        print(
            f"| {tokens} | {before_s:.2f} s ({before_s / tokens * 1e3:.0f} ms a token) | {before_mib:,.0f} MiB "
            f"| {after_s:.2f} s ({after_s / tokens * 1e3:.0f} ms a token) | {after_mib:,.0f} MiB |"
        )


if __name__ == "__main__":
    main()

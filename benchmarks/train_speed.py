"""Seconds per training batch of the NumPy trainer: forward, backward and Adam on a
char-level language model (one-hot input, decoder at every step), float32.

    nice -n 10 .venv/bin/python benchmarks/train_speed.py [--hidden 128 256] [--cell lstm]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from app.training import network
from app.training.network import Shape
from app.training.optim import Adam, clip_grad_norm


def seconds_per_batch(cell: str, hidden: int, vocab: int, batch: int, steps: int, repeats: int) -> float:
    shape = Shape(cell=cell, vocab=vocab, hidden=hidden)
    params = network.init_params(shape, seed=0)
    rng = np.random.default_rng(0)
    ids = rng.integers(0, vocab, (steps, batch))
    targets = rng.integers(0, vocab, (steps, batch))
    states, adam = network.zero_states(shape, batch), Adam()
    times = []
    for _ in range(repeats + 1):  # the first one warms caches up and is dropped
        start = time.perf_counter()
        outcome = network.step(shape, params, ids, targets, states)
        clip_grad_norm(outcome.grads, 5.0)
        adam.update(params, outcome.grads)
        states = outcome.states
        times.append(time.perf_counter() - start)
    return float(np.median(times[1:]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cell", nargs="+", default=["lstm"])
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 256])
    parser.add_argument(
        "--vocab", type=int, default=100, help="one-hot input and decoder size (default: %(default)s characters)"
    )
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    print("| cell | H | batch × steps | s per batch |\n|---|---|---|---|")
    for cell in args.cell:
        for hidden in args.hidden:
            s = seconds_per_batch(cell, hidden, args.vocab, args.batch, args.steps, args.repeats)
            print(f"| {cell} | {hidden} | {args.batch} × {args.steps} | {s:.3f} |")


if __name__ == "__main__":
    main()

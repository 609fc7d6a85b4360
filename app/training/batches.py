"""Windows of training data: token ids and targets, time-major (T, B).

Two ways to cut data into windows:
- sequence batches: B independent sequences (a task's samples), padded to the longest;
  each window starts from a zero state;
- stream batches: one long text cut into B parallel streams, read in windows of T
  tokens; each window starts from the state the previous one ended in (truncated BPTT);
- document batches: the same, but each document (a source file for `code`, a paragraph
  for `prose`) starts a window from a zero state in its stream (the window's `reset`), as
  the app reads a text; padding fills each document out to whole windows.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from app.training.network import IGNORE


@dataclass(frozen=True)
class Batch:
    ids: np.ndarray  # (T, B) token ids
    targets: np.ndarray  # (T, B) the id to predict at each position, IGNORE where none
    carry_state: bool  # True: continue from the previous window's state
    reset: np.ndarray | None = None  # (B,) bool: streams that start afresh here, from a zero state, even when carrying


def sequence_batch(samples: Sequence[tuple[Sequence[int], Sequence[int]]], pad_id: int) -> Batch:
    """B (ids, targets) samples, padded at the end with pad_id and IGNORE targets."""
    steps = max(len(ids) for ids, _ in samples)
    ids = np.full((steps, len(samples)), pad_id, np.int64)
    targets = np.full((steps, len(samples)), IGNORE, np.int64)
    for column, (sample_ids, sample_targets) in enumerate(samples):
        ids[: len(sample_ids), column] = sample_ids
        targets[: len(sample_targets), column] = sample_targets
    return Batch(ids, targets, carry_state=False)


def stream_batches(tokens: np.ndarray, batch: int, window: int, offset: int = 0) -> Iterator[Batch]:
    """A language model's windows: stream b reads tokens[b·n : (b+1)·n] (n = len // B),
    predicting each next token. `offset` shifts where the windows start (vary it per
    epoch so a window boundary does not always fall in the same place)."""
    length = (len(tokens) - 1 - offset) // batch
    if length < 1:
        raise ValueError(f"{len(tokens)} tokens are too few for {batch} streams")
    streams = tokens[offset : offset + batch * length + 1]
    inputs = np.stack([streams[b * length : (b + 1) * length] for b in range(batch)], axis=1)  # (n, B)
    targets = np.stack([streams[b * length + 1 : (b + 1) * length + 1] for b in range(batch)], axis=1)
    for start in range(0, length, window):
        yield Batch(inputs[start : start + window], targets[start : start + window], carry_state=start > 0)


def document_batches(
    documents: Sequence[np.ndarray], batch: int, window: int, pad_id: int, rng: np.random.Generator
) -> Iterator[Batch]:
    """Documents dealt, longest first, each to the shortest of B streams (so the streams
    end close together), then read in a random order within each stream; each padded to
    whole windows, where nothing is predicted."""
    streams: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in range(batch)]
    lengths = np.zeros(batch, np.int64)
    shuffled = rng.permutation(len(documents))
    for k in sorted(shuffled, key=lambda k: -len(documents[k])):
        tokens = documents[k]
        padded = -(-len(tokens) // window) * window
        ids = np.full(padded, pad_id, np.int64)
        targets = np.full(padded, IGNORE, np.int64)
        ids[: len(tokens)], targets[: len(tokens) - 1] = tokens, tokens[1:]
        b = int(lengths.argmin())
        streams[b].append((ids, targets))
        lengths[b] += padded
    steps = int(lengths.max())
    ids = np.full((steps, batch), pad_id, np.int64)
    targets = np.full((steps, batch), IGNORE, np.int64)
    starts = np.zeros((steps, batch), bool)  # a document starts here
    for b, pieces in enumerate(streams):
        at = 0
        for j in rng.permutation(len(pieces)):
            piece_ids, piece_targets = pieces[j]
            ids[at : at + len(piece_ids), b], targets[at : at + len(piece_ids), b] = piece_ids, piece_targets
            starts[at, b] = True
            at += len(piece_ids)
    for start in range(0, steps, window):
        yield Batch(
            ids[start : start + window], targets[start : start + window], carry_state=start > 0, reset=starts[start]
        )

"""Loss and accuracy summed over windows, and the numbers people read from them."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from app.training import network
from app.training.batches import Batch
from app.training.network import Params, Shape


@dataclass(frozen=True)
class Metrics:
    nats: float = 0.0  # summed cross-entropy over the marked positions
    count: int = 0  # marked positions
    correct: int = 0  # of which the most probable token was the target

    def __add__(self, other: Metrics) -> Metrics:
        return Metrics(self.nats + other.nats, self.count + other.count, self.correct + other.correct)

    @property
    def loss(self) -> float:
        """Mean cross-entropy in nats."""
        return self.nats / max(self.count, 1)

    @property
    def bits(self) -> float:
        """Bits per token (per character for a char model): loss / ln 2."""
        return self.loss / math.log(2)

    @property
    def accuracy(self) -> float:
        return self.correct / max(self.count, 1)

    def as_dict(self) -> dict:
        return {
            "loss": round(self.loss, 4),
            "bits_per_token": round(self.bits, 4),
            "accuracy": round(self.accuracy, 4),
            "positions": self.count,
        }


def of_outcome(outcome: network.Outcome) -> Metrics:
    return Metrics(outcome.loss * outcome.count, outcome.count, outcome.correct)


def evaluate(shape: Shape, params: Params, batches: Iterable[Batch]) -> Metrics:
    """Metrics over windows, carrying state where a window continues the last one."""
    total, states = Metrics(), None
    for batch in batches:
        states = network.window_states(shape, batch, states, params["decoder.weight"].dtype)
        outcome = network.step(shape, params, batch.ids, batch.targets, states, grad=False)
        total, states = total + of_outcome(outcome), outcome.states
    return total


@dataclass(frozen=True)
class Evaluator:
    """A trained network as the tasks measure it: called with windows, the Metrics over
    them (`evaluate`); `logits` gives the decoder's scores for every position, for a task
    whose metric compares some tokens' scores (agreement: was against were)."""

    shape: Shape
    params: Params

    def __call__(self, batches: Iterable[Batch]) -> Metrics:
        return evaluate(self.shape, self.params, batches)

    def logits(self, ids: np.ndarray) -> np.ndarray:
        """(T, B, V) scores after each token of ids (T, B), every sequence read from a zero state."""
        top, *_ = network.run_layers(self.shape, self.params, ids, network.zero_states(self.shape, ids.shape[1]))
        return top @ self.params["decoder.weight"].T + self.params["decoder.bias"]

"""What a task is: generated, seeded samples over a fixed vocabulary, with the
positions to score marked.

A sample is a list of (token, target) pairs: after reading `token` the model should
predict `target`, or nothing is asked there (None). Samples are drawn fresh for every
epoch from the training seed; the validation and test sets come from their own seeds,
so they are sentences the model has (almost surely) not seen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.models.tokenizers import Tokenizer
from app.training.batches import Batch, sequence_batch
from app.training.network import IGNORE
from app.training.trainer import Data

Sample = list[tuple[str, str | None]]

VALIDATION_SEED = 10_000  # added to the training seed: validation draws never share a generator with training
TEST_SEED = 20_000  # `gatescope evaluate` draws from here
LABEL_SEED = 30_000  # and `gatescope label` from here


@dataclass(frozen=True)
class Recipe:
    """A task's default model and training budget: what its bundled model was made with."""

    hidden: int
    embed: int | None  # None: one-hot inputs
    layers: int = 1
    cell: str = "lstm"
    lr: float = 2e-3
    batch: int = 32
    epochs: int | None = None  # epochs, not minutes, for the bundled models: the same on a busy machine
    minutes: float | None = 10.0
    samples_per_epoch: int = 4_000
    validation_samples: int = 1_000


class SequenceTask:
    """Subclasses set the class attributes and write `sample`."""

    name: str = ""
    tokenizer: Tokenizer
    recipe: Recipe
    description: str = ""  # what the UI shows for a model trained on it
    # The tokens after which a target is ever asked, when the task scores only some positions
    # (long-lag: only the language after "fluent"); None: it asks at every position. Written
    # into the model file, so the app can mark guesses the model was never trained to make.
    guesses_after: tuple[str, ...] | None = None
    # True: each epoch's samples are drawn at once and batched by length, so a batch of short
    # samples is not padded to a long one's length (a sample is padded to its batch's longest)
    bucket_by_length: bool = False
    data_description: str = ""  # the generated data, for the model file's info

    def sample(self, rng: np.random.Generator) -> Sample:
        raise NotImplementedError

    def text(self, sample: Sample) -> str:
        """The sample as a person would type it (word tasks join with spaces)."""
        joiner = " " if self.tokenizer.kind == "word" else ""
        return joiner.join(token for token, _ in sample)

    @cached_property
    def index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokenizer.vocab)}

    def encode(self, sample: Sample) -> tuple[list[int], list[int]]:
        """Token and target ids; a token outside the vocabulary is a bug in the task (KeyError)."""
        ids = [self.index[token] for token, _ in sample]
        targets = [IGNORE if target is None else self.index[target] for _, target in sample]
        return ids, targets

    def batches(self, samples: Sequence[Sample], batch: int) -> list[Batch]:
        encoded = [self.encode(s) for s in samples]
        return [sequence_batch(encoded[k : k + batch], self.tokenizer.unk_id) for k in range(0, len(encoded), batch)]

    def draw(self, count: int, seed: int) -> list[Sample]:
        rng = np.random.default_rng(seed)
        return [self.sample(rng) for _ in range(count)]

    def data(self, batch: int, seed: int) -> Data:
        recipe = self.recipe
        validation = self.draw(recipe.validation_samples, seed + VALIDATION_SEED)
        batches_per_epoch = recipe.samples_per_epoch // batch

        def epoch(number: int, rng: np.random.Generator):
            if not self.bucket_by_length:
                for _ in range(batches_per_epoch):
                    yield self.batches([self.sample(rng) for _ in range(batch)], batch)[0]
                return
            samples = sorted((self.sample(rng) for _ in range(batches_per_epoch * batch)), key=len)
            for k in rng.permutation(batches_per_epoch):
                yield self.batches(samples[k * batch : (k + 1) * batch], batch)[0]

        return Data(
            epoch=epoch,
            batches_per_epoch=batches_per_epoch,
            validation=self.batches(sorted(validation, key=len) if self.bucket_by_length else validation, batch),
            score=lambda m: m.accuracy,
            describe=lambda m: f"acc {m.accuracy:.1%}",
        )

    def label_samples(self, count: int, seed: int) -> list[list[str]]:
        """Held-out samples' tokens, for finding labelled units."""
        return [[token for token, _ in sample] for sample in self.draw(count, seed + LABEL_SEED)]

    def test_batches(self, count: int = 2_000, batch: int = 64, seed: int = 0) -> list[Batch]:
        return self.batches(self.draw(count, seed + TEST_SEED), batch)

    def metrics(self, evaluate) -> dict:
        """The held-out numbers stored in a trained model's info; `evaluate(batches) -> Metrics`."""
        return {"test": evaluate(self.test_batches()).as_dict()}

    def report(self, metrics: dict) -> list[str]:
        """Lines for people, from metrics(); tasks with more to say (accuracy per lag) extend it."""
        test = metrics["test"]
        return [f"accuracy {test['accuracy']:.1%} on {test['positions']} scored positions of held-out samples"]

"""`text FILE`: a char- or word-level language model on any UTF-8 text.

The vocabulary is read from the text (for words, the most frequent ones; the rest read
as <unk>). The last tenth is held out for validation, measured from a zero state.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.models.tokenizers import CharTokenizer, Tokenizer, WordTokenizer
from app.training.batches import stream_batches
from app.training.metrics import Metrics
from app.training.tasks.base import Recipe
from app.training.trainer import Data

VALIDATION_FRACTION = 0.1
WINDOW = 100  # steps of truncated BPTT; the speed target is for 32 × 100


@dataclass(frozen=True)
class TextTask:
    tokenizer: Tokenizer
    tokens: np.ndarray  # the whole text as ids
    source: str  # file name(s), for the model's info
    name: str = "text"

    @property
    def recipe(self) -> Recipe:
        if self.tokenizer.kind == "word":
            return Recipe(hidden=128, embed=64, minutes=10.0)
        return Recipe(hidden=128, embed=None, minutes=10.0)

    @property
    def unit(self) -> str:
        return "char" if self.tokenizer.kind == "char" else "word"

    @property
    def description(self) -> str:
        return f"A {self.unit}-level language model trained on {self.source}."

    @property
    def data_description(self) -> str:
        return f"{self.source}: {len(self.tokens):,} {self.unit}s, last {VALIDATION_FRACTION:.0%} held out for validation"

    def split(self) -> tuple[np.ndarray, np.ndarray]:
        cut = int(len(self.tokens) * (1 - VALIDATION_FRACTION))
        return self.tokens[:cut], self.tokens[cut:]

    def data(self, batch: int, seed: int) -> Data:
        train, validation = self.split()
        windows_per_epoch = -(-((len(train) - 1) // batch) // WINDOW)

        def epoch(number: int, rng: np.random.Generator):
            return stream_batches(train, batch, WINDOW, offset=int(rng.integers(0, WINDOW)))

        return Data(
            epoch=epoch,
            batches_per_epoch=windows_per_epoch,
            validation=list(stream_batches(validation, min(batch, max(1, len(validation) // (2 * WINDOW))), WINDOW)),
            score=lambda m: -m.bits,
            describe=lambda m: f"{m.bits:.3f} bits/{self.unit}",
        )

    def report(self, evaluate) -> list[str]:
        result: Metrics = evaluate(self.data(32, 0).validation)
        return [f"{result.bits:.3f} bits per {self.unit} ({result.accuracy:.1%} next-{self.unit} accuracy) on {self.source}"]

    def metrics(self, evaluate) -> dict:
        return {}


def read_text(paths: list[Path]) -> str:
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in paths)


def build_vocab(text: str, level: str, max_words: int = 10_000) -> Tokenizer:
    """Every character seen; or the max_words most frequent (lower-cased) words."""
    if level == "char":
        return CharTokenizer(vocab=("<unk>", *sorted(set(text))))
    counts = Counter(WordTokenizer.PATTERN.findall(text.lower()))
    return WordTokenizer(vocab=("<unk>", *(word for word, _ in counts.most_common(max_words))), lowercase=True)


def text_task(paths: list[Path], level: str = "char", tokenizer: Tokenizer | None = None) -> TextTask:
    """A text task over files; a given tokenizer (a trained model's) is kept as it is."""
    text = read_text(paths)
    tokenizer = tokenizer or build_vocab(text, level)
    ids = np.array([token.id for token in tokenizer.encode(text)], np.int64)
    return TextTask(tokenizer, ids, ", ".join(Path(p).name for p in paths))

"""`text FILE`: a char- or word-level language model on any UTF-8 text.

The vocabulary is read from the text (for words, the most frequent ones; the rest read
as <unk>). The last tenth is held out for validation, measured from a zero state.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.models.tokenizers import CharTokenizer, Tokenizer, WordTokenizer
from app.training.batches import document_batches, stream_batches
from app.training.tasks.base import Recipe
from app.training.trainer import Data

VALIDATION_FRACTION = 0.1
VALIDATION_TOKENS = 200_000  # validated on during training at most (a few seconds); evaluate reads all
WINDOW = 100  # steps of truncated BPTT; the speed target is for 32 × 100


@dataclass(frozen=True)
class TextTask:
    tokenizer: Tokenizer
    tokens: np.ndarray  # the training text as ids
    held_out: np.ndarray  # the validation text as ids
    source: str  # file name(s), for the model's info
    name: str = "text"
    hidden: int = 128  # the default model

    @property
    def recipe(self) -> Recipe:
        return Recipe(hidden=self.hidden, embed=64 if self.tokenizer.kind == "word" else None, minutes=10.0)

    @property
    def unit(self) -> str:
        return "char" if self.tokenizer.kind == "char" else "word"

    @property
    def description(self) -> str:
        return f"A {self.unit}-level language model trained on {self.source}."

    @property
    def data_description(self) -> str:
        return f"{self.source}: {len(self.tokens):,} {self.unit}s for training, {len(self.held_out):,} held out for validation"

    def data(self, batch: int, seed: int) -> Data:
        train, validation = self.tokens, self.held_out
        windows_per_epoch = -(-((len(train) - 1) // batch) // WINDOW)

        def epoch(number: int, rng: np.random.Generator):
            return stream_batches(train, batch, WINDOW, offset=int(rng.integers(0, WINDOW)))

        return Data(
            epoch=epoch,
            batches_per_epoch=windows_per_epoch,
            validation=self.validation_batches(validation[:VALIDATION_TOKENS], batch),
            score=lambda m: -m.bits,
            describe=lambda m: f"{m.bits:.3f} bits/{self.unit}",
        )

    def data_by_documents(self, documents, batch: int, seed: int) -> Data:
        """`data`, but training reads each document (a file, a paragraph) from a zero state
        in its stream, as the app reads a text; validation stays the plain streams."""
        padded = sum(-(-len(d) // WINDOW) * WINDOW for d in documents)

        def epoch(number: int, rng: np.random.Generator):
            return document_batches(documents, batch, WINDOW, self.tokenizer.unk_id, rng)

        return dataclasses.replace(
            TextTask.data(self, batch, seed), epoch=epoch, batches_per_epoch=-(-padded // (batch * WINDOW))
        )

    @staticmethod
    def validation_batches(tokens: np.ndarray, batch: int) -> list:
        """Streams that each start from a zero state, as the app reads a text."""
        return list(stream_batches(tokens, min(batch, max(1, len(tokens) // (2 * WINDOW))), WINDOW))

    def metrics(self, evaluate) -> dict:
        return {"held_out": evaluate(self.validation_batches(self.held_out, 32)).as_dict()}

    def report(self, metrics: dict) -> list[str]:
        held_out = metrics["held_out"]
        return [
            f"{held_out['bits_per_token']:.3f} bits per {self.unit} ({held_out['accuracy']:.1%} next-{self.unit} accuracy) on {self.source}"
        ]


def read_text(paths: list[Path]) -> str:
    return "\n".join(Path(path).read_text(encoding="utf-8") for path in paths)


def build_vocab(text: str, level: str, max_words: int = 10_000, min_chars: int = 1) -> Tokenizer:
    """Every character seen at least min_chars times; or the max_words most frequent
    (lower-cased) words."""
    if level == "char":
        return CharTokenizer(vocab=("<unk>", *sorted(c for c, n in Counter(text).items() if n >= min_chars)))
    counts = Counter(WordTokenizer.PATTERN.findall(text.lower()))
    return WordTokenizer(vocab=("<unk>", *(word for word, _ in counts.most_common(max_words))), lowercase=True)


def encode(tokenizer: Tokenizer, text: str) -> np.ndarray:
    return np.array([token.id for token in tokenizer.encode(text)], np.int64)


def text_task(paths: list[Path], level: str = "char", tokenizer: Tokenizer | None = None) -> TextTask:
    """For training: a vocabulary read from the files, the last tenth held out. Given a
    trained model's tokenizer, for evaluation: all of the text is held out."""
    text = read_text(paths)
    source = ", ".join(Path(p).name for p in paths)
    if tokenizer is not None:
        return TextTask(tokenizer, encode(tokenizer, ""), encode(tokenizer, text), source)
    return text_task_of(text, source, level)


def text_task_of(text: str, source: str, level: str = "char") -> TextTask:
    """For training on a text in hand (a student's, pasted into the page): a vocabulary
    read from its first nine tenths, the last tenth held out."""
    cut = int(len(text) * (1 - VALIDATION_FRACTION))
    tokenizer = build_vocab(text[:cut], level)
    return TextTask(tokenizer, encode(tokenizer, text[:cut]), encode(tokenizer, text[cut:]), source)

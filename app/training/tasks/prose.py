"""`prose`: a char-level language model on Jane Austen's six novels, read from Debian's
`r-cran-janeaustenr` (the texts are public domain; the package is MIT-licensed) without
R, to find Karpathy et al.'s (2015) units for prose: inside a quotation (dialogue),
position in the line and in the word, after a space, the start of a sentence.

The last tenth of each novel, from a paragraph's start, is held out for validation and
labels. Training reads paragraphs: with `reset` (the default) every paragraph starts
from a zero state, as a text typed into the app does, so the cells cannot drift into
saturation over a whole book (see docs/models.md for what each choice measured).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from app.training.rdata import read_lazy_load
from app.training.tasks.base import Recipe
from app.training.tasks.text import VALIDATION_FRACTION, TextTask, build_vocab, encode
from app.training.trainer import Data

PACKAGE = "r-cran-janeaustenr"
RDATA = Path("/usr/lib/R/site-library/janeaustenr/data/Rdata.rdb")
BOOKS = {  # the package's object names, in publication order
    "sensesensibility": "Sense and Sensibility",
    "prideprejudice": "Pride and Prejudice",
    "mansfieldpark": "Mansfield Park",
    "emma": "Emma",
    "northangerabbey": "Northanger Abbey",
    "persuasion": "Persuasion",
}
LICENCE = "the novels are in the public domain; janeaustenr (Julia Silge) is MIT-licensed"
PARAGRAPH_START = re.compile(r"(?<=\n\n)[^\n]")  # a line's first character after a blank line
EPOCHS = 4  # the bundled model's budget (docs/models.md: with --seed 3 --forget-decay 0.01)
ABBREVIATIONS = ("Mr", "Mrs", "Dr", "St")  # their full stop ends no sentence


def read_books(rdata: Path | None = None) -> dict[str, str]:
    """{title: text} of the novels in the package's data, lines joined by newlines."""
    rdata = rdata or RDATA
    if not Path(rdata).is_file():
        raise SystemExit(f"gatescope: the prose task reads Jane Austen's novels from Debian's {PACKAGE}, not found at {rdata}.\n"
                         f"Install it with:  sudo apt-get install {PACKAGE}")  # fmt: skip
    objects = read_lazy_load(rdata)
    books = {title: "\n".join(objects[name]) + "\n" for name, title in BOOKS.items() if name in objects}
    if not books:
        raise SystemExit(f"gatescope: {rdata} holds none of {', '.join(BOOKS)}")
    return books


def paragraph_starts(text: str) -> np.ndarray:
    """Where each paragraph begins: the text's start and every line after a blank one."""
    return np.array([0, *(m.start() for m in PARAGRAPH_START.finditer(text))])


def split_book(text: str) -> tuple[str, str]:
    """(training, held out): the held-out part is about the last tenth, from the start of
    the paragraph that the last tenth begins in (the first paragraph is always trained on)."""
    starts = paragraph_starts(text)
    cut = (
        int(starts[max(1, int(np.searchsorted(starts, len(text) * (1 - VALIDATION_FRACTION), side="right")) - 1)])
        if len(starts) > 1
        else len(text)
    )
    return text[:cut], text[cut:]


def prose_task(rdata: Path | None = None) -> ProseTask:
    books = read_books(rdata)
    parts = [split_book(text) for text in books.values()]
    train_text, held_text = "".join(p[0] for p in parts), "".join(p[1] for p in parts)
    tokenizer = build_vocab(train_text, "char", min_chars=5)  # a few rare characters (£, accents) read as <unk>
    source = f"Jane Austen's {', '.join(books)} (Debian's {PACKAGE}; {LICENCE}; the last tenth of each novel held out)"
    return ProseTask(tokenizer, encode(tokenizer, train_text), encode(tokenizer, held_text), source, name="prose", hidden=128,
                     train_starts=paragraph_starts(train_text), held_starts=paragraph_starts(held_text))  # fmt: skip


def prose_features(chars: list[str]) -> dict[str, list[float]]:
    """Per character of prose read from a paragraph's start, after reading it: inside a
    quotation (from its opening " to its closing one; a blank line ends it, as a quoted
    paragraph that goes on reopens with a "), the position in the line and in the word
    (0 outside words), after a space, and the start of a sentence (from the end of the
    last one to the next one's first letter, which it includes)."""
    names = ("inside quotes", "position in line", "position in word", "after a space", "start of sentence")
    out: dict[str, list[float]] = {name: [] for name in names}
    quoted, column, in_word, sentence_start = False, 0, 0, True
    for k, char in enumerate(chars):
        if char == "\n":
            column = 0
            if k > 0 and chars[k - 1] == "\n":
                quoted = False  # a blank line: a new paragraph
        else:
            column += 1
        opens_or_closes = char == '"'
        if opens_or_closes:
            quoted = not quoted
        letter = char.isalpha() or (char == "'" and in_word > 0)
        in_word = in_word + 1 if letter else 0
        starting = sentence_start
        if letter and sentence_start:
            sentence_start = False  # this letter begins the sentence
        elif char in ".!?" and k > 0 and chars[k - 1].isalpha() and _word_before(chars, k) not in ABBREVIATIONS:
            sentence_start = True
        out["inside quotes"].append(float(quoted or opens_or_closes))
        out["position in line"].append(float(column))
        out["position in word"].append(float(in_word))
        out["after a space"].append(float(char == " "))
        out["start of sentence"].append(float(starting or sentence_start))
    return out


def _word_before(chars: list[str], k: int) -> str:
    start = k
    while start > 0 and chars[start - 1].isalpha():
        start -= 1
    return "".join(chars[start:k])


def paragraphs(tokens: np.ndarray, starts: np.ndarray) -> list[np.ndarray]:
    """Each paragraph's ids, with the next paragraph's first id at its end: the last
    character of a paragraph still learns to predict what follows it."""
    ends = np.r_[starts[1:], len(tokens) - 1]
    return [tokens[start : end + 1] for start, end in zip(starts, ends, strict=True)]


@dataclass(frozen=True)
class ProseTask(TextTask):
    train_starts: np.ndarray = field(kw_only=True)  # paragraph starts in tokens and held_out
    held_starts: np.ndarray = field(kw_only=True)
    reset: bool = True  # train each paragraph from a zero state

    @property
    def recipe(self) -> Recipe:
        """The bundled model's: H = 128 reached lower bits per char than H = 256 in the same
        wall time on this machine (docs/models.md); epochs, so a re-run is the same."""
        return Recipe(hidden=self.hidden, embed=None, epochs=EPOCHS, minutes=None)

    @property
    def description(self) -> str:
        return ("A character-level LSTM trained on Jane Austen's six novels: it reads English prose and predicts "
                "the next character. Look for a unit that follows dialogue, inside quotation marks or not.")  # fmt: skip

    def data(self, batch: int, seed: int) -> Data:
        if not self.reset:
            return super().data(batch, seed)
        return self.data_by_documents(paragraphs(self.tokens, self.train_starts), batch, seed)

    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        return prose_features(tokens)

    def label_samples(self, count: int, seed: int, length: int = 400) -> list[list[str]]:
        """Held-out text from paragraph starts (where the features start exact), each read from a zero state."""
        usable = self.held_starts[self.held_starts < len(self.held_out) - 1]
        chosen = np.random.default_rng(seed).choice(
            usable, min(count, len(usable)), replace=False
        )  # the last may be shorter
        vocab = self.tokenizer.vocab
        return [[vocab[i] for i in self.held_out[s : s + length]] for s in sorted(chosen)]

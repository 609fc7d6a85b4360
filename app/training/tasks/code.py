"""`code`: a char-level language model on Python source every machine has — the
standard library's own .py files (PSF licence) — to find Karpathy et al.'s (2015) units:
inside a string (and a triple-quoted one), bracket depth, indentation, position in the
line.

Files are held out whole for validation (every 20th, by path), as the model will meet
code it has not seen; the rest, in a seeded order, make up the training text: one
stream, whose state carries on from one file into the next. With `per_file`, training
reads each file instead (or each piece of a long one, cut where a top-level line starts)
from a zero state, as the app reads a text.
"""

from __future__ import annotations

import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.training.tasks.python_lexer import CODE, STRING, TRIPLE, scan
from app.training.tasks.text import TextTask, build_vocab, encode
from app.training.trainer import Data

MAX_DOCUMENT = 20_000  # characters: longer files are cut into pieces, so the B streams end close together
TRAIN_BYTES = 5_000_000  # the issue: several MB, not 1 (1 MB overfits within minutes)
HELD_OUT_EVERY = 20
SKIPPED_PARTS = {
    "site-packages",
    "test",
    "tests",
    "idlelib",
    "lib2to3",
}  # not the library's own code, or huge test data


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in root.rglob("*.py") if not SKIPPED_PARTS & set(p.relative_to(root).parts))


def held_out_files(files: list[Path]) -> list[Path]:
    """Every HELD_OUT_EVERY-th file, by path: held out whole, for validation and labels."""
    return files[::HELD_OUT_EVERY]


def read(paths: list[Path]) -> str:
    return "".join(path.read_text(encoding="utf-8", errors="replace") + "\n" for path in paths)


def pieces(text: str, longest: int = MAX_DOCUMENT) -> list[str]:
    """A file cut, at lines that start in code at bracket depth 0, into pieces of at most
    `longest` characters where it can be (a piece with no such line inside stays whole)."""
    if len(text) <= longest:
        return [text]
    cuts, last = [0], 0
    starts = clean_line_starts(list(text))
    for k, start in enumerate(starts):
        following = starts[k + 1] if k + 1 < len(starts) else len(text)
        if following - last > longest and start > last:
            cuts.append(int(start))
            last = int(start)
    return [text[a:b] for a, b in zip(cuts, cuts[1:] + [len(text)])]


def code_task(seed: int = 0, per_file: bool = False) -> CodeTask:
    files = stdlib_files()
    held_out = held_out_files(files)
    rest = [files[k] for k in np.random.default_rng(seed).permutation(len(files)) if k % HELD_OUT_EVERY]
    train, size = [], 0
    for path in rest:
        if size >= TRAIN_BYTES:
            break
        train.append(path)
        size += path.stat().st_size
    train_text = read(train)
    tokenizer = build_vocab(train_text, "char", min_chars=100)  # rare characters read as <unk>
    documents = tuple(encode(tokenizer, piece) for path in train for piece in pieces(read([path]))) if per_file else ()
    tokens = np.concatenate(documents) if per_file else encode(tokenizer, train_text)
    version = ".".join(map(str, sys.version_info[:3]))
    source = (
        f"Python {version} standard library ({len(train)} files for training, {len(held_out)} held out; PSF licence)"
    )
    return CodeTask(
        tokenizer, tokens, encode(tokenizer, read(held_out)), source, name="code", hidden=256, documents=documents
    )


def python_features(chars: list[str]) -> dict[str, list[float]]:
    """Per character of Python source, after reading it: inside a one-line string (its
    quotes included), inside a triple-quoted string (docstrings), bracket depth outside
    strings and comments, the line's indentation, and the position in the line."""
    places = scan(chars)
    one_line = [float(place.mode == STRING) for place in places]
    triple = [float(place.mode == TRIPLE) for place in places]
    indent_, column_ = [], []
    column, indent, leading = 0, 0, True
    for char in chars:
        if char == "\n":
            column, indent, leading = 0, 0, True
        else:
            column += 1
            if leading and char == " ":
                indent += 1
            else:
                leading = False
        indent_.append(float(indent))
        column_.append(float(column))
    return {
        "inside a string": one_line,
        "inside a triple-quoted string": triple,
        "bracket depth": [float(place.depth) for place in places],
        "indentation": indent_,
        "position in line": column_,
    }


def clean_line_starts(chars: list[str]) -> np.ndarray:
    """Positions where a line starts in code at bracket depth 0 (by reading the whole
    text once): a sample read from there has exact features from a clean state."""
    places = scan(chars)
    return np.array(
        [k + 1 for k, place in enumerate(places[:-1]) if chars[k] == "\n" and place.mode == CODE and place.depth == 0],
        np.int64,
    )


@dataclass(frozen=True)
class CodeTask(TextTask):
    documents: tuple[np.ndarray, ...] = ()  # per_file: the training text's files and pieces of files, as ids

    def data(self, batch: int, seed: int) -> Data:
        if not self.documents:
            return super().data(batch, seed)
        return self.data_by_documents(self.documents, batch, seed)

    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        return python_features(tokens)

    def label_samples(self, count: int, seed: int, length: int = 400) -> list[list[str]]:
        """Chunks of held-out files, each read from a zero state, each starting at a line
        in code at bracket depth 0 (so its features, read from the chunk alone, are exact)."""
        vocab = self.tokenizer.vocab
        chars = ["?" if i == self.tokenizer.unk_id else vocab[i] for i in self.held_out]
        starts = clean_line_starts(chars)
        starts = starts[starts <= len(chars) - length]
        chosen = np.sort(np.random.default_rng(seed).choice(starts, count, replace=False))
        return [chars[s : s + length] for s in chosen]

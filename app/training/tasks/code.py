"""`code`: a char-level language model on Python source every machine has — the
standard library's own .py files (PSF licence) — to find Karpathy et al.'s (2015) units:
inside a string, bracket depth, indentation, position in the line.

Files are held out whole for validation (every 20th, by path), as the model will meet
code it has not seen; the rest, in a seeded order, make up the training text.
"""

from __future__ import annotations

import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.training.tasks.text import TextTask, build_vocab, encode

TRAIN_BYTES = 5_000_000  # the issue: several MB, not 1 (1 MB overfits within minutes)
SKIPPED_PARTS = {"site-packages", "test", "tests", "idlelib", "lib2to3"}  # not the library's own code, or huge test data


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    return sorted(p for p in root.rglob("*.py") if not SKIPPED_PARTS & set(p.relative_to(root).parts))


def read(paths: list[Path]) -> str:
    return "".join(path.read_text(encoding="utf-8", errors="replace") + "\n" for path in paths)


def code_task(seed: int = 0) -> TextTask:
    files = stdlib_files()
    held_out = files[::20]
    rest = [files[k] for k in np.random.default_rng(seed).permutation(len(files)) if k % 20]
    train, size = [], 0
    for path in rest:
        if size >= TRAIN_BYTES:
            break
        train.append(path)
        size += path.stat().st_size
    train_text, validation_text = read(train), read(held_out)
    tokenizer = build_vocab(train_text, "char", min_chars=100)  # rare characters read as <unk>
    version = ".".join(map(str, sys.version_info[:3]))
    source = f"Python {version} standard library ({len(train)} files for training, {len(held_out)} held out; PSF licence)"
    return CodeTask(tokenizer, encode(tokenizer, train_text), encode(tokenizer, validation_text), source, name="code", hidden=256)


def python_features(chars: list[str]) -> dict[str, list[float]]:
    """Per character of Python source, after reading it: inside a one-line string (its
    quotes included, triple-quoted strings excepted), bracket depth outside strings and
    comments, the line's indentation, and the position in the line."""
    inside, depth_, indent_, column_ = [], [], [], []
    quote, comment, depth, column, indent, leading = None, False, 0, 0, 0, True
    for k, char in enumerate(chars):
        if char == "\n":
            quote, comment, column, indent, leading = None, False, 0, 0, True
        else:
            column += 1
            if leading and char == " ":
                indent += 1
            else:
                leading = False
        in_string = quote is not None
        if quote is None and not comment and char != "\n":
            if char == "#":
                comment = True
            elif char in "'\"" and "".join(chars[k : k + 3]) != char * 3 and "".join(chars[max(0, k - 2) : k + 1]) != char * 3:
                quote, in_string = char, True  # a one-line string opens
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(0, depth - 1)
        elif quote is not None and char == quote and chars[k - 1] != "\\":
            quote = None  # it closes (this quote still counts as inside)
        inside.append(float(in_string))
        depth_.append(float(depth))
        indent_.append(float(indent))
        column_.append(float(column))
    return {"inside a string": inside, "bracket depth": depth_, "indentation": indent_, "position in line": column_}


@dataclass(frozen=True)
class CodeTask(TextTask):
    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        return python_features(tokens)

    def label_samples(self, count: int, seed: int, length: int = 400) -> list[list[str]]:
        """Chunks of held-out files, each read from a zero state."""
        starts = np.random.default_rng(seed).integers(0, len(self.held_out) - length, count)
        vocab = self.tokenizer.vocab
        return [["?" if i == self.tokenizer.unk_id else vocab[i] for i in self.held_out[s : s + length]] for s in starts]

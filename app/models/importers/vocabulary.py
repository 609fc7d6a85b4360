"""The vocabulary file an import reads: one token per line, in index order.

Tokens are taken exactly as written between newlines, with no stripping: a line
holding one space is the space token, and "\r" stays part of a token. The newline
that ends the last line ends it; it is not an empty token.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.models.importers import ModelImportError

SPECIAL_TOKEN = re.compile(r"<[^<>\s]+>")  # <unk>, <eos>, <pad>: not text a tokenizer splits off


def read_vocabulary(path: Path, unk_token: str) -> tuple[str, ...]:
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise ModelImportError(f"cannot read the vocabulary {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ModelImportError(f"the vocabulary {Path(path).name} is not UTF-8 (byte {error.start})") from None
    tokens = text.split("\n")
    if tokens[-1] == "":
        tokens.pop()
    if not tokens:
        raise ModelImportError(f"the vocabulary {Path(path).name} is empty")
    if len(tokens) > 1 and all(token.endswith("\r") for token in tokens):
        raise ModelImportError(
            "the vocabulary has Windows line ends (\\r\\n); tokens are read exactly, "
            "so convert it to \\n line ends first"
        )
    first_line: dict[str, int] = {}
    for line, token in enumerate(tokens, start=1):
        if token in first_line:
            raise ModelImportError(
                f"line {line} of the vocabulary repeats the token {token!r} of line "
                f"{first_line[token]}; every index needs its own token"
            )
        first_line[token] = line
    if unk_token not in first_line:
        raise ModelImportError(
            f"the vocabulary has no line {unk_token!r} for unknown tokens; add one, or name the entry it has with --unk"
        )
    return tuple(tokens)


def guess_tokenizer(tokens: tuple[str, ...], unk_token: str) -> str:
    """ "char" when every token but the special ones (<unk>, <eos>, …) is one character."""
    text_tokens = [t for t in tokens if t != unk_token and not SPECIAL_TOKEN.fullmatch(t)]
    return "char" if all(len(t) == 1 for t in text_tokens) else "word"

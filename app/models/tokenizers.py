"""Text to token ids, at character or word level.

Both keep the exact text of every token, so the UI shows what the user typed even
where the model only sees `<unk>` (a Chinese character in an English model, say).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Token:
    text: str  # as typed
    id: int  # index into the vocabulary
    unk: bool  # True when the vocabulary has no entry and id is the <unk> entry's


@dataclass(frozen=True)
class Tokenizer:
    """A vocabulary (one token per index) with an `<unk>` entry for everything else."""

    KIND: ClassVar[str] = ""

    vocab: tuple[str, ...]
    unk_token: str = "<unk>"
    lowercase: bool = False  # match tokens case-insensitively (the vocabulary is lower case)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index = {token: i for i, token in enumerate(self.vocab)}
        if self.unk_token not in index:
            raise ValueError(f"the vocabulary has no unknown-token entry {self.unk_token!r}")
        object.__setattr__(self, "_index", index)

    @property
    def kind(self) -> str:
        return self.KIND

    @property
    def unk_id(self) -> int:
        return self._index[self.unk_token]

    def split(self, text: str) -> list[str]:
        raise NotImplementedError

    def encode(self, text: str) -> list[Token]:
        tokens = []
        for piece in self.split(text):
            key = piece.lower() if self.lowercase else piece
            token_id = self._index.get(key)
            tokens.append(Token(piece, self.unk_id if token_id is None else token_id, token_id is None))
        return tokens


class CharTokenizer(Tokenizer):
    """One token per Unicode code point."""

    KIND = "char"

    def split(self, text: str) -> list[str]:
        return list(text)


class WordTokenizer(Tokenizer):
    """Words (runs of letters, digits, _) and single punctuation marks; whitespace separates.

    Each message is tokenized on its own, so a client that streams word-level text
    should send whole words: "I grew " then "up", not "I gr" then "ew up".
    """

    KIND = "word"
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"\w+|[^\w\s]")

    def split(self, text: str) -> list[str]:
        return self.PATTERN.findall(text)


TOKENIZERS: dict[str, type[Tokenizer]] = {t.KIND: t for t in (CharTokenizer, WordTokenizer)}

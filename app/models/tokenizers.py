"""Text to token ids, at character or word level, or split on whitespace as PyTorch's
word-language-model example splits its text.

Every token keeps its exact text, so the UI shows what the user typed even where the
model only sees `<unk>` (a Chinese character in an English model, say). A typographic
form the vocabulary lacks (a curly quote, full-width punctuation) is read as its plain
form where the vocabulary has that, and the token says so (`read_as`).
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
    read_as: str | None = None  # the entry read in place of `text` when it is not `text` itself (“ read as ")


def _full_width_forms() -> dict[int, str]:
    """Full-width ASCII (U+FF01–U+FF5E, what a Chinese input method types: ，！？（）Ａ１)
    and the ideographic space, to their ASCII forms."""
    table = {code: chr(code - 0xFF01 + 0x21) for code in range(0xFF01, 0xFF5F)}
    table[0x3000] = " "
    return table


# What phones, word processors and Chinese input methods type in place of plain ASCII:
# each to the form a vocabulary trained on plain text has. One character each, so a
# token never becomes several.
PLAIN_FORMS: dict[int, str] = _full_width_forms() | str.maketrans(
    {
        "\u201c": '"',  # “
        "\u201d": '"',  # ”
        "\u201e": '"',  # „
        "\u201f": '"',  # ‟
        "\u300c": '"',  # 「
        "\u300d": '"',  # 」
        "\u2018": "'",  # ‘
        "\u2019": "'",  # ’ (also the apostrophe a phone types: don’t)
        "\u201a": "'",  # ‚
        "\u201b": "'",  # ‛
        "\u300e": "'",  # 『
        "\u300f": "'",  # 』
        "\u2013": "-",  # – en dash
        "\u2014": "-",  # — em dash
        "\u2212": "-",  # − minus sign
        "\u3002": ".",  # 。 ideographic full stop
        "\u3001": ",",  # 、 ideographic comma
        "\u00a0": " ",  # no-break space
        "\u202f": " ",  # narrow no-break space
    }
)


def plain_form(text: str) -> str:
    return text.translate(PLAIN_FORMS)


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
        return [self.token(piece) for piece in self.split(text)]

    def token(self, piece: str, key: str | None = None) -> Token:
        """`piece` as typed, looked up as `key` (default: itself, lower-cased if the
        vocabulary is), else as its plain form, else <unk>."""
        if key is None:
            key = piece.lower() if self.lowercase else piece
        token_id = self._index.get(key)
        if token_id is None:
            plain = plain_form(key)
            token_id = self._index.get(plain) if plain != key else None
            if token_id is not None:
                return Token(piece, token_id, token_id == self.unk_id, plain)
            return Token(piece, self.unk_id, True)
        return Token(piece, token_id, token_id == self.unk_id)


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


class WhitespaceTokenizer(Tokenizer):
    """PyTorch's word-language-model example (its data.py): each line's `line.split()`,
    then "<eos>". Lines end as Python reads a text file's lines ("\\n", "\\r\\n" or "\\r");
    each line end is one token, typed as the line end and read as the vocabulary's
    "<eos>", where the vocabulary has one (else a line end only separates words, as any
    whitespace does). Text after the last line end is a line still being typed: its
    "<eos>" comes with the line end. Streamed text should be sent in whole words, as for
    the word tokenizer."""

    KIND = "whitespace"
    EOS: ClassVar[str] = "<eos>"
    PATTERN: ClassVar[re.Pattern[str]] = re.compile(r"\r\n|\r|\n|[^\s]+")  # a line end, or a word
    LINE_ENDS: ClassVar[frozenset[str]] = frozenset({"\r\n", "\r", "\n"})

    def split(self, text: str) -> list[str]:
        pieces = [m.group() for m in self.PATTERN.finditer(text)]
        # [^\s]+ is str.split()'s notion of a word: both use str.isspace's whitespace.
        if self.EOS in self._index:
            return pieces
        return [piece for piece in pieces if piece not in self.LINE_ENDS]

    def encode(self, text: str) -> list[Token]:
        return [self.token(piece, self.EOS if piece in self.LINE_ENDS else None) for piece in self.split(text)]


TOKENIZERS: dict[str, type[Tokenizer]] = {t.KIND: t for t in (CharTokenizer, WordTokenizer, WhitespaceTokenizer)}

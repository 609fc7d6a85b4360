r"""The vocabulary file an import reads: one token per line, in index order.

Plain format: tokens are taken exactly as written between newlines, with no stripping:
a line holding one space is the space token, and "\r" stays part of a token. The
newline that ends the last line ends it; it is not an empty token.

Escaped format, for a vocabulary holding a newline (a character model's "\n") or any
character a line cannot show: the first line is ESCAPED_HEADER, and each line after it
is one token written with backslash escapes, the ones Python's "unicode_escape" codec
writes: \\ \n \r \t \xHH \uHHHH \UHHHHHHHH (so `token.encode("unicode_escape")` writes
a line this reads). Any other backslash is refused, naming its line.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.models.importers import ModelImportError

SPECIAL_TOKEN = re.compile(r"<[^<>\s]+>")  # <unk>, <eos>, <pad>: not text a tokenizer splits off
EOS_TOKEN = "<eos>"  # PyTorch's word-language-model example ends every line with it
ESCAPED_HEADER = "#gatescope-vocab escaped"
ESCAPE = re.compile(r"\\(?:([\\nrt])|x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.?))", re.DOTALL)
SIMPLE_ESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t"}


def unescape(line: str, number: int) -> str:
    """One escaped line's token; `number` names the line in an error."""

    def replace(match: re.Match) -> str:
        simple, *hexes, other = match.groups()
        if simple is not None:
            return SIMPLE_ESCAPES[simple]
        digits = next((h for h in hexes if h is not None), None)
        if digits is None:
            if not other:
                raise ModelImportError(f"line {number} of the vocabulary ends in a backslash (write one as \\\\)")
            at = match.string[match.start() : match.start() + 10].split("\\")[1][:9]
            raise ModelImportError(
                f"line {number} of the vocabulary has an unknown escape, a backslash before {at!r}; the escapes "
                "are \\\\ \\n \\r \\t \\xHH \\uHHHH \\UHHHHHHHH (write a backslash as \\\\)"
            )
        code = int(digits, 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise ModelImportError(f"line {number} of the vocabulary escapes U+{code:04X}, which is not a character")
        return chr(code)

    return ESCAPE.sub(replace, line)


def read_vocabulary(path: Path, unk_token: str) -> tuple[str, ...]:
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except OSError as error:
        raise ModelImportError(f"cannot read the vocabulary {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ModelImportError(f"the vocabulary {Path(path).name} is not UTF-8 (byte {error.start})") from None
    lines = text.split("\n")
    if lines[-1] == "":
        lines.pop()
    escaped = bool(lines) and lines[0] in (ESCAPED_HEADER, ESCAPED_HEADER + "\r")
    if escaped:
        first = 2  # the header is line 1
        lines = [line.removesuffix("\r") for line in lines[1:]]  # "\r" is written \r here: a raw one is a line end
        tokens = [unescape(line, number) for number, line in enumerate(lines, start=first)]
    else:
        first = 1
        tokens = lines
        if len(tokens) > 1 and all(token.endswith("\r") for token in tokens):
            raise ModelImportError(
                "the vocabulary has Windows line ends (\\r\\n); tokens are read exactly, "
                "so convert it to \\n line ends first"
            )
    if not tokens:
        raise ModelImportError(f"the vocabulary {Path(path).name} is empty")
    check_distinct(tokens, first, escaped)
    if unk_token not in tokens:
        raise ModelImportError(
            f"the vocabulary has no line {unk_token!r} for unknown tokens; add one, or name the entry it has with --unk"
        )
    return tuple(tokens)


def check_distinct(tokens: list[str], first: int, escaped: bool) -> None:
    """Every index needs its own token; a repeated empty line in the plain format is
    most often a newline token written as it is."""
    first_line: dict[str, int] = {}
    for line, token in enumerate(tokens, start=first):
        if token in first_line:
            hint = ""
            if token == "" and not escaped:
                hint = (
                    ': a vocabulary holding "\\n" cannot be written one token a line as it is '
                    f"(it becomes two empty lines); write it in the escaped format: a first line "
                    f"{ESCAPED_HEADER!r}, then each token as token.encode('unicode_escape') writes it "
                    "(docs/model-files.md)"
                )
            raise ModelImportError(
                f"line {line} of the vocabulary repeats the token {token!r} of line "
                f"{first_line[token]}; every index needs its own token{hint}"
            )
        first_line[token] = line


def guess_tokenizer(tokens: tuple[str, ...], unk_token: str) -> str:
    """ "char" when every token but the special ones (<unk>, <eos>, …) is one character;
    else "whitespace" when the vocabulary has "<eos>" (PyTorch's word-language-model
    example's mark), else "word"."""
    text_tokens = [t for t in tokens if t != unk_token and not SPECIAL_TOKEN.fullmatch(t)]
    if all(len(t) == 1 for t in text_tokens):
        return "char"
    return "whitespace" if EOS_TOKEN in tokens else "word"

"""Which characters a text to trace may hold.

Tab, newline and carriage return are text; every other C0 control character, DEL and
a lone UTF-16 surrogate (JSON can spell one, "\\ud800", but it is no character and
cannot be encoded back) are refused with an error naming the character and where it
is, rather than silently read as <unk>: they are almost always a client's bug.
"""

from __future__ import annotations

import re

CONTROLS = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f"  # refused controls, as a regex class range
SURROGATES = r"\ud800-\udfff"
# The OpenAPI schema's pattern for a text (ECMAScript and Python read it alike). It cannot
# name surrogates: schema validators work on Unicode scalar values, which exclude them.
TEXT_PATTERN = f"^[^{CONTROLS}]*$"
_FORBIDDEN = re.compile(f"[{CONTROLS}{SURROGATES}]")


class TextError(ValueError):
    """Text holding a character that is refused."""

    code = "bad_text"


def check_text(text: str) -> str:
    """Return `text` unchanged, or raise TextError naming its first refused character."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return text
    char = found.group()
    kind = "a lone surrogate" if "\ud800" <= char <= "\udfff" else "the control character"
    raise TextError(
        f"the text holds {kind} U+{ord(char):04X} at position {found.start()}; "
        "only tab, newline and carriage return are allowed besides printable characters"
    )

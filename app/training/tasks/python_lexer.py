"""Where each character of Python source sits: in code, a comment, a one-line string or a
triple-quoted string, and at what bracket depth — the features Karpathy et al. (2015)
found units for.

A small state machine rather than `tokenize`, because it must read any slice of a file
(a label sample, a chunk typed into the page) without failing on what is cut off, and
give a state for every character. The tests check it against `tokenize` on whole files.
"""

from __future__ import annotations

from dataclasses import dataclass

CODE, COMMENT, STRING, TRIPLE = "code", "comment", "string", "triple"  # STRING: one-line


@dataclass(frozen=True)
class Place:
    """The state after reading one character. The quotes that open and close a string
    count as inside it; brackets inside strings and comments do not count."""

    mode: str
    depth: int


def scan(chars: list[str] | str) -> list[Place]:
    places = []
    mode, quote, depth = CODE, "", 0  # quote: the string's delimiter, ' " ''' or """
    escaped = False  # the previous character inside a string was an unescaped backslash
    closing = 0  # characters of a closing ''' still to read (they are inside the string)
    k, n = 0, len(chars)
    while k < n:
        char = chars[k]
        if closing:
            closing -= 1
            places.append(Place(TRIPLE, depth))
            if not closing:
                mode = CODE
            k += 1
            continue
        if mode == CODE:
            if char == "#":
                mode = COMMENT
            elif char in "'\"":
                if "".join(chars[k : k + 3]) == char * 3:
                    mode, quote = TRIPLE, char * 3
                    places += [Place(TRIPLE, depth)] * 3  # the opening quotes
                    k += 3
                    continue
                mode, quote = STRING, char
            elif char in "([{":
                depth += 1
            elif char in ")]}":
                depth = max(0, depth - 1)
            places.append(Place(mode, depth))
        elif mode == COMMENT:
            if char == "\n":
                mode = CODE
            places.append(Place(mode, depth))
        else:  # in a string
            ends = (char == quote) if mode == STRING else ("".join(chars[k : k + 3]) == quote)
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif ends:
                if mode == TRIPLE:
                    closing = 2  # this quote and the next two are the string's last characters
                places.append(Place(mode, depth))
                if mode == STRING:
                    mode = CODE
                k += 1
                continue
            elif char == "\n" and mode == STRING:
                mode = CODE  # an unclosed one-line string ends with its line (a syntax error, or a cut)
                places.append(Place(CODE, depth))
                k += 1
                continue
            places.append(Place(mode, depth))
        k += 1
    return places

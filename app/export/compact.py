"""Make the page's bundled script smaller without changing what it does: drop the lines
that hold only a comment, blank lines, each line's leading indentation, and a line
comment after code (with the spaces before it).

Lines change only where a line starts in code — never inside a string,
a template literal (where indentation is text), a block comment or a regular expression.
To know where each line starts, a small scanner follows JavaScript's literals: quotes,
template literals with their nested `${...}`, comments, and regular expression literals
(a "/" where an operand is expected, as a JavaScript parser decides it).
"""

from __future__ import annotations

import re

# After these a "/" begins a regular expression; after anything else it divides.
_BEFORE_REGEX_CHARS = set("(,=:[!&|?{};+-*%<>~^")
_BEFORE_REGEX_WORDS = re.compile(r"(?:^|[^\w$])(?:return|typeof|case|do|else|in|of|void|yield|await|delete|new)$")


def compact(source: str) -> str:
    out: list[str] = []
    for line, starts_in_code in _lines_with_state(source):
        if starts_in_code:
            line = line.lstrip(" \t")
            if not line:
                continue
        out.append(line)
    return "\n".join(out) + "\n"


def _lines_with_state(source: str):
    """Each line of `source`, less any line comment it ends with, and whether it begins in
    code (not inside a literal or a comment)."""
    code_at, comments_at = _scan(source)
    start = 0
    for line in source.split("\n"):
        end = start + len(line)
        comment = next((at for at in comments_at.get(start, ()) if at < end), None)
        yield (line if comment is None else line[: comment - start].rstrip(" \t")), start in code_at
        start = end + 1


def _scan(source: str) -> tuple[set[int], dict[int, list[int]]]:
    """The offsets just after each newline that falls in code (and 0); and by the offset
    of the line it is on, where each line comment begins."""
    starts = {0}
    comments: dict[int, list[int]] = {}
    braces: list[str] = []  # for each open "{": "code" or "template" (a ${ ... } inside a template)
    i, n = 0, len(source)
    last = ""  # the code read so far that decides what a "/" means (its last significant text)
    while i < n:
        c = source[i]
        if c == "\n":
            starts.add(i + 1)
            i += 1
        elif c in " \t\r":
            i += 1
        elif source.startswith("//", i):
            comments.setdefault(source.rfind("\n", 0, i) + 1, []).append(i)
            i = source.find("\n", i)
            i = n if i < 0 else i
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c in "'\"":
            i = _end_of_string(source, i, c)
            last = "a"
        elif c == "`":
            i = _end_of_template_part(source, i + 1, braces)
            last = "a"
        elif c == "/" and _regex_expected(last):
            i = _end_of_regex(source, i)
            last = "a"
        elif c == "{":
            braces.append("code")
            last = c
            i += 1
        elif c == "}":
            if braces and braces.pop() == "template":  # back inside the template literal
                i = _end_of_template_part(source, i + 1, braces)
                last = "a"
            else:
                last = c
                i += 1
        else:
            word = re.match(r"[\w$]+", source[i:])
            if word:
                last = (last + " " + word.group())[-12:]
                i += len(word.group())
            else:
                last = c
                i += 1
    return starts, comments


def _regex_expected(last: str) -> bool:
    return not last or last[-1] in _BEFORE_REGEX_CHARS or bool(_BEFORE_REGEX_WORDS.search(last))


def _end_of_string(source: str, i: int, quote: str) -> int:
    i += 1
    while i < len(source) and source[i] != quote:
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _end_of_template_part(source: str, i: int, braces: list[str]) -> int:
    """From inside a template literal to just past its closing "`" or its next "${"."""
    while i < len(source):
        if source[i] == "\\":
            i += 2
        elif source[i] == "`":
            return i + 1
        elif source.startswith("${", i):
            braces.append("template")
            return i + 2
        else:
            i += 1
    return i


def _end_of_regex(source: str, i: int) -> int:
    i += 1
    in_class = False
    while i < len(source) and source[i] != "\n":
        c = source[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        elif c == "/" and not in_class:
            i += 1
            break
        i += 1
    while i < len(source) and (source[i].isalpha()):  # flags
        i += 1
    return i


def compact_css(source: str) -> str:
    """A style sheet without its comments, blank lines and indentation (a comment's
    "/*" inside a quoted string is text, and kept)."""
    out, i, n = [], 0, len(source)
    while i < n:
        if source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif source[i] in "'\"":
            end = _end_of_string(source, i, source[i])
            out.append(source[i:end])
            i = end
        else:
            out.append(source[i])
            i += 1
    return "\n".join(line.strip() for line in "".join(out).split("\n") if line.strip()) + "\n"

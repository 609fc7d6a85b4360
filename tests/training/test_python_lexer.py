"""The lexer's modes, on hand-written snippets and against `tokenize` on real files."""

import io
import sys
import tokenize

import pytest

from app.training.tasks.code import stdlib_files
from app.training.tasks.python_lexer import CODE, COMMENT, STRING, TRIPLE, scan


def modes(source):
    return "".join({CODE: ".", COMMENT: "#", STRING: "s", TRIPLE: "t"}[p.mode] for p in scan(source))


def test_an_apostrophe_in_a_docstring_opens_no_string():
    docstring = '"""Don' + "'t." + '"""'
    source = "def f():\n    " + docstring + "\n    return 'x'\n"
    assert modes(source) == "........." + "...." + "t" * len(docstring) + "." + "...........sss."


def test_quotes_of_one_kind_inside_a_string_of_the_other_are_text():
    assert modes("a = \"it's\" + '\"'\n") == "....ssssss...sss."


def test_escapes_a_backslash_escaped_backslash_closes_the_string():
    assert modes("'\\''; '\\\\'\n") == "ssss..ssss."


def test_a_triple_quoted_string_spans_lines_and_ends_at_its_own_quotes():
    source = "x = '''a\n'b' \"\"\"\n''' # c\n"
    assert modes(source) == "....ttttt" + "tttttttt" + "ttt.###."


def test_a_comment_ends_with_its_line_and_holds_no_string():
    assert modes("# it's\nx\n") == "######..."  # the newline ends it: code again


def test_an_unclosed_one_line_string_ends_with_its_line():
    assert modes("'abc\nx\n") == "ssss..."


def test_brackets_count_only_in_code():
    depths = [p.depth for p in scan('f(a, \'(\', """[""", # (\n b)\n')]
    assert depths == [0] + [1] * 24 + [0, 0]  # from "(" to just before ")"


TRIPLE_QUOTES = ("'" * 3, '"' * 3)


def string_modes_by_tokenize(source: str) -> list[str]:
    """Per character: the mode `tokenize` implies (STRING tokens, one-line or triple-quoted;
    f-strings as a whole on 3.12+; COMMENT tokens; the rest code)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out = [CODE] * len(source)
    opened = None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind = tokenize.tok_name[token.type]
        start = offsets[token.start[0] - 1] + token.start[1]
        end = offsets[token.end[0] - 1] + token.end[1]
        if kind == "FSTRING_START":
            opened = (start, token.string)
        elif kind == "FSTRING_END":
            start, opening = opened  # e.g. f" or rf"""
            out[start:end] = [TRIPLE if opening[-3:] in TRIPLE_QUOTES else STRING] * (end - start)
        elif kind == "STRING" and opened is None:
            body = token.string.lstrip("rRbBuUfF")
            out[start:end] = [TRIPLE if body[:3] in TRIPLE_QUOTES else STRING] * (end - start)
        elif kind == "COMMENT":
            out[start:end] = [COMMENT] * (end - start)
        if kind == "FSTRING_END":
            opened = None
    return out


@pytest.mark.parametrize("name", ["inspect.py", "argparse.py", "string.py", "pydoc.py"])
def test_the_lexer_agrees_with_tokenize_on_standard_library_files(name):
    path = next(p for p in stdlib_files() if p.name == name and p.parent.name != "email")
    source = path.read_text(encoding="utf-8")
    expected = string_modes_by_tokenize(source)
    got = [p.mode for p in scan(source)]
    # tokenize ends a comment before its newline, and a string token starts at its prefix (r, b, f)
    disagree = [
        k for k in range(len(source)) if got[k] != expected[k] and not (source[k] == "\n" or source[k] in "rRbBuUfF")
    ]
    assert disagree == [], (sys.version, [(k, source[k - 20 : k + 20]) for k in disagree[:3]])

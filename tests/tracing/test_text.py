"""Which characters a text may hold: tab, newline, CR and printable text, nothing else."""

import re

import pytest

from app.tracing.text import TEXT_PATTERN, TextError, check_text


@pytest.mark.parametrize("text", ["I grew up\nin France\t(really)\r\n", "我在法国长大 😀", "", "<b>&amp;</b>"])
def test_printable_text_tabs_and_newlines_pass_unchanged(text):
    assert check_text(text) is text


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("a\x00b", "control character U+0000 at position 1"),
        ("\x1b[31m", "control character U+001B at position 0"),
        ("ab\x7f", "control character U+007F at position 2"),
        ("x\ud800", "lone surrogate U+D800 at position 1"),
        ("\udfff", "lone surrogate U+DFFF at position 0"),
    ],
)
def test_other_control_characters_and_lone_surrogates_are_named(text, named):
    with pytest.raises(TextError, match=re.escape(named)):
        check_text(text)


@pytest.mark.parametrize("text", ["ok\n\t", "a\x00", "😀", "\x7f", "\x1f"])
def test_the_schema_pattern_states_the_same_rule_for_characters(text):
    try:
        check_text(text)
        allowed = True
    except TextError:
        allowed = False
    assert bool(re.fullmatch(TEXT_PATTERN, text)) == allowed

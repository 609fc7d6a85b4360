"""The vocabulary file: one token per line, exactly as written, in index order."""

import pytest

from app.models.importers import ModelImportError
from app.models.importers.vocabulary import guess_tokenizer, read_vocabulary


def vocab_file(tmp_path, data: bytes):
    path = tmp_path / "vocab.txt"
    path.write_bytes(data)
    return path


def test_tokens_are_taken_exactly_between_newlines(tmp_path):
    path = vocab_file(tmp_path, "<unk>\n \na\n b \n\t\né\n".encode())
    assert read_vocabulary(path, "<unk>") == ("<unk>", " ", "a", " b ", "\t", "é")


def test_the_last_line_needs_no_newline_and_an_empty_line_is_a_token(tmp_path):
    assert read_vocabulary(vocab_file(tmp_path, b"<unk>\n\nx"), "<unk>") == ("<unk>", "", "x")


@pytest.mark.parametrize(
    "data, unk, message",
    [
        (b"a\nb\n", "<unk>", "no line '<unk>' for unknown tokens; add one, or name the entry it has with --unk"),
        (b"<unk>\na\nb\na\n", "<unk>", "line 4 of the vocabulary repeats the token 'a' of line 2"),
        (b"<unk>\r\na\r\n", "<unk>", "Windows line ends"),
        (b"", "<unk>", "is empty"),
        (b"<unk>\n\xff\n", "<unk>", "not UTF-8"),
    ],
)
def test_a_bad_vocabulary_is_refused_with_the_reason(tmp_path, data, unk, message):
    with pytest.raises(ModelImportError, match=message):
        read_vocabulary(vocab_file(tmp_path, data), unk)


def test_another_unknown_token_can_be_named(tmp_path):
    assert read_vocabulary(vocab_file(tmp_path, b"[UNK]\na\n"), "[UNK]") == ("[UNK]", "a")


@pytest.mark.parametrize(
    "tokens, kind",
    [
        (("<unk>", " ", "a", "b"), "char"),
        (("<unk>", "<eos>", "a", "."), "char"),
        (("<unk>", "<eos>", "the", "a"), "whitespace"),  # PyTorch's word_language_model's mark
        (("<unk>", "the", "a", "."), "word"),
        (("[UNK]", "a"), "char"),
    ],
)
def test_the_tokenizer_is_guessed_from_the_tokens(tokens, kind):
    assert guess_tokenizer(tokens, tokens[0]) == kind


# --- the escaped format: any character, a newline included ---


def test_an_escaped_vocabulary_holds_any_character(tmp_path):
    tokens = ("<unk>", "\n", "\r", "\t", "\\", " ", "", "é", "中", "😀", "\x7f", "a\\nb")
    lines = "".join(token.encode("unicode_escape").decode("ascii") + "\n" for token in tokens)
    path = vocab_file(tmp_path, ("#gatescope-vocab escaped\n" + lines).encode())
    assert read_vocabulary(path, "<unk>") == tokens


def test_escaped_lines_may_hold_characters_as_they_are_and_crlf_line_ends(tmp_path):
    data = "#gatescope-vocab escaped\r\n<unk>\r\né\r\n\\u4e2d\\U0001F600\r\n".encode()
    assert read_vocabulary(vocab_file(tmp_path, data), "<unk>") == ("<unk>", "é", "中😀")


def test_a_plain_vocabulary_is_read_as_before_backslashes_and_all(tmp_path):
    path = vocab_file(tmp_path, b"<unk>\n\\n\n\\\n#gatescope-vocab escaped\n")
    assert read_vocabulary(path, "<unk>") == ("<unk>", "\\n", "\\", "#gatescope-vocab escaped")


@pytest.mark.parametrize(
    "line, message",
    [
        (b"\\q", "line 3 of the vocabulary has an unknown escape, a backslash before 'q'"),
        (b"ab\\", "line 3 of the vocabulary ends in a backslash"),
        (b"\\x4", "line 3 of the vocabulary has an unknown escape, a backslash before 'x4'"),
        (b"\\ud800", "line 3 of the vocabulary escapes U\\+D800, which is not a character"),
        (b"\\U00110000", "escapes U\\+110000"),
        (b"<unk>", "line 3 of the vocabulary repeats the token '<unk>' of line 2"),
    ],
)
def test_a_bad_escape_is_refused_naming_its_line(tmp_path, line, message):
    path = vocab_file(tmp_path, b"#gatescope-vocab escaped\n<unk>\n" + line + b"\n")
    with pytest.raises(ModelImportError, match=message):
        read_vocabulary(path, "<unk>")

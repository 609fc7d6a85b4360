import pytest

from app.models.tokenizers import CharTokenizer, WhitespaceTokenizer, WordTokenizer

CHARS = CharTokenizer(vocab=("<unk>", " ", "a", "b"))
WORDS = WordTokenizer(vocab=("<unk>", "i", "grew", "up", "in", "france", "."), lowercase=True)


def test_char_tokens_keep_their_text_and_unknowns_read_unk():
    tokens = CHARS.encode("ab c")
    assert [t.text for t in tokens] == ["a", "b", " ", "c"]
    assert [t.id for t in tokens] == [2, 3, 1, 0]
    assert [t.unk for t in tokens] == [False, False, False, True]


def test_any_unicode_is_tokenized_without_error():
    text = "我在法国长大 😀 e\u0301 \u200b"
    tokens = CHARS.encode(text)
    assert "".join(t.text for t in tokens) == text
    assert all(t.id == CHARS.unk_id for t in tokens if t.text not in CHARS.vocab)


def test_words_split_on_spaces_and_punctuation_and_match_lowercase():
    tokens = WORDS.encode("I grew up in France.  Paris!")
    assert [t.text for t in tokens] == ["I", "grew", "up", "in", "France", ".", "Paris", "!"]
    assert [t.unk for t in tokens] == [False] * 6 + [True, True]
    assert tokens[0].id == 1 and tokens[4].id == 5


def test_chinese_words_are_tokens_too():
    assert [t.text for t in WORDS.encode("我 在法国")] == ["我", "在法国"]


def test_a_vocabulary_without_the_unknown_entry_is_refused():
    with pytest.raises(ValueError, match="unknown-token"):
        CharTokenizer(vocab=("a", "b"))


def test_the_unk_entry_itself_cannot_be_typed_as_a_token():
    assert all(t.unk for t in CHARS.encode("<unk>") if t.text != " ")


# --- whitespace: PyTorch's word-language-model example ---

EXAMPLE_WORDS = ("<unk>", "<eos>", "the", "cat", "sat", "don't", "@-@", ",", "A")


def example_ids(path, vocab):
    """The example's data.py, as it reads a file: each line's line.split(), then <eos>."""
    index = {word: i for i, word in enumerate(vocab)}
    with open(path, encoding="utf8") as file:
        return [index.get(word, index["<unk>"]) for line in file for word in line.split() + ["<eos>"]]


@pytest.mark.parametrize(
    "text",
    [
        "the cat sat\n",
        "the  cat\tsat , don't\n\nA @-@ cat\n",
        "the cat\r\nsat\rA dog\n",  # every line end Python's text files know, and a word the vocabulary lacks
        "the\u3000cat\u00a0sat \u2003A\n",  # ideographic, no-break and em spaces are whitespace to str.split()
    ],
)
def test_whitespace_tokens_are_the_ids_the_examples_own_pipeline_gives(tmp_path, text):
    path = tmp_path / "text.txt"
    path.write_bytes(text.encode())
    tokens = WhitespaceTokenizer(vocab=EXAMPLE_WORDS).encode(text)
    assert [t.id for t in tokens] == example_ids(path, EXAMPLE_WORDS)


def test_a_line_end_is_typed_as_itself_and_read_as_eos():
    tokens = WhitespaceTokenizer(vocab=EXAMPLE_WORDS).encode("the cat\r\nsat\n")
    assert [t.text for t in tokens] == ["the", "cat", "\r\n", "sat", "\n"]
    assert [t.id for t in tokens] == [2, 3, 1, 4, 1] and not any(t.unk for t in tokens)


def test_the_last_line_gets_its_eos_when_its_line_end_is_typed():
    tokenizer = WhitespaceTokenizer(vocab=EXAMPLE_WORDS)
    assert [t.id for t in tokenizer.encode("the cat")] == [2, 3]  # still being typed
    assert [t.id for t in tokenizer.encode("the cat") + tokenizer.encode("\n")] == [2, 3, 1]


def test_without_eos_in_the_vocabulary_a_line_end_only_separates_words():
    tokens = WhitespaceTokenizer(vocab=("<unk>", "a", "b")).encode("a\nb\n\n")
    assert [t.text for t in tokens] == ["a", "b"]


def test_whitespace_words_keep_their_punctuation_and_a_typed_unk_reads_unk():
    tokens = WhitespaceTokenizer(vocab=EXAMPLE_WORDS).encode("don't <unk> cat.")
    assert [(t.text, t.id, t.unk) for t in tokens] == [("don't", 5, False), ("<unk>", 0, True), ("cat.", 0, True)]


# --- typographic forms a vocabulary lacks: read as their plain forms, visibly ---

PROSE_LIKE = CharTokenizer(vocab=("<unk>", " ", '"', "'", ",", ".", "!", "?", "-", "a", "b", "A"))


@pytest.mark.parametrize(
    "typed, plain",
    [
        ("\u201c", '"'),  # “
        ("\u201d", '"'),  # ”
        ("\u2018", "'"),  # ‘
        ("\u2019", "'"),  # ’
        ("\u300c", '"'),  # 「
        ("\uff0c", ","),  # ，full-width comma (a Chinese input method's)
        ("\uff01", "!"),  # ！
        ("\uff1f", "?"),  # ？
        ("\u3002", "."),  # 。
        ("\uff21", "A"),  # Ａ full-width letter
        ("\u2014", "-"),  # — em dash
        ("\u3000", " "),  # ideographic space
    ],
)
def test_a_typographic_form_is_read_as_its_plain_form_and_says_so(typed, plain):
    (token,) = PROSE_LIKE.encode(typed)
    assert token.text == typed and token.read_as == plain and not token.unk
    assert token.id == PROSE_LIKE.vocab.index(plain)


def test_curly_quotes_read_exactly_as_straight_ones():
    curly, straight = PROSE_LIKE.encode("\u201ca b\u201d, \u2018a\u2019"), PROSE_LIKE.encode("\"a b\", 'a'")
    assert [t.id for t in curly] == [t.id for t in straight]
    assert [t.read_as for t in curly if t.read_as] == ['"', '"', "'", "'"]
    assert all(t.read_as is None for t in straight)


def test_a_form_the_vocabulary_has_is_read_as_itself_and_one_with_no_plain_form_there_is_unk():
    with_both = CharTokenizer(vocab=("<unk>", '"', "\u201c"))
    assert [(t.id, t.read_as) for t in with_both.encode("\u201c\u201d")] == [(2, None), (1, '"')]
    curly_only = CharTokenizer(vocab=("<unk>", "\u201c"))
    (token,) = curly_only.encode("\u201d")
    assert token.unk and token.read_as is None


def test_words_and_whitespace_words_are_read_in_their_plain_forms_too():
    words = WordTokenizer(vocab=("<unk>", "abc", '"', ","), lowercase=True)
    assert [(t.text, t.id, t.read_as) for t in words.encode("\u201c\uff21\uff42\uff43\uff0c")] == [
        ("\u201c", 2, '"'),
        ("\uff21\uff42\uff43", 1, "abc"),  # full-width letters are one word, read lower-cased and plain
        ("\uff0c", 3, ","),
    ]
    spaced = WhitespaceTokenizer(vocab=("<unk>", "<eos>", "don't", '"'))
    assert [(t.id, t.read_as) for t in spaced.encode("don\u2019t \u201d\n")] == [(2, "don't"), (3, '"'), (1, None)]

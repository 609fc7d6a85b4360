import pytest

from app.models.tokenizers import CharTokenizer, WordTokenizer

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

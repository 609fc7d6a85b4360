"""The long-lag task: sentences with a gap of exactly N words, the answer always asked, and
held-out parts that never occur in training (so its metrics are on text the model never saw)."""

import numpy as np
import pytest

from app.training.tasks.long_lag import (
    ARTICLE,
    COUNTRIES,
    CUE,
    HELD_OUT,
    LANGUAGES,
    LONG_LAG,
    TRAINING,
    words_of,
)


def gap_of(words: list[str]) -> list[str]:
    """The words between the opening's "." and the closing (the stop that ends the gap left out)."""
    first, last = words.index("."), len(words) - 1 - words[::-1].index(".")  # closings have no stop
    return words[first + 1 : last]


@pytest.mark.parametrize("lag", [0, 1, 2, 3, 7, 30, 60])
@pytest.mark.parametrize("parts", [TRAINING, HELD_OUT], ids=["training", "held out"])
def test_a_gap_of_n_holds_exactly_n_words_between_the_opening_and_the_closing(lag, parts):
    rng = np.random.default_rng(lag)
    for _ in range(20):
        words = LONG_LAG.sentence(rng, lag, parts)
        between = gap_of(words)
        assert sum(word not in (",", ".") for word in between) == lag
        assert words[-1] == CUE and (lag == 0) == (words.count(".") == 1)


def test_the_answer_is_the_language_of_the_first_country_and_is_always_asked():
    rng = np.random.default_rng(0)
    asked_next, others = 0, 0
    for _ in range(300):
        sample = LONG_LAG.sample(rng)
        words = [word for word, _ in sample]
        home = next(word for word in words if word in COUNTRIES)
        assert sample[-1] == (CUE, LANGUAGES[home])
        for (_, target), after in zip(sample, words[1:]):
            assert target in (None, after)  # any other word asked is the next one
            asked_next += target is not None
            others += 1
    assert abs(asked_next / others - LONG_LAG.other_words_share) < 0.02


def test_held_out_parts_never_occur_in_training_and_use_only_trained_words():
    for field in ("openings", "closings", "fillers", "distractors", "pairing_offsets"):
        assert set(getattr(TRAINING, field)).isdisjoint(getattr(HELD_OUT, field)), field
    assert set(words_of(HELD_OUT)) <= set(words_of(TRAINING))
    assert ARTICLE[0] in HELD_OUT.openings and ARTICLE[1] in HELD_OUT.closings
    assert sorted(TRAINING.pairing_offsets + HELD_OUT.pairing_offsets) == list(range(1, 12))


def test_evaluation_sentences_are_made_of_held_out_parts_and_ask_only_the_answer():
    openings = {opening.format(country) for opening in HELD_OUT.openings for country in COUNTRIES}
    training_openings = {opening.format(country) for opening in TRAINING.openings for country in COUNTRIES}
    for sample in LONG_LAG.held_out(200, seed=1, lag=20):
        words = [word for word, _ in sample]
        opening = " ".join(words[: words.index(".") + 1])
        assert opening in openings and opening not in training_openings
        assert any(" ".join(words).endswith(closing) for closing in HELD_OUT.closings)
        assert [target for _, target in sample if target] == [LANGUAGES[words[words.index(".") - 1]]]
        home = COUNTRIES.index(words[words.index(".") - 1])
        for other in {word for word in words[words.index(".") :] if word in COUNTRIES}:
            assert (COUNTRIES.index(other) - home) % 12 in HELD_OUT.pairing_offsets


def test_no_other_country_is_named_in_a_gap_of_three_words_or_fewer():
    """Every phrase that names a country is 4 words or more: a short gap is never a trap."""
    assert min(len(phrase.split()) for phrase in TRAINING.distractors + HELD_OUT.distractors) >= 4
    rng = np.random.default_rng(2)
    for lag in (1, 2, 3):
        for _ in range(100):
            assert sum(word in COUNTRIES for word in LONG_LAG.sentence(rng, lag, TRAINING)) == 1

"""The agreement task: clauses with new subjects in mid-sentence, a language model's targets,
and held-out frames (ways of joining clauses) that training never uses."""

import numpy as np

from app.training.tasks.agreement import AGREEMENT, CANDIDATES, GENDER, JOINS, VERB_FORM, held_out_join


def test_every_word_is_asked_for_the_next_one():
    for sample in AGREEMENT.draw(50, seed=0):
        words = [word for word, _ in sample]
        assert [target for _, target in sample] == [*words[1:], None]


def test_verbs_and_pronouns_agree_with_the_current_subject_not_the_other_nouns():
    rng = np.random.default_rng(1)
    asked = dict.fromkeys(CANDIDATES, 0)
    for _ in range(200):
        paragraph = AGREEMENT.paragraph(rng)
        for k, kind in enumerate(paragraph.asks):
            if kind is not None:
                subject, answer = paragraph.subjects[k], paragraph.words[k + 1]
                assert answer == (VERB_FORM[subject] if kind == "verb" else subject)
                asked[kind] += 1
    assert min(asked.values()) > 100


def test_a_new_subject_often_comes_in_mid_sentence_after_a_joining_word():
    rng = np.random.default_rng(2)
    before = []
    for _ in range(200):
        paragraph = AGREEMENT.paragraph(rng)
        before += [paragraph.words[k - 2] for k in paragraph.subject_at if k >= 2]
    assert {",", "and", "but", "while"} <= set(before) and before.count(".") < len(before) / 2


def test_the_features_follow_the_generated_subject():
    """The label features, read from the words alone, match what the generator knows."""
    rng = np.random.default_rng(3)
    for _ in range(200):
        paragraph = AGREEMENT.paragraph(rng, held_out=bool(rng.integers(2)))
        features = AGREEMENT.features(paragraph.words)
        assert features["subject gender (he +1, she −1)"] == [GENDER.get(s, 0.0) for s in paragraph.subjects]
        assert features["subject plural"] == [float(s == "they") for s in paragraph.subjects]


def test_training_never_joins_clauses_as_the_held_out_frames_do():
    rng = np.random.default_rng(4)
    trained = [frame for _ in range(300) for frame in AGREEMENT.paragraph(rng).frames]
    held = [frame for paragraph in AGREEMENT.held_out(300, seed=5) for frame in paragraph.frames]
    assert not any(held_out_join(*join) for frame in trained for join in frame)
    assert all(any(held_out_join(*join) for join in frame) for frame in held)
    assert {join for frame in held for _, join, _ in frame} == set(JOINS)  # every joining word is still seen

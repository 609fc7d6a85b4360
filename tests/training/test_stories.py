"""The article's stories, told by the bundled models on sentences made only of parts they
never trained on (the tasks' held-out frames, fillers, words and country pairings), drawn
from seeds that neither training, validation nor the model files' own metrics use.

§2: a plain RNN bridges a short gap ("the clouds are in the sky") and loses a long one;
the LSTM holds at every gap. §5, step 1: when a new subject comes in mid-sentence, with no
full stop before it, the gender unit's forget gate lets go of the old subject, and the
verb and pronoun agree with the new one."""

from pathlib import Path

import numpy as np
import pytest

from app.lessons import LESSONS
from app.models.format import load_model
from app.training.convert import from_model
from app.training.metrics import Evaluator
from app.training.tasks.agreement import AGREEMENT, GENDER, JOINS
from app.training.tasks.long_lag import CUE, HELD_OUT, LONG_LAG

BUNDLED = Path(__file__).resolve().parents[2] / "app" / "models" / "bundled"
STORY_SEED = 40_000  # sentences no other draw uses (training 0+, validation 10,000+, metrics 20,000+, labels 30,000+)
CHANCE = 1 / 12


def evaluator(name: str) -> Evaluator:
    return Evaluator(*from_model(load_model(BUNDLED / f"{name}.npz")))


@pytest.fixture(scope="module")
def accuracy_by_gap():
    """Held-out accuracy of each long-lag model at each gap: 300 fresh sentences a gap."""
    gaps = (0, 1, 2, 3, 10, 30, 60, 100)
    result = {}
    for name in ("long-lag-rnn", "long-lag-lstm"):
        evaluate = evaluator(name)
        result[name] = {
            gap: evaluate(LONG_LAG.batches(LONG_LAG.held_out(300, STORY_SEED + gap, gap), 100)).accuracy for gap in gaps
        }
    return result


def test_the_plain_rnn_bridges_a_short_gap(accuracy_by_gap):
    """Far above chance (1 in 12) across a gap of 0 to 3 words. (The story aimed for 90% at
    every one of them; the bundled RNN reaches it only at a gap of 0: docs/models.md.)"""
    rnn = accuracy_by_gap["long-lag-rnn"]
    assert rnn[0] >= 0.85 and min(rnn[gap] for gap in (1, 2, 3)) >= 0.55, rnn


def test_the_plain_rnn_loses_a_long_gap(accuracy_by_gap):
    rnn = accuracy_by_gap["long-lag-rnn"]
    assert max(rnn[gap] for gap in (30, 60, 100)) < 0.3, rnn
    short, long = np.mean([rnn[gap] for gap in (0, 1, 2, 3)]), np.mean([rnn[gap] for gap in (30, 60, 100)])
    assert short - long > 0.4, rnn  # it falls with the gap, not at every gap alike


def test_the_lstm_holds_at_every_gap(accuracy_by_gap):
    lstm = accuracy_by_gap["long-lag-lstm"]
    assert min(lstm.values()) >= 0.95, lstm


def test_the_french_lessons_are_held_out_sentences_a_short_and_a_long_gap():
    """The §2 lessons' texts are made of held-out parts only: what the page shows is what
    the tests measure, not a sentence the models were fitted to."""
    gaps = {}
    for lesson in (lesson for lesson in LESSONS if lesson.section == "2"):
        words = lesson.text.lower().split()
        stop = words.index(".")
        opening = " ".join(words[: stop - 1] + ["{}", "."])
        closing = " ".join(words[-3:])
        phrases = " ".join(words[stop + 1 : -3]).replace(" ,", " .").split(" . ")
        assert opening in HELD_OUT.openings and closing in HELD_OUT.closings and words[-1] == CUE
        assert all(phrase.strip(" .") in HELD_OUT.fillers for phrase in phrases), phrases
        gaps[lesson.id] = sum(word not in (",", ".") for word in words[stop + 1 : -3])
    assert gaps["french"] <= 3 and gaps["longgap"] >= 30


# --- §5: the agreement model ------------------------------------------------------------


@pytest.fixture(scope="module")
def agreement():
    return load_model(BUNDLED / "agreement.npz")


def test_verbs_and_pronouns_agree_on_held_out_frames(agreement):
    result = AGREEMENT.agreement(Evaluator(*from_model(agreement)), AGREEMENT.held_out(500, STORY_SEED))
    assert result["verb"]["accuracy"] >= 0.95 and result["pronoun"]["accuracy"] >= 0.95, result
    assert min(r["positions"] for r in result.values()) > 300


def gender_unit(model) -> dict:
    """The bundled model's own label for the subject's gender on its belt (C or tanh C)."""
    labels = [u for u in model.info["units"] if "gender" in u["feature"] and u["vector"] in ("c", "tanh_c")]
    assert labels, "the agreement model has no gender unit on its belt"
    return max(labels, key=lambda u: abs(u["r"]))


def test_a_new_subject_in_mid_sentence_makes_the_forget_gate_drop_the_old_gender(agreement):
    """At every new subject after a joining word (no full stop before it), the gender unit's
    forget gate shuts (< 0.5) on the joining word, the "the" or the noun, and its C then holds
    the new subject's gender; at the "the" of an object inside a clause the gate stays open."""
    label = gender_unit(agreement)
    unit, sign = label["unit"], np.sign(label["r"])
    index = {token: i for i, token in enumerate(agreement.tokenizer.vocab)}
    joining_words = {word for join in JOINS for word in join.split()}
    shut, holds_new, changes, objects_shut, objects = 0, 0, 0, 0, 0
    for paragraph in AGREEMENT.held_out(300, STORY_SEED + 1):
        records, _ = agreement.forward(np.array([index[w] for w in paragraph.words]), agreement.zero_state())
        f = np.array([record.f[unit] for record in records[0]])
        c = np.array([record.c[unit] for record in records[0]])
        subjects = set(paragraph.subject_at)
        for k in subjects:
            if k < 2 or paragraph.words[k - 2] not in joining_words:
                continue  # the first subject, or one after a full stop
            before, now = paragraph.subjects[k - 2], paragraph.subjects[k]
            if {before, now} != {"he", "she"}:
                continue  # the unit's sign tells he from she
            shut += f[k - 2 : k + 1].min() < 0.5
            holds_new += np.sign(c[k]) == sign * GENDER[now]
            changes += 1
        for k, word in enumerate(paragraph.words):
            if word == "the" and k + 1 not in subjects:
                objects_shut += f[k] < 0.5
                objects += 1
    assert changes > 100 and objects > 500
    assert shut / changes >= 0.95 and holds_new / changes >= 0.95, (shut / changes, holds_new / changes, changes)
    assert objects_shut / objects <= 0.05, objects_shut / objects  # the new subject, not any "the", makes it forget

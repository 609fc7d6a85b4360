import numpy as np
import pytest

from app.training.tasks import TASKS
from app.training.tasks.agreement import AGREEMENT, NOUNS
from app.training.tasks.counter import COUNTER, depths
from app.training.tasks.long_lag import LANGUAGES, LONG_LAG


@pytest.mark.parametrize("name", sorted(TASKS))
def test_samples_are_seeded_and_use_only_the_vocabulary(name):
    task = TASKS[name]
    first, again = task.draw(20, seed=3), task.draw(20, seed=3)
    assert first == again and first != task.draw(20, seed=4)
    for sample in first:
        ids, targets = task.encode(sample)  # raises on a token outside the vocabulary
        assert any(t >= 0 for t in targets)
        assert task.tokenizer.encode(task.text(sample))[0].unk is False


def test_counter_asks_for_a_close_while_a_bracket_is_open():
    for sample in COUNTER.draw(50, seed=0):
        text = "".join(token for token, _ in sample)
        assert min(depths(text)) >= 0 and max(depths(text)) <= COUNTER.max_depth
        for (_, target), depth in zip(sample, depths(text)):
            assert target == (")" if depth > 0 else ".")


def test_long_lag_scores_only_the_language_of_the_country_read_first():
    rng = np.random.default_rng(0)
    sample = LONG_LAG.sample(rng, lag=30)
    words = [word for word, _ in sample]
    assert (
        words[:4] == ["i", "grew", "up", "in"]
        and words[-4:] == [".", "i", "speak", "fluent"]
        and len(words) == 4 + 2 + 30 + 4
    )
    assert [t for _, t in sample if t] == [LANGUAGES[words[4]]]


def test_agreement_verb_and_pronoun_follow_the_subject_not_the_distractors():
    for sample in AGREEMENT.draw(50, seed=1):
        words = [w for w, _ in sample]
        asked = [(k, t) for k, (_, t) in enumerate(sample) if t]
        subjects = [
            words[k + 1] for k in range(len(words) - 1) if words[k] == "the" and (k == 0 or words[k - 1] == ".")
        ]
        assert len(asked) == 2 * len(subjects)
        for subject, (_, verb), (_, pronoun) in zip(subjects, asked[::2], asked[1::2]):
            expected = next(p for p, nouns in NOUNS.items() if subject in nouns)
            assert pronoun == expected and verb == ("were" if expected == "they" else "was")


def test_agreement_features_follow_the_current_subject():
    words = "the king , who met the queens , was tired , so he left early . the girls , that the boy saw , were late".split()
    features = AGREEMENT.features(words)
    gender, plural = features.values()
    assert gender[0] == 0 and gender[1] == 1 and gender[6] == 1  # "the queens" in the clause is no subject
    assert plural[17] == 1 and gender[17] == 0  # "girls" replaced "king"

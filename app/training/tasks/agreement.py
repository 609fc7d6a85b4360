"""`agreement`: the article's own example (§5, step 1) of what the belt holds — the
subject's gender and number, kept across distractors and replaced at a new subject.

    the king , who met the girls near the queen , was tired , so he went home .

A sample holds 1 to 3 such sentences, each with a new subject (a gendered singular or
a plural noun) and a clause of 1 to 3 distractor nouns of any gender and number. Two
positions are scored: after the clause's closing comma the verb (was / were, the
subject's number) and after "so" the pronoun (he / she / they, its gender and number).
"""

from __future__ import annotations

import numpy as np

from app.models.tokenizers import WordTokenizer
from app.training.tasks.base import Recipe, Sample, SequenceTask

NOUNS = {
    "he": "king man boy father brother prince uncle son waiter actor".split(),
    "she": "queen woman girl mother sister princess aunt daughter waitress actress".split(),
    "they": "kings men boys fathers brothers queens women girls mothers sisters".split(),
}
VERB_FORM = {"he": "was", "she": "was", "they": "were"}
VERBS = "met saw liked helped called followed".split()
PREPOSITIONS = "near with behind beside".split()
ADJECTIVES = "tired happy hungry late".split()
ENDINGS = [ending.split() for ending in ("went home", "left early", "slept well", "sang loudly")]
SUBJECT_GENDER = {
    noun: {"he": 1.0, "she": -1.0, "they": 0.0}[pronoun] for pronoun, nouns in NOUNS.items() for noun in nouns
}
FUNCTION_WORDS = "the , who that was were so he she they .".split()


class Agreement(SequenceTask):
    name = "agreement"
    tokenizer = WordTokenizer(
        vocab=(
            "<unk>",
            *dict.fromkeys(
                FUNCTION_WORDS
                + VERBS
                + PREPOSITIONS
                + ADJECTIVES
                + [w for e in ENDINGS for w in e]
                + sum(NOUNS.values(), [])
            ),
        ),
        lowercase=True,
    )
    recipe = Recipe(hidden=32, embed=16, lr=3e-3, epochs=60, minutes=None)
    description = (
        "Word-level agreement, the article's example: the belt holds the subject's gender and number "
        "across a clause of other nouns, so the verb (was/were) and the pronoun (he/she/they) agree with it; "
        "at the next sentence's subject the forget gate drops the old one."
    )
    data_description = (
        "generated paragraphs of 1-3 sentences 'the SUBJECT , who VERB the NOUN (PREP the NOUN){0,2} , was/were ADJ , "
        f"so he/she/they ...', {sum(map(len, NOUNS.values()))} nouns (seeded)"
    )

    def sample(self, rng: np.random.Generator) -> Sample:
        sample: Sample = []
        for _ in range(rng.integers(1, 4)):
            sample += self.sentence(rng)
        return sample

    def sentence(self, rng: np.random.Generator) -> Sample:
        def pick(words):
            return words[rng.integers(len(words))]

        pronoun = pick(list(NOUNS))
        all_nouns = sum(NOUNS.values(), [])
        clause = (
            ["who", pick(VERBS), "the", pick(all_nouns)]
            if rng.random() < 0.5
            else ["that", "the", pick(all_nouns), pick(VERBS)]
        )
        for _ in range(rng.integers(0, 3)):
            clause += [pick(PREPOSITIONS), "the", pick(all_nouns)]
        sample: Sample = [(word, None) for word in ["the", pick(NOUNS[pronoun]), ",", *clause]]
        sample.append((",", VERB_FORM[pronoun]))  # after the clause: the verb must agree in number
        sample += [(VERB_FORM[pronoun], None), (pick(ADJECTIVES), None), (",", None)]
        sample.append(("so", pronoun))  # the pronoun must agree in gender and number
        sample += [(pronoun, None)] + [(word, None) for word in pick(ENDINGS)] + [(".", None)]
        return sample

    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        """Per word, what the current subject is (0 before the first): its gender
        (+1 he, −1 she, 0 they) and whether it is plural. A subject is the noun that
        opens a sentence ("the king" at the start or after ".")."""
        gender, plural = 0.0, 0.0
        features: dict[str, list[float]] = {"subject gender (he +1, she −1)": [], "subject plural": []}
        for k, word in enumerate(tokens):
            opens_sentence = k >= 1 and tokens[k - 1] == "the" and (k == 1 or tokens[k - 2] == ".")
            if opens_sentence and word in SUBJECT_GENDER:
                gender, plural = SUBJECT_GENDER[word], float(word in NOUNS["they"])
            features["subject gender (he +1, she −1)"].append(gender)
            features["subject plural"].append(plural)
        return features


AGREEMENT = Agreement()

"""`agreement`: the article's own example (§5, step 1) of what the belt holds — the
subject's gender and number, kept across other nouns and replaced at a new subject.

    the king , who met the girls near the queen , was tired , but the women were happy , so they

A sentence joins one to three clauses by ",", "and", "but" or "while", with no full stop
between them; each clause has its own subject (a gendered singular or a plural noun),
often with a relative clause or a phrase that names other nouns of any gender and number,
then was/were, and may go on with a pronoun ("so she went home"). A sample holds one or
two sentences. The model is a language model: it is trained to guess every next word,
so its guesses everywhere are ones it learnt. The held-out metric is agreement: where
the verb comes, was or were, whichever the model finds more likely, must match the
subject's number; where the pronoun comes, he, she or they, its gender and number.

A frame is a sentence's structure: its clause kinds and the words that join them. The
model trains on sentences whose every join (clause kind, joining words, clause kind) is
one of the training joins; the held-out metrics and the stories' tests use sentences
with at least one join it never saw (`held_out`).
"""

from __future__ import annotations

import dataclasses
import zlib
from dataclasses import dataclass
from itertools import product

import numpy as np

from app.models.tokenizers import WordTokenizer
from app.training.tasks.base import LABEL_SEED, TEST_SEED, Recipe, Sample, SequenceTask

NOUNS = {
    "he": "king man boy father brother prince uncle son waiter actor".split(),
    "she": "queen woman girl mother sister princess aunt daughter waitress actress".split(),
    "they": "kings men boys fathers brothers queens women girls mothers sisters".split(),
}
ALL_NOUNS = sum(NOUNS.values(), [])
PRONOUN_OF = {noun: pronoun for pronoun, nouns in NOUNS.items() for noun in nouns}
VERB_FORM = {"he": "was", "she": "was", "they": "were"}
VERBS = "met saw liked helped called followed".split()
PREPOSITIONS = "near with behind beside".split()
ADJECTIVES = "tired happy hungry late".split()
ENDINGS = [ending.split() for ending in ("went home", "left early", "slept well", "sang loudly")]
JOINS = (",", ", and", ", but", ", while", "and", "but", "while")  # between clauses: a new subject follows
SUBJECT_KINDS = ("plain", "who", "that", "who-bare", "phrase")  # the king | , who met the N , | ...
GOES_ON = ("", ", so", "so", "and")  # after was/were ADJ: nothing, or a pronoun for the same subject
CLAUSE_KINDS = tuple(product(SUBJECT_KINDS, GOES_ON))
GENDER = {"he": 1.0, "she": -1.0, "they": 0.0}  # the gender feature: +1 he, -1 she
CANDIDATES = {"verb": ("was", "were"), "pronoun": ("he", "she", "they")}


def held_out_join(before: tuple[str, str], join: str, after: tuple[str, str]) -> bool:
    """A fixed quarter of all (clause kind, join, clause kind) is never trained on."""
    return zlib.crc32(repr((before, join, after)).encode()) % 4 == 0


@dataclass
class Sentence:
    """Words, and for each: the subject after reading it (its pronoun, or None before the
    first) and what is asked of the next word ("verb", "pronoun" or None); where each
    subject's noun is, and each sentence's frame (its joins)."""

    words: list[str] = dataclasses.field(default_factory=list)
    subjects: list[str | None] = dataclasses.field(default_factory=list)
    asks: list[str | None] = dataclasses.field(default_factory=list)
    subject_at: list[int] = dataclasses.field(default_factory=list)
    frames: list[list[tuple]] = dataclasses.field(default_factory=list)  # per sentence: (kind, join, kind)

    def add(self, words: list[str], subject: str | None, asks: str | None = None) -> None:
        self.words += words
        self.subjects += [subject] * len(words)
        self.asks += [None] * (len(words) - 1) + [asks]


class Agreement(SequenceTask):
    name = "agreement"
    tokenizer = WordTokenizer(
        vocab=(
            "<unk>",
            *dict.fromkeys(
                "the , who that was were so he she they . and but while".split()
                + VERBS
                + PREPOSITIONS
                + ADJECTIVES
                + [w for e in ENDINGS for w in e]
                + ALL_NOUNS
            ),
        ),
        lowercase=True,
    )
    bucket_by_length = True  # lengths vary a lot: batched alike, an epoch costs a fraction
    recipe = Recipe(hidden=48, embed=16, lr=3e-3, epochs=40, minutes=None)
    description = (
        "Word-level agreement, the article's example: the belt holds the subject's gender and number "
        "across other nouns, so the verb (was/were) and the pronoun (he/she/they) agree with it; "
        "at a new subject, in mid-sentence or after a full stop, the forget gate drops the old one. "
        "Trained to guess every next word."
    )
    data_description = (
        "generated paragraphs of 1-2 sentences, each of 1-3 clauses joined by , / and / but / while "
        "('the SUBJECT [, who VERB the NOUN (PREP the NOUN)* ,] was/were ADJ [, so PRONOUN ...]'), "
        f"{len(ALL_NOUNS)} nouns (seeded); a quarter of the ways clauses join held out for evaluation"
    )

    # --- generating sentences -------------------------------------------------------

    def clause(self, rng: np.random.Generator, kind: tuple[str, str], sentence: Sentence) -> None:
        def pick(words):
            return words[rng.integers(len(words))]

        subject_kind, goes_on = kind
        noun = pick(ALL_NOUNS)
        pronoun = PRONOUN_OF[noun]
        sentence.add(["the"], sentence.subjects[-1] if sentence.subjects else None)
        sentence.subject_at.append(len(sentence.words))
        sentence.add([noun], pronoun)
        phrases = [[pick(PREPOSITIONS), "the", pick(ALL_NOUNS)] for _ in range(rng.integers(0, 3))]
        middle = {
            "plain": [],
            "who": [",", "who", pick(VERBS), "the", pick(ALL_NOUNS), *sum(phrases, []), ","],
            "that": [",", "that", "the", pick(ALL_NOUNS), pick(VERBS), ","],
            "who-bare": ["who", pick(VERBS), "the", pick(ALL_NOUNS), *sum(phrases[:1], [])],
            "phrase": [pick(PREPOSITIONS), "the", pick(ALL_NOUNS)],
        }[subject_kind]
        if middle:
            sentence.add(middle, pronoun)
        sentence.asks[-1] = "verb"  # the word just read: the verb comes next
        sentence.add([VERB_FORM[pronoun], pick(ADJECTIVES)], pronoun)
        if goes_on:
            sentence.add(goes_on.split(), pronoun, asks="pronoun")
            sentence.add([pronoun, *pick(ENDINGS)], pronoun)

    def sentence(self, rng: np.random.Generator, held_out: bool, sentence: Sentence) -> None:
        """1-3 clauses (2-3 held out, with at least one join never trained on), then ".",
        added to `sentence`."""
        while True:
            count = int(rng.integers(2, 4)) if held_out else int(rng.integers(1, 4))
            kinds = [CLAUSE_KINDS[rng.integers(len(CLAUSE_KINDS))] for _ in range(count)]
            joins = [JOINS[rng.integers(len(JOINS))] for _ in range(count - 1)]
            unseen = [held_out_join(a, j, b) for a, j, b in zip(kinds, joins, kinds[1:])]
            if (held_out and any(unseen)) or (not held_out and not any(unseen)):
                break
        sentence.frames.append(list(zip(kinds, joins, kinds[1:])))
        for k, kind in enumerate(kinds):
            if k:
                sentence.add(joins[k - 1].split(), sentence.subjects[-1])
            self.clause(rng, kind, sentence)
        sentence.add(["."], sentence.subjects[-1])

    def paragraph(self, rng: np.random.Generator, held_out: bool = False) -> Sentence:
        paragraph = Sentence()
        for _ in range(rng.integers(1, 3)):
            self.sentence(rng, held_out, paragraph)
        return paragraph

    @staticmethod
    def as_sample(paragraph: Sentence) -> Sample:
        """A language model's sample: every word's target is the next word."""
        return list(zip(paragraph.words, [*paragraph.words[1:], None], strict=True))

    def sample(self, rng: np.random.Generator) -> Sample:
        return self.as_sample(self.paragraph(rng))

    def held_out(self, count: int, seed: int) -> list[Sentence]:
        rng = np.random.default_rng(seed)
        return [self.paragraph(rng, held_out=True) for _ in range(count)]

    # --- what the trainer and `gatescope evaluate` measure ----------------------------

    def data(self, batch: int, seed: int):
        """As every task's, but the best checkpoint is the one with the lowest validation
        loss: most next words (a noun after "the") are a free choice, so accuracy says little."""
        return dataclasses.replace(
            super().data(batch, seed), score=lambda m: -m.loss, describe=lambda m: f"{m.bits:.3f} bits/word"
        )

    def test_batches(self, count: int = 2_000, batch: int = 64, seed: int = 0):
        return self.batches([self.as_sample(p) for p in self.held_out(count, seed + TEST_SEED)], batch)

    def agreement(self, evaluate, paragraphs: list[Sentence], batch: int = 64) -> dict[str, dict]:
        """Per kind ("verb", "pronoun"): where one comes next, how often the right form
        is the most probable of its candidates (was/were; he/she/they)."""
        right = dict.fromkeys(CANDIDATES, 0)
        asked = dict.fromkeys(CANDIDATES, 0)
        for start in range(0, len(paragraphs), batch):
            chunk = paragraphs[start : start + batch]
            logits = evaluate.logits(self.batches([self.as_sample(p) for p in chunk], len(chunk))[0].ids)  # (T, B, V)
            for column, paragraph in enumerate(chunk):
                for k, kind in enumerate(paragraph.asks):
                    if kind is not None:
                        candidates = CANDIDATES[kind]
                        scores = logits[k, column, [self.index[c] for c in candidates]]
                        right[kind] += candidates[int(np.argmax(scores))] == paragraph.words[k + 1]
                        asked[kind] += 1
        return {
            kind: {"accuracy": round(right[kind] / asked[kind], 4), "positions": asked[kind]} for kind in CANDIDATES
        }

    def metrics(self, evaluate) -> dict:
        return {**super().metrics(evaluate), "agreement": self.agreement(evaluate, self.held_out(1_000, TEST_SEED))}

    def report(self, metrics: dict) -> list[str]:
        test = metrics["test"]
        lines = [f"{test['bits_per_token']:.3f} bits/word on {test['positions']} held-out words"]
        for kind, result in metrics["agreement"].items():
            lines.append(f"{kind}: {result['accuracy']:.2%} right of {result['positions']} (held-out frames)")
        return lines

    # --- features for unit labels -------------------------------------------------------

    def label_samples(self, count: int, seed: int) -> list[list[str]]:
        return [p.words for p in self.held_out(count, seed + LABEL_SEED)]

    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        """Per word, what the current subject is (0 before the first): its gender (+1 he,
        −1 she, 0 they) and whether it is plural. A subject is the noun after a "the" that
        opens a clause: at the start, after "." or after a joining word ("," "and" "but"
        "while"); a "the" after a verb, "that" or a preposition is some other noun."""
        gender, plural = 0.0, 0.0
        features: dict[str, list[float]] = {"subject gender (he +1, she −1)": [], "subject plural": []}
        for k, word in enumerate(tokens):
            opens_clause = (
                k >= 1 and tokens[k - 1] == "the" and (k == 1 or tokens[k - 2] in (".", ",", "and", "but", "while"))
            )
            if opens_clause and word in PRONOUN_OF:
                gender, plural = GENDER[PRONOUN_OF[word]], float(PRONOUN_OF[word] == "they")
            features["subject gender (he +1, she −1)"].append(gender)
            features["subject plural"].append(plural)
        return features


AGREEMENT = Agreement()

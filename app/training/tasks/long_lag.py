"""`long-lag`: the article's "I grew up in France … I speak fluent French" (its §2).

    my family comes from spain . <N filler words> . so today i speak fluent  → spanish

The language after "fluent" is always asked; so is the next word at 6% of the other
words, as a language model learns. Asked only the answer, a model may make the filler words
silent, and a plain RNN then learns, slowly, to hold the country across any gap; asked to
follow the words between as well, as in the article's setting of predicting text, only a
memory the model can shut to them keeps the country. The share is a balance found on the
training parts (docs/models.md): with more, a plain RNN did not leave its first plateau;
with less, it learnt long gaps too. Trained alike as an `rnn` and an `lstm`, the pair shows
the long-term dependency problem: accuracy against the gap N (`gatescope evaluate`) stays
high for the LSTM and falls for the plain RNN as N grows.

Every part of a sentence comes in two sets: the openings, closings, filler phrases and
(home country, distractor country) pairings the model trains on, and others it never
sees, from which the held-out metrics are measured (the article's own sentence, "i grew
up in france … i speak fluent", is held out). Every word of the held-out parts also
occurs in the training parts, so held-out text differs in how words are put together,
never in words the model has not learnt.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np

from app.models.tokenizers import WordTokenizer
from app.training.tasks.base import TEST_SEED, Recipe, Sample, SequenceTask

LANGUAGES = {
    "france": "french", "germany": "german", "spain": "spanish", "italy": "italian",
    "japan": "japanese", "china": "chinese", "russia": "russian", "brazil": "portuguese",
    "greece": "greek", "poland": "polish", "sweden": "swedish", "turkey": "turkish",
}  # fmt: skip
COUNTRIES = tuple(LANGUAGES)
CUE = "fluent"  # the language is asked for after this word, and only there


@dataclass(frozen=True)
class Parts:
    """What sentences are made of: {} is where a country goes."""

    openings: tuple[str, ...]  # "i grew up in {} ." (the home country; ends the first sentence)
    closings: tuple[str, ...]  # "so we still speak fluent" (ends with CUE)
    fillers: tuple[str, ...]  # phrases of 1 to 8 words, joined by "," or "." to fill a gap of exactly N words
    distractors: tuple[str, ...]  # filler phrases that name another country: only the first counts
    pairing_offsets: tuple[int, ...]  # distractor = COUNTRIES[(home + offset) % 12]


def combine(*slots: tuple[str, ...]) -> list[str]:
    """Every phrase one word group from each slot makes ("" leaves a slot out)."""
    return [" ".join(word for word in words if word) for words in product(*slots)]


OPENINGS = combine(
    ("i", "we", "my family", "my mother", "my father", "our parents"),
    ("grew up in", "settled in", "lived in", "came from", "went to school in", "spent years in"),
    ("{} .",),
)
CLOSINGS = combine(
    ("", "so", "now", "today"),
    ("i", "we", "they"),
    ("", "still", "can", "also"),
    ("speak fluent",),
)
FILLERS = combine(
    ("we", "my friends", "my brother", "the children", "our neighbours", "i"),
    ("walked to the market", "played by the river", "read many books", "drank coffee", "sang songs",
     "fixed old bikes", "made bread", "took the bus", "liked music", "worked hard"),
    ("", "every day", "at night", "on sunday", "in the summer", "again", "then", "often"),
)  # fmt: skip
DISTRACTORS = combine(
    ("we", "my friends", "my brother", "the children", "our neighbours", "i"),
    ("once visited", "moved to", "read about", "travelled to", "wrote to friends in", "worked in"),
    ("{}",),
)
ARTICLE = ("i grew up in {} .", "i speak fluent")  # the article's own frame: always held out


def held_out(phrase: str) -> bool:
    """A fixed quarter of every kind of part, and the article's frame, are never trained on."""
    return phrase in ARTICLE or zlib.crc32(phrase.encode()) % 4 == 0


def split(phrases: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(p for p in phrases if not held_out(p)), tuple(p for p in phrases if held_out(p))


PAUSES = combine(
    ("we", "i", "they", "everyone"), ("waited", "rested", "laughed", "slept", "smiled", "cried")
)  # short phrases: "we waited"
# Single words that can fill a gap's last word; each set has its own.
TRAINING_WORDS = ("later", "anyway", "sometimes", "meanwhile", "yes", "well", "afterwards")
HELD_OUT_WORDS = ("then", "again", "often")  # trained on only inside longer phrases
(train_openings, test_openings), (train_closings, test_closings) = split(OPENINGS), split(CLOSINGS)
(train_fillers, test_fillers), (train_distractors, test_distractors) = split(FILLERS), split(DISTRACTORS)
train_pauses, test_pauses = split(PAUSES)
TRAINING = Parts(
    train_openings,
    train_closings,
    train_fillers + train_pauses + TRAINING_WORDS,
    train_distractors,
    (2, 3, 4, 6, 7, 8, 10, 11),
)
HELD_OUT = Parts(test_openings, test_closings, test_fillers + test_pauses + HELD_OUT_WORDS, test_distractors, (1, 5, 9))
DISTRACTOR_SHARE = 0.25  # of filler phrases: one that names another country
# The gaps `gatescope evaluate` measures accuracy at: the article's short one ("the clouds
# are in the sky") up to past the longest gap trained on.
LAGS = (0, 1, 2, 3, 5, 10, 15, 20, 30, 40, 60, 80, 100)
LAG_BATCH = 100  # sentences evaluated at once for the accuracy against the lag


def words_of(parts: Parts) -> list[str]:
    texts = parts.openings + parts.closings + parts.fillers + parts.distractors
    return [word for text in texts for word in text.replace("{}", "").split()]


class LongLag(SequenceTask):
    name = "long-lag"
    tokenizer = WordTokenizer(
        vocab=("<unk>", *dict.fromkeys(words_of(TRAINING) + [","]), *COUNTRIES, *LANGUAGES.values()),
        lowercase=True,
    )
    bucket_by_length = True  # lengths vary a lot: batched alike, an epoch costs a fraction
    recipe = Recipe(hidden=64, embed=16, lr=2e-3, epochs=60, minutes=None)
    max_lag = 60  # the longest gap trained on
    short_share = 0.8  # of training sentences: a short gap (0 in half of them, 1 in a quarter, ...)
    other_words_share = 0.06  # of the other words: also asked for the next one, as a language model is
    description = (
        "The article's long-term dependency: 'I grew up in France . <N filler words> . I speak fluent' → 'French'. "
        "Trained on gaps of 0 to 60 words, most of them short, to guess the language after 'fluent' "
        "and, at 6% of the other words, the next word."
    )
    data_description = (
        f"generated sentences, 12 countries, {len(TRAINING.openings)} openings, {len(TRAINING.closings)} closings, "
        f"{len(TRAINING.fillers)} filler phrases; gaps of 0-{max_lag} words (80% short: 0, 1, 2, ... halving; "
        f"20% log-uniform), seeded; held out for evaluation: {len(HELD_OUT.openings)} openings, "
        f"{len(HELD_OUT.closings)} closings, {len(HELD_OUT.fillers)} filler phrases, a quarter of the country pairings"
    )

    def training_lag(self, rng: np.random.Generator) -> int:
        """Many short gaps, which a plain RNN can learn to bridge; and long ones, up to max_lag."""
        if rng.random() < self.short_share:
            return int(rng.geometric(0.5)) - 1  # 0 (half of them), 1, 2, ...
        return int(np.exp(rng.uniform(0.0, np.log(self.max_lag + 1))))

    def sentence(self, rng: np.random.Generator, lag: int | None = None, parts: Parts = TRAINING) -> list[str]:
        """Opening, a gap of `lag` words, closing: "i grew up in france . … . i speak fluent"."""

        def pick(options):
            return options[rng.integers(len(options))]

        if lag is None:
            lag = self.training_lag(rng)
        home = int(rng.integers(len(COUNTRIES)))
        filler: list[str] = []  # whole phrases of exactly `lag` words, each closed by "," or "."
        while (room := lag - sum(word not in (",", ".") for word in filler)) > 0:
            phrases: Sequence[str] = parts.fillers
            if rng.random() < DISTRACTOR_SHARE:
                phrases = [d.format(COUNTRIES[(home + pick(parts.pairing_offsets)) % 12]) for d in parts.distractors]
            fitting = [p for p in phrases if len(p.split()) <= room] or [
                p for p in parts.fillers if len(p.split()) <= room
            ]
            filler += pick(fitting).split() + [pick((",", "."))]
        words = pick(parts.openings).format(COUNTRIES[home]).split() + filler[:-1] + (["."] if lag else [])
        return words + pick(parts.closings).split()

    @staticmethod
    def answer(words: list[str]) -> str:
        """The language of the first country named."""
        return LANGUAGES[next(word for word in words if word in LANGUAGES)]

    def sample(self, rng: np.random.Generator) -> Sample:
        """A training sentence: the language asked after "fluent", and the next word after 6% of the others."""
        words = self.sentence(rng)
        asked = [
            (word, after if rng.random() < self.other_words_share else None) for word, after in zip(words, words[1:])
        ]
        return [*asked, (words[-1], self.answer(words))]

    def answer_only(self, words: list[str]) -> Sample:
        """A sentence with only its answer asked: what every accuracy here measures."""
        return [(word, None) for word in words[:-1]] + [(words[-1], self.answer(words))]

    def draw(self, count: int, seed: int) -> list[Sample]:
        """Validation sentences (the training parts, another seed): only the answer asked."""
        rng = np.random.default_rng(seed)
        return [self.answer_only(self.sentence(rng)) for _ in range(count)]

    def held_out(self, count: int, seed: int, lag: int | None = None) -> list[Sample]:
        """Sentences made only of held-out parts, only the answer asked."""
        rng = np.random.default_rng(seed)
        return [self.answer_only(self.sentence(rng, lag, HELD_OUT)) for _ in range(count)]

    def test_batches(self, count: int = 2_000, batch: int = 64, seed: int = 0):
        return self.batches(self.held_out(count, seed + TEST_SEED), batch)

    def report(self, metrics: dict) -> list[str]:
        lines = [*super().report(metrics), "gap N   accuracy   (chance 8.3%)"]
        for lag, accuracy in metrics["accuracy_by_lag"].items():
            lines.append(f"{lag:>5}   {accuracy:8.1%}")
        return lines

    def accuracy_by_lag(self, evaluate, count: int = 500, seed: int = 0) -> dict[int, float]:
        """Held-out accuracy at each gap of LAGS."""
        return {
            lag: evaluate(self.batches(self.held_out(count, seed + TEST_SEED + lag, lag), LAG_BATCH)).accuracy
            for lag in LAGS
        }

    def metrics(self, evaluate) -> dict:
        return {
            **super().metrics(evaluate),
            "accuracy_by_lag": {str(k): round(v, 4) for k, v in self.accuracy_by_lag(evaluate).items()},
        }


LONG_LAG = LongLag()

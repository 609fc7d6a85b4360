"""`long-lag`: the article's "I grew up in France … I speak fluent French" (its §2).

    i grew up in france . <N filler words> . i speak fluent  → french

Only the language is scored, so the one thing to learn is to carry the country across
N words of filler. Trained alike as an `rnn` and an `lstm`, the pair shows the long-term
dependency problem: accuracy against the lag N (`gatescope evaluate`) stays high for the
LSTM and falls towards chance (1 in 12) for the plain RNN as N grows.
"""

from __future__ import annotations

import numpy as np

from app.models.tokenizers import WordTokenizer
from app.training.tasks.base import TEST_SEED, Recipe, Sample, SequenceTask

LANGUAGES = {
    "france": "french", "germany": "german", "spain": "spanish", "italy": "italian",
    "japan": "japanese", "china": "chinese", "russia": "russian", "brazil": "portuguese",
    "greece": "greek", "poland": "polish", "sweden": "swedish", "turkey": "turkish",
}  # fmt: skip
FILLER = (
    "the weather was nice and we walked to the old market every day , "
    "my friends liked music books games trains rivers songs bread coffee tea . "
    "later i moved away worked hard studied a lot read many stories"
).split()
OPENING = "i grew up in".split()
CLOSING = ". i speak fluent".split()
DISTRACTORS = 0.05  # the share of filler words that name another country: only the first one counts
LAGS = (5, 10, 20, 30, 40, 50, 60)  # where `gatescope evaluate` measures accuracy


class LongLag(SequenceTask):
    name = "long-lag"
    tokenizer = WordTokenizer(
        vocab=("<unk>", *dict.fromkeys(OPENING + CLOSING + FILLER), *LANGUAGES, *LANGUAGES.values()), lowercase=True
    )
    recipe = Recipe(hidden=64, embed=16, lr=2e-3, epochs=15, minutes=None)
    max_lag = 60
    description = (
        "The article's long-term dependency: 'I grew up in France . <N filler words> . I speak fluent' → 'French'. "
        "Trained on lags of 1 to 60 filler words (short ones more often); only the language is scored."
    )
    data_description = f"generated sentences, 12 countries, 1-{max_lag} filler words (log-uniform) from a {len(set(FILLER))}-word list (seeded)"

    def sample(self, rng: np.random.Generator, lag: int | None = None) -> Sample:
        country = list(LANGUAGES)[rng.integers(len(LANGUAGES))]
        if lag is None:  # log-uniform on [1, max_lag]: short lags teach what to carry, long ones test it
            lag = int(np.exp(rng.uniform(0.0, np.log(self.max_lag + 1))))
        others = [c for c in LANGUAGES if c != country]
        filler = [
            others[rng.integers(len(others))] if rng.random() < DISTRACTORS else FILLER[rng.integers(len(FILLER))]
            for _ in range(lag)
        ]
        words = OPENING + [country, "."] + filler + CLOSING
        return [(word, None) for word in words[:-1]] + [(words[-1], LANGUAGES[country])]

    def report(self, metrics: dict) -> list[str]:
        lines = [*super().report(metrics), "lag N   accuracy   (chance 8.3%)"]
        for lag, accuracy in metrics["accuracy_by_lag"].items():
            lines.append(f"{lag:>5}   {accuracy:8.1%}")
        return lines

    def accuracy_by_lag(self, evaluate, count: int = 500, seed: int = 0) -> dict[int, float]:
        result = {}
        for lag in LAGS:
            rng = np.random.default_rng(seed + TEST_SEED + lag)
            result[lag] = evaluate(self.batches([self.sample(rng, lag) for _ in range(count)], 100)).accuracy
        return result

    def metrics(self, evaluate) -> dict:
        return {
            **super().metrics(evaluate),
            "accuracy_by_lag": {str(k): round(v, 4) for k, v in self.accuracy_by_lag(evaluate).items()},
        }


LONG_LAG = LongLag()

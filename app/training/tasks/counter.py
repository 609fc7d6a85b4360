"""`counter`: bracket matching, for a model small enough to read every number of.

The model reads random strings of "(" and ")" that never close more than they open,
and after every bracket says whether one is still open: it should predict ")" while
the depth is above zero and "." (the string may end here) when it is back to zero.
Getting that right after "((()(()" needs a count of open brackets, and a 3-unit LSTM
learns to keep it on its belt: one unit's C goes up by a step at "(" and down at ")".
"""

from __future__ import annotations

import numpy as np

from app.models.tokenizers import CharTokenizer
from app.training.tasks.base import Recipe, Sample, SequenceTask

OPEN, CLOSE, END = "(", ")", "."


def depths(text: str) -> list[int]:
    """The number of open brackets after each character."""
    depth, out = 0, []
    for char in text:
        depth += {OPEN: 1, CLOSE: -1}.get(char, 0)
        out.append(depth)
    return out


class Counter(SequenceTask):
    name = "counter"
    tokenizer = CharTokenizer(vocab=("<unk>", OPEN, CLOSE, END))
    recipe = Recipe(hidden=3, embed=None, lr=1e-2, epochs=10, minutes=None)
    max_depth = 8
    max_length = 40
    description = (
        "A 3-unit LSTM that matches brackets: after each one it predicts ')' while a bracket is "
        "open and '.' when all are closed. One unit counts the depth on its cell state: "
        "watch C step up at '(' and down at ')'."
    )
    data_description = f"random bracket strings, length 2-{max_length}, depth at most {max_depth}, generated (seeded)"

    def sample(self, rng: np.random.Generator) -> Sample:
        length = int(rng.integers(2, self.max_length + 1))
        depth, chars = 0, []
        for _ in range(length):
            opens = depth == 0 or (depth < self.max_depth and rng.random() < 0.5)
            depth += 1 if opens else -1
            chars.append(OPEN if opens else CLOSE)
        return [(char, CLOSE if depth > 0 else END) for char, depth in zip(chars, depths("".join(chars)))]

    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        return {"bracket depth": [float(d) for d in depths("".join(tokens))]}


COUNTER = Counter()

"""`variants`: every cell of the article's §6 trained alike on one task, to compare them
as Greff et al. (2015) and Jozefowicz et al. (2015) compared LSTM variants: by held-out
loss after the same training.

The task is the `code` task's (a character-level model of the Python standard library,
each file read from a zero state, as the app reads a text), with its held-out files. One
budget for every cell: the same number of trainable parameters (BUDGET_HIDDEN units of a
one-layer LSTM), so a cell with fewer weights per unit gets more units: a plain RNN
about twice as many, a GRU a fifth more. The same data in the same order, the same
seed, learning rate and number of epochs.

Of the held-out characters, the first VALIDATION_TOKENS validate while training (the
loss curve, and the checkpoint kept); the rest are the test the comparison reports.

An epoch ends on a window or two where only a few streams still hold a file, and Adam
steps as far on those few characters as on a full window (in a trial run, the held-out
loss jumped by 0.38 bits there). The sparse windows at the very end are left out (one or
two of 1,616 an epoch); a smaller jump at each epoch's end, up to 0.15 bits, remains in
the curves, as in the prose model's (docs/models.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from app.training.batches import Batch
from app.training.budget import fit_hidden, trainable_parameters
from app.training.network import IGNORE, Shape
from app.training.tasks.base import Recipe
from app.training.tasks.code import code_task
from app.training.tasks.text import VALIDATION_TOKENS, TextTask
from app.training.trainer import Data

BUDGET_HIDDEN = 96  # the budget: a one-layer LSTM of this many units (about 84,000 parameters)
EPOCHS = 3
LR = 5e-3  # chosen on validation between 2e-3 and 5e-3 for the LSTM and the RNN (docs/models.md)
SPARSE = 0.5  # a window with fewer of its positions to predict is sparse


def without_sparse_tail(windows: Iterable[Batch]) -> Iterator[Batch]:
    """The windows, but for the sparse ones at the very end (a sparse window followed by
    a full one is kept: leaving it out would break the state the next one carries on)."""
    held: list[Batch] = []
    for window in windows:
        if (window.targets != IGNORE).mean() < SPARSE:
            held.append(window)
            continue
        yield from held
        held.clear()
        yield window


@dataclass(frozen=True)
class VariantsTask(TextTask):
    documents: tuple = ()  # the training files (and pieces of long ones), as ids

    @property
    def recipe(self) -> Recipe:
        return Recipe(hidden=BUDGET_HIDDEN, embed=None, lr=LR, epochs=EPOCHS, minutes=None)

    @property
    def budget(self) -> int:
        return trainable_parameters(Shape("lstm", len(self.tokenizer.vocab), BUDGET_HIDDEN))

    def fit(self, shape: Shape) -> Shape:
        """The shape with the hidden size that spends this task's budget (dglstm: its depth
        gate needs a layer below)."""
        if shape.cell == "dglstm" and shape.layers < 2:
            raise ValueError("a depth gate links a layer to the one below it: give --layers 2")
        return fit_hidden(shape, self.budget)

    @property
    def description(self) -> str:
        return (
            "One of the article's variants, trained as all the others were: a character-level model of Python "
            "(the standard library), with the same number of parameters, data, seed and epochs as each of the "
            "other variants models. Show Compare for their held-out loss curves side by side."
        )

    def data(self, batch: int, seed: int) -> Data:
        data = self.data_by_documents(self.documents, batch, seed)
        return dataclasses.replace(data, epoch=lambda number, rng: without_sparse_tail(data.epoch(number, rng)))

    def test_tokens(self):
        """The held-out characters not validated on while training."""
        return self.held_out[VALIDATION_TOKENS:]

    def metrics(self, evaluate) -> dict:
        return {"test": evaluate(self.validation_batches(self.test_tokens(), 32)).as_dict()}

    def report(self, metrics: dict) -> list[str]:
        test = metrics["test"]
        return [
            f"{test['bits_per_token']:.3f} bits per char ({test['accuracy']:.1%} next-char accuracy) on "
            f"{test['positions']:,} held-out characters of {self.source}"
        ]


def variants_task() -> VariantsTask:
    code = code_task(per_file=True)
    common = {field.name: getattr(code, field.name) for field in dataclasses.fields(TextTask)}
    return VariantsTask(**{**common, "name": "variants", "hidden": BUDGET_HIDDEN}, documents=code.documents)

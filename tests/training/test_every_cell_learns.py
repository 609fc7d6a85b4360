"""Each cell the trainer knows really learns: a few seeded epochs of the `counter` task
(is a bracket still open?) take it from chance to well above the majority answer."""

import numpy as np
import pytest

from app.training import metrics, network
from app.training.network import IGNORE, Shape
from app.training.progress import ProgressBar
from app.training.tasks.counter import COUNTER
from app.training.trainer import TrainConfig, train
from tests.training.test_trainer import Quiet

# (cell, options, hidden, layers, learning rate): a small one of each that learns the count
# in 3 epochs (the coupled gate's belt is a running average, slower to count with)
LEARNERS = [
    ("peephole", {"peepholes": ["f", "i", "o"]}, 3, 1, 1e-2),
    ("peephole", {"peepholes": ["o"]}, 3, 1, 1e-2),
    ("cifg", {}, 4, 1, 2e-2),
    ("gru", {"gru_variant": "article"}, 3, 1, 1e-2),
    ("dglstm", {}, 4, 2, 1e-2),
    ("cwrnn", {"periods": [1, 2]}, 4, 1, 1e-2),
]


@pytest.fixture(scope="module")
def data():
    return COUNTER.data(32, seed=0)


def majority_accuracy(batches) -> float:
    """What always giving the commonest answer scores (")", ~88%)."""
    targets = np.concatenate([batch.targets[batch.targets != IGNORE] for batch in batches])
    return np.bincount(targets).max() / len(targets)


@pytest.mark.parametrize(
    "cell,options,hidden,layers,lr", LEARNERS, ids=[f"{c}-{''.join(map(str, o.values()))}" for c, o, *_ in LEARNERS]
)
def test_a_few_epochs_of_counter_learn_the_count(cell, options, hidden, layers, lr, data):
    shape = Shape(cell=cell, vocab=len(COUNTER.tokenizer.vocab), hidden=hidden, layers=layers, options=options)
    params = network.init_params(shape, seed=0)
    before = metrics.evaluate(shape, params, data.validation).accuracy
    result = train(shape, params, data, TrainConfig(lr=lr, epochs=3), progress=ProgressBar(Quiet()))
    baseline = majority_accuracy(data.validation)
    assert baseline < 0.9 and before < baseline + 0.01
    assert result.validation.accuracy > 0.95, f"{cell} {options}: {result.validation.accuracy:.3f} after 3 epochs"

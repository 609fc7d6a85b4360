import numpy as np
import pytest

from app.cells import get_cell
from app.training import metrics, network
from app.training.network import Shape
from app.training.progress import ProgressBar
from app.training.tasks.counter import COUNTER
from app.training.trainer import Data, TrainConfig, curve_point, train


class Quiet:
    def isatty(self):
        return False

    def write(self, text):
        pass

    def flush(self):
        pass


def counter_setup(hidden=3):
    shape = Shape(cell="lstm", vocab=len(COUNTER.tokenizer.vocab), hidden=hidden)
    return shape, network.init_params(shape, seed=0), COUNTER.data(32, seed=0)


def test_training_the_counter_reaches_high_accuracy_from_chance():
    shape, params, data = counter_setup()
    before = metrics.evaluate(shape, params, data.validation).accuracy
    result = train(shape, params, data, TrainConfig(lr=1e-2, epochs=4), progress=ProgressBar(Quiet()))
    assert before < 0.8 and result.validation.accuracy > 0.95
    assert result.batches == 4 * data.batches_per_epoch and not result.interrupted


def test_ctrl_c_keeps_the_best_checkpoint_and_says_it_was_interrupted():
    shape, params, data = counter_setup()
    saved = []

    def epoch(number, rng):
        if number == 2:
            raise KeyboardInterrupt
        yield from data.epoch(number, rng)

    interrupted = Data(epoch, data.batches_per_epoch, data.validation, data.score, data.describe)
    result = train(
        shape,
        params,
        interrupted,
        TrainConfig(lr=1e-2, epochs=10),
        on_improve=lambda p, m: saved.append(m),
        progress=ProgressBar(Quiet()),
    )
    assert result.interrupted and result.batches == 2 * data.batches_per_epoch
    assert saved and result.validation == max(saved, key=lambda m: m.accuracy)


def test_a_budget_is_required():
    shape, params, data = counter_setup()
    with pytest.raises(ValueError, match="budget"):
        train(shape, params, data, TrainConfig())


def test_the_same_seed_trains_the_same_weights():
    runs = []
    for _ in range(2):
        shape, params, data = counter_setup()
        runs.append(train(shape, params, data, TrainConfig(epochs=1), progress=ProgressBar(Quiet())).params)
    for key in runs[0]:
        np.testing.assert_array_equal(runs[0][key], runs[1][key])


class Notes(Quiet):
    def __init__(self):
        self.lines = []

    def write(self, text):
        self.lines += [line for line in text.splitlines() if "validation" in line]


def test_checkpoints_are_validated_at_the_same_batches_however_slow_the_machine(monkeypatch):
    """Validation is counted in batches, so a command writes the same model on a busy machine."""
    runs = []
    for seconds_per_call in (0.0, 1000.0):  # a machine where every batch seems to take minutes
        ticks = iter(range(10**6))
        monkeypatch.setattr(
            "app.training.trainer.time.monotonic", lambda ticks=ticks, seconds=seconds_per_call: next(ticks) * seconds
        )
        shape, params, data = counter_setup()
        notes = Notes()
        result = train(shape, params, data, TrainConfig(epochs=2, validate_every=25), progress=ProgressBar(notes))
        runs.append((notes.lines, result.params))
    fractions = [float(line.split()[1]) for line in runs[0][0]]
    per_epoch = data.batches_per_epoch
    expected = sorted({round(k / per_epoch, 2) for k in range(0, 2 * per_epoch + 1, 25)} | {1.0, 2.0})  # 0: the start
    assert per_epoch % 25 == 0 and fractions == expected
    assert runs[0][0] == runs[1][0]
    for key in runs[0][1]:
        np.testing.assert_array_equal(runs[0][1][key], runs[1][1][key])


def test_the_held_out_curve_has_every_validation_from_the_untrained_start_on():
    shape, params, data = counter_setup()
    untrained = metrics.evaluate(shape, params, data.validation)
    notes = Notes()
    config = TrainConfig(lr=1e-2, epochs=2, validate_every=25)
    result = train(shape, params, data, config, progress=ProgressBar(notes))
    per_epoch = data.batches_per_epoch
    assert result.curve[0] == curve_point(untrained, 0, per_epoch) and result.curve[0]["epoch"] == 0.0
    assert len(result.curve) == len(notes.lines)  # one point per validation the run reported
    batches = [point["batches"] for point in result.curve]
    assert batches == sorted(set(batches)) and batches[-1] == 2 * per_epoch and result.curve[-1]["epoch"] == 2.0
    for point, line in zip(result.curve, notes.lines, strict=True):
        assert line.split()[1] == f"{point['epoch']:5.2f}".strip() and f"acc {point['accuracy']:.1%}" in line
    kept = result.validation.as_dict()
    assert any(point["loss"] == kept["loss"] and point["accuracy"] == kept["accuracy"] for point in result.curve)
    assert result.curve[-1]["accuracy"] > untrained.accuracy + 0.05  # it learned, and the curve shows it


@pytest.mark.parametrize("cell", ["peephole", "cifg"])
def test_forget_decay_shrinks_the_forget_biases_of_every_lstm_variant(cell):
    """Not only the plain LSTM's: each variant's forget rows, where its cell's gate rows put them."""
    rows = get_cell(cell).rows("f", 3)
    finals = []
    for decay in (0.0, 5.0):
        shape = Shape(cell=cell, vocab=len(COUNTER.tokenizer.vocab), hidden=3)
        result = train(
            shape,
            network.init_params(shape, seed=0),
            COUNTER.data(32, seed=0),
            TrainConfig(epochs=1, forget_decay=decay),
            progress=ProgressBar(Quiet()),
        )
        finals.append(np.abs(result.params["rnn.bias_ih_l0"][rows]).sum())
    assert finals[1] < 0.9 * finals[0]  # Adam moves each bias at most ~lr per step, so 125 steps shrink it only so far


def test_forget_decay_is_refused_for_a_cell_without_a_forget_gate():
    shape = Shape(cell="gru", vocab=len(COUNTER.tokenizer.vocab), hidden=3)
    with pytest.raises(ValueError, match="forget gate"):
        train(
            shape, network.init_params(shape, seed=0), COUNTER.data(32, seed=0), TrainConfig(epochs=1, forget_decay=0.1)
        )

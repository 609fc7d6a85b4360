"""The training loop: windows in, Adam steps out, validation now and then, and the
best parameters so far kept (and handed to a callback that saves them).

`Training` is the loop one batch at a time: its `steps()` yields after every batch, so a
caller can look in between (the page's live trainer, app/training/live.py, reports
progress, pauses and stops there). `train` runs it to its budget, as the command line does.

Stops after `epochs` passes, `batches` batches or `minutes` of wall time, whichever is
given (several: the first reached), or on Ctrl-C, which ends the run cleanly with the
best checkpoint.

Every validation (before the first step, every `validate_every` batches and at each
epoch's end) is kept as a point of the held-out loss curve, which the model file records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from app.training import metrics, network
from app.training.batches import Batch
from app.training.metrics import Metrics
from app.training.network import Params, Shape
from app.training.optim import Adam, clip_grad_norm, decay_forget_bias
from app.training.progress import Progress, ProgressBar


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 2e-3  # Adam's step size
    clip: float = 5.0  # max global gradient norm: a recurrent net's gradients spike now and then
    seed: int = 0  # data order and initial weights
    epochs: int | None = None
    minutes: float | None = None
    batches: int | None = None  # a budget in batches (Adam steps), as the page gives it
    forget_decay: float = 0.0  # L2 on the LSTM's forget-gate biases (optim.decay_forget_bias)
    validate_every: int = 500  # batches: also validate this often within an epoch (and at every epoch's end);
    # counted in batches, not seconds, so the checkpoints kept (and the model a command
    # writes) are the same on a fast or a busy machine


@dataclass(frozen=True)
class Data:
    """What the loop trains on."""

    epoch: Callable[[int, np.random.Generator], Iterable[Batch]]  # (epoch number, rng) -> windows
    batches_per_epoch: int
    validation: list[Batch]
    score: Callable[[Metrics], float]  # higher is better (accuracy, or minus bits per token)
    describe: Callable[[Metrics], str]  # "acc 93.1%" or "1.83 bits/char"


@dataclass(frozen=True)
class TrainResult:
    params: Params  # the best parameters seen by validation
    validation: Metrics  # and their validation metrics
    epochs: float  # epochs trained, fractional
    batches: int
    seconds: float
    interrupted: bool  # stopped by Ctrl-C (or, in the page, by the student or a budget)
    curve: list[dict]  # every validation: epoch (fractional), batches, loss, bits_per_token, accuracy


@dataclass(frozen=True)
class Validation:
    batches: int  # validated after this many batches
    metrics: Metrics
    improved: bool  # the best so far: its parameters are kept


def forget_rows_to_decay(shape: Shape, decay: float) -> slice | None:
    """The bias rows `forget_decay` pulls toward zero (None without decay); a cell with
    no forget gate (rnn, gru, cwrnn) cannot take it."""
    if not decay:
        return None
    if not shape.cell_type.has_forget_gate:
        raise ValueError(f"--forget-decay is for a cell with a forget gate; {shape.cell} has none")
    return shape.cell_type.rows("f", shape.hidden)


class Training:
    """One run of the loop. `params` are trained in place; the best validated copy is kept."""

    def __init__(
        self,
        shape: Shape,
        params: Params,
        data: Data,
        config: TrainConfig,
        on_improve: Callable[[Params, Metrics], None] = lambda params, validation: None,
        progress: Progress | None = None,
    ):
        if config.epochs is None and config.minutes is None and config.batches is None:
            raise ValueError("give a budget: epochs, minutes or batches (or several)")
        self.shape, self.params, self.data, self.config = shape, params, data, config
        self.on_improve = on_improve
        self.forget_rows = forget_rows_to_decay(shape, config.forget_decay)
        self.progress = progress or ProgressBar()
        self.rng = np.random.default_rng(config.seed)
        self.adam = Adam(lr=config.lr)
        self.start = time.monotonic()
        self.best: tuple[float, Params, Metrics] | None = None
        self.best_at = 0  # batches trained when the best was validated
        self.batches = 0
        self.epoch = 0
        self.last: Metrics = Metrics()  # the latest batch's loss and accuracy
        self.running: Metrics = Metrics()  # this epoch's so far
        self.validation: Validation | None = None  # the latest
        self.curve: list[dict] = []  # every validation's point

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def done_fraction(self) -> float:
        config, data = self.config, self.data
        by_epochs = self.batches / (data.batches_per_epoch * config.epochs) if config.epochs else 0.0
        by_batches = self.batches / config.batches if config.batches else 0.0
        by_time = self.elapsed() / (60 * config.minutes) if config.minutes else 0.0
        return max(by_epochs, by_batches, by_time)

    def validate(self) -> None:
        """Validate the current parameters, once per batch count; keep them if the best."""
        if self.validation is not None and self.validation.batches == self.batches:
            return
        result = metrics.evaluate(self.shape, self.params, self.data.validation)
        self.curve.append(curve_point(result, self.batches, self.data.batches_per_epoch))
        improved = self.best is None or self.data.score(result) > self.best[0]
        self.progress.note(
            f"epoch {self.batches / self.data.batches_per_epoch:5.2f}  validation {self.data.describe(result)}"
            + ("  (best: saved)" if improved else "")
        )
        self.validation = Validation(self.batches, result, improved)
        if improved:
            self.best = (self.data.score(result), {key: value.copy() for key, value in self.params.items()}, result)
            self.best_at = self.batches
            self.on_improve(self.best[1], result)

    def steps(self) -> Iterator[int]:
        """Train to the budget, yielding the number of batches done after each one (and
        after any validation that follows it). Validates every `validate_every` batches,
        at every epoch's end and when the budget is spent."""
        config, data, shape = self.config, self.data, self.shape
        while (config.epochs is None or self.epoch < config.epochs) and self.done_fraction() < 1.0:
            self.running, states = Metrics(), None
            for batch in data.epoch(self.epoch, self.rng):
                states = network.window_states(shape, batch, states)
                outcome = network.step(shape, self.params, batch.ids, batch.targets, states)
                grads = outcome.grads
                assert grads is not None  # step() computes them unless told grad=False
                if self.forget_rows is not None:
                    decay_forget_bias(self.params, grads, self.forget_rows, config.forget_decay)
                clip_grad_norm(grads, config.clip)
                self.adam.update(self.params, grads)
                states, self.batches = outcome.states, self.batches + 1
                self.last = metrics.of_outcome(outcome)
                self.running = self.running + self.last
                self.progress.draw(
                    self.done_fraction(),
                    f"epoch {self.epoch + 1} loss {self.running.loss:.3f} {data.describe(self.running)}",
                    self.elapsed(),
                )
                if self.done_fraction() >= 1.0:
                    break
                if self.batches % config.validate_every == 0:
                    self.validate()
                yield self.batches
            self.epoch += 1
            self.validate()
            yield self.batches

    def result(self, interrupted: bool = False) -> TrainResult:
        """The best checkpoint (validating now if none was yet)."""
        if self.best is None:
            self.validate()
        self.progress.close()
        assert self.best is not None
        epochs = self.batches / self.data.batches_per_epoch
        return TrainResult(self.best[1], self.best[2], epochs, self.batches, self.elapsed(), interrupted, self.curve)


def train(
    shape: Shape,
    params: Params,
    data: Data,
    config: TrainConfig,
    on_improve: Callable[[Params, Metrics], None] = lambda params, validation: None,
    progress: Progress | None = None,
) -> TrainResult:
    training = Training(shape, params, data, config, on_improve, progress)
    try:
        training.validate()  # the untrained start: where every curve begins
        for _ in training.steps():
            pass
    except KeyboardInterrupt:
        training.progress.note("interrupted: keeping the best checkpoint so far")
        return training.result(interrupted=True)
    return training.result()


def curve_point(result: Metrics, batches: int, batches_per_epoch: int) -> dict:
    """One point of the held-out loss curve, counted in batches (not seconds: the same on any machine)."""
    point = result.as_dict()
    return {
        "epoch": round(batches / batches_per_epoch, 3),
        "batches": batches,
        **{key: point[key] for key in ("loss", "bits_per_token", "accuracy")},
    }

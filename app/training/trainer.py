"""The training loop: windows in, Adam steps out, validation now and then, and the
best parameters so far kept (and handed to a callback that saves them).

Stops after `epochs` passes or `minutes` of wall time, whichever is given (both: the
first reached), or on Ctrl-C, which ends the run cleanly with the best checkpoint.

Every validation (before the first step, every `validate_every` batches and at each
epoch's end) is kept as a point of the held-out loss curve, which the model file records.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from app.training import metrics, network
from app.training.batches import Batch
from app.training.metrics import Metrics
from app.training.network import Params, Shape
from app.training.optim import Adam, clip_grad_norm, decay_forget_bias
from app.training.progress import ProgressBar


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 2e-3  # Adam's step size
    clip: float = 5.0  # max global gradient norm: a recurrent net's gradients spike now and then
    seed: int = 0  # data order and initial weights
    epochs: int | None = None
    minutes: float | None = None
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
    interrupted: bool  # stopped by Ctrl-C
    curve: list[dict]  # every validation: epoch (fractional), batches, loss, bits_per_token, accuracy


def forget_rows_to_decay(shape: Shape, decay: float) -> slice | None:
    """The bias rows `forget_decay` pulls toward zero (None without decay); a cell with
    no forget gate (rnn, gru, cwrnn) cannot take it."""
    if not decay:
        return None
    if not shape.cell_type.has_forget_gate:
        raise ValueError(f"--forget-decay is for a cell with a forget gate; {shape.cell} has none")
    return shape.cell_type.rows("f", shape.hidden)


def train(
    shape: Shape,
    params: Params,
    data: Data,
    config: TrainConfig,
    on_improve: Callable[[Params, Metrics], None] = lambda params, validation: None,
    progress: ProgressBar | None = None,
) -> TrainResult:
    if config.epochs is None and config.minutes is None:
        raise ValueError("give a budget: epochs, minutes or both")
    forget_rows = forget_rows_to_decay(shape, config.forget_decay)
    progress = progress or ProgressBar()
    rng = np.random.default_rng(config.seed)
    adam = Adam(lr=config.lr)
    start = time.monotonic()
    best: tuple[float, Params, Metrics] | None = None
    batches, epoch, interrupted = 0, 0, False
    curve: list[dict] = []

    def elapsed() -> float:
        return time.monotonic() - start

    def done_fraction() -> float:
        by_epochs = batches / (data.batches_per_epoch * config.epochs) if config.epochs else 0.0
        by_time = elapsed() / (60 * config.minutes) if config.minutes else 0.0
        return max(by_epochs, by_time)

    validated_at = -1  # batches: an epoch's end that falls on a validate_every is validated once

    def validate() -> None:
        nonlocal best, validated_at
        if validated_at == batches:
            return
        validated_at = batches
        result = metrics.evaluate(shape, params, data.validation)
        curve.append(curve_point(result, batches, data.batches_per_epoch))
        improved = best is None or data.score(result) > best[0]
        progress.note(
            f"epoch {batches / data.batches_per_epoch:5.2f}  validation {data.describe(result)}"
            + ("  (best: saved)" if improved else "")
        )
        if improved:
            best = (data.score(result), {key: value.copy() for key, value in params.items()}, result)
            on_improve(best[1], result)

    try:
        validate()  # the untrained start: where every curve begins
        while (config.epochs is None or epoch < config.epochs) and done_fraction() < 1.0:
            running, states = Metrics(), None
            for batch in data.epoch(epoch, rng):
                states = network.window_states(shape, batch, states)
                outcome = network.step(shape, params, batch.ids, batch.targets, states)
                grads = outcome.grads
                assert grads is not None  # step() computes them unless told grad=False
                if forget_rows is not None:
                    decay_forget_bias(params, grads, forget_rows, config.forget_decay)
                clip_grad_norm(grads, config.clip)
                adam.update(params, grads)
                states, batches = outcome.states, batches + 1
                running = running + metrics.of_outcome(outcome)
                progress.draw(
                    done_fraction(), f"epoch {epoch + 1} loss {running.loss:.3f} {data.describe(running)}", elapsed()
                )
                if done_fraction() >= 1.0:
                    break
                if batches % config.validate_every == 0:
                    validate()
            epoch += 1
            validate()
    except KeyboardInterrupt:
        interrupted = True
        progress.note("interrupted: keeping the best checkpoint so far")
        if best is None:
            validate()
    progress.close()
    assert best is not None
    return TrainResult(best[1], best[2], batches / data.batches_per_epoch, batches, elapsed(), interrupted, curve)


def curve_point(result: Metrics, batches: int, batches_per_epoch: int) -> dict:
    """One point of the held-out loss curve, counted in batches (not seconds: the same on any machine)."""
    point = result.as_dict()
    return {
        "epoch": round(batches / batches_per_epoch, 3),
        "batches": batches,
        **{key: point[key] for key in ("loss", "bits_per_token", "accuracy")},
    }

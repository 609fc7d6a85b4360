"""Training in the page: one job, as a worker process runs it (app/training/worker.py).

A job is a task, a cell, its hidden size, a learning rate, a number of steps (Adam steps,
one per batch) and a seed, and for the student's own text, the text. It runs the command
line's trainer (`Training`, batch by batch, with the task's own data and recipe) and in
between reports, as frames of WS /ws/train (docs/api.md, "Training in the page"):

- `progress` about every PROGRESS_SECONDS: the step, the training loss and accuracy over
  the batches since the last report, and the latest held-out ones (the task's validation
  set, every `evaluate_every` steps and at each epoch's end);
- `snapshot` every `snapshot_every` steps, at step 0 and at the end: the current weights'
  trace of the example sentence (the meta and step frames of /api/trace), for each of the
  task's features the unit that follows it best (Pearson's r, app/training/labels.py), and
  for a task that measures it, the held-out accuracy against the lag.

It ends with the best validated checkpoint written as a model file, its held-out metrics
and labelled units in its info, as `gatescope train` writes one. Nothing here knows about
processes or sockets: `run` takes a function that sends a frame and one that says whether
to stop (blocking while paused), so tests run a job in-process.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import numpy as np

from app.cells import CELLS as CELL_TYPES
from app.models.chinese import chinese_features
from app.models.format import save_model
from app.models.model import Model
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceSession
from app.training import metrics
from app.training.commands import training_info
from app.training.convert import to_model
from app.training.labels import all_correlations, find_units
from app.training.metrics import Metrics
from app.training.network import Shape, init_params
from app.training.tasks import get_task
from app.training.tasks.long_lag import LAG_BATCH, LAGS, LongLag
from app.training.tasks.text import text_task_of
from app.training.trainer import TrainConfig, Training

TASKS = ("counter", "long-lag", "agreement", "text")  # "text": the student's own, a char-level language model
CELLS = tuple(sorted(CELL_TYPES))  # every cell: each declares its backward pass (app/cells)
MIN_TEXT_CHARS = 1_000  # a text to train on: 900 characters make 32 streams of windows from any offset
PROGRESS_SECONDS = 0.25  # at most about this often a progress frame
UNIT_SAMPLES = 40  # held-out samples a snapshot's best units are measured on
LAG_SAMPLES = 100  # held-out sentences per lag in a snapshot's accuracy against the lag


@dataclass(frozen=True)
class JobSpec:
    """A checked `start` (app/routes/train.py checks every field against its limit)."""

    task: str
    cell: str
    hidden: int
    lr: float
    steps: int
    seed: int
    example: str  # traced at every snapshot
    output: str  # where the trained model's file goes (a path the server chose)
    name: str  # and its name
    seconds: float  # training time allowed (pauses do not count)
    pause_seconds: float  # time it may spend paused, in all; then it stops
    snapshot_every: int
    evaluate_every: int
    decimals: int
    top_k: int
    text: str = ""  # the student's text, for task "text"
    job: int = 0  # echoed on every frame, with the start's id
    id: int | None = None


def echo(spec: JobSpec, frame: dict) -> dict:
    """A frame of this job: with its job number and, when the start had one, its id."""
    return {**frame, "job": spec.job, **({"id": spec.id} if spec.id is not None else {})}


def job_task(spec: JobSpec):
    if spec.task == "text":
        return text_task_of(spec.text, "your text", "char")
    return get_task(spec.task)


def job_shape(task, spec: JobSpec) -> Shape:
    """The task's recipe (embedding, layers) at the asked cell and size; a depth-gated LSTM
    gets the two layers its depth gate links."""
    recipe = task.recipe
    layers = max(recipe.layers, 2) if spec.cell == "dglstm" else recipe.layers
    return Shape(spec.cell, len(task.tokenizer.vocab), spec.hidden, layers, recipe.embed)


WINDOW_MARGIN = 1.25  # a training window may run longer than any of the validation set's
# The task's generated samples (its validation, test, label and lag sets) and the interpreter's
# working objects, which do not grow with the job's choices: measured at 6-10 MB over the tasks.
BASE_BYTES = 32 * 2**20


@lru_cache(maxsize=len(TASKS))
def longest_window(task_name: str) -> int:
    """The longest window of a built-in task's validation set (its samples come from the
    same generator as training's), read once per process."""
    task = get_task(task_name)
    return max(batch.ids.shape[0] for batch in task.data(task.recipe.batch, 0).validation)


@lru_cache(maxsize=len(TASKS))
def longest_lag_batch(task_name: str) -> int:
    """Positions (T·B) of the largest batch a snapshot's accuracy against the lag evaluates:
    the longest gap's sentences (0 for a task with no such curve)."""
    task = get_task(task_name)
    if not isinstance(task, LongLag):
        return 0
    batches = task.batches(task.held_out(LAG_SAMPLES, 0, max(LAGS)), LAG_BATCH)
    return max(batch.ids.shape[0] * batch.ids.shape[1] for batch in batches)


def job_bytes(spec: JobSpec) -> int:
    """An upper bound on the memory a job takes while it runs, in bytes, past BASE_BYTES:
    - the float32 parameters, their gradients, Adam's two moments and the best copy (5 × P);
    - a window's forward caches: T·B positions (a training window, or the largest batch of
      a snapshot's accuracy against the lag), each holding at most 16 H-vectors per layer
      (gates, states and what the backward pass derives from them), its input and three
      V-vectors for the loss (logits, probabilities, their gradient);
    - a snapshot: the example's trace as Python numbers and JSON text, about 48 bytes for
      each of its values (8 H-vectors per layer per token, the input, the top guesses);
    - the student's text as int64 token ids.
    Checked against tracemalloc's peak over whole jobs in the tests."""
    task = job_task(spec)
    shape = job_shape(task, spec)
    batch = task.recipe.batch
    if spec.task == "text":
        window = max(b.ids.shape[0] for b in task.data(batch, spec.seed).validation)
        tokens = len(task.tokens) + len(task.held_out)
    else:
        window = int(longest_window(spec.task) * WINDOW_MARGIN)
        tokens = 0
    params = sum(value.size for value in init_params(shape, 0).values())
    inputs = shape.embed or shape.vocab
    positions = max(window * batch, int(longest_lag_batch(spec.task) * WINDOW_MARGIN) if spec.task != "text" else 0)
    caches = positions * (16 * shape.hidden * shape.layers + inputs + 3 * shape.vocab)
    snapshot = 48 * len(spec.example) * (8 * shape.hidden * shape.layers + inputs + 2 * spec.top_k)
    return BASE_BYTES + 4 * (5 * params + caches) + snapshot + 8 * tokens


class ActiveClock:
    """Seconds of training, not counting time spent paused."""

    def __init__(self):
        self.start = time.monotonic()
        self.paused = 0.0

    def seconds(self) -> float:
        return time.monotonic() - self.start - self.paused


@dataclass(frozen=True)
class Outcome:
    stopped: str  # "steps" (the budget), "stop" (asked), "time" (the time budget), "paused" (paused too long)
    steps: int
    kept_from: int  # the step whose checkpoint was kept (the best on held-out data)
    seconds: float
    model: Model


def metrics_dict(m: Metrics) -> dict:
    return {"loss": round(m.loss, 4), "accuracy": round(m.accuracy, 4), "positions": m.count}


class Snapshots:
    """What a snapshot measures, set up once per job (the held-out samples are drawn once)."""

    def __init__(self, task, shape: Shape, spec: JobSpec):
        self.task, self.shape, self.spec = task, shape, spec
        self.features = None
        if hasattr(task, "features"):
            drawn = task.label_samples(UNIT_SAMPLES, spec.seed)
            per_token = [task.features(tokens) for tokens in drawn]
            self.samples = drawn
            self.features = {
                name: np.concatenate([np.asarray(f[name], float) for f in per_token]) for name in per_token[0]
            }

    def model(self, params, info: dict | None = None, description: str = "") -> Model:
        return to_model(self.shape, params, self.task.tokenizer, self.spec.name, description, info or {})

    def trace(self, model: Model) -> dict:
        session = TraceSession(model, top_k=self.spec.top_k)
        steps = session.run(session.tokenize(self.spec.example))
        return {
            "meta": meta_frame(model, False, self.spec.decimals),
            "steps": [step_frame(model, step, self.spec.decimals) for step in steps],
        }

    def best_units(self, model: Model) -> list[dict]:
        """Per feature, the unit and vector whose values follow it best over held-out samples."""
        if self.features is None:
            return []
        best: dict[str, dict] = {}
        for (feature, layer, vector), r in all_correlations(model, self.samples, self.features).items():
            unit = int(np.argmax(np.abs(r)))
            if feature not in best or abs(r[unit]) > abs(best[feature]["r"]):
                best[feature] = {
                    "feature": feature,
                    "layer": layer,
                    "unit": unit,
                    "vector": vector,
                    "r": round(float(r[unit]), 3),
                }
        return chinese_features(self.spec.task, list(best.values()))

    def lag_curve(self, params) -> dict[str, float] | None:
        if not hasattr(self.task, "accuracy_by_lag"):
            return None
        evaluate = partial(metrics.evaluate, self.shape, params)
        by_lag = self.task.accuracy_by_lag(evaluate, count=LAG_SAMPLES, seed=self.spec.seed)
        return {str(lag): round(accuracy, 4) for lag, accuracy in by_lag.items()}

    def frame(self, params, step: int, validation: Metrics | None, kept_from: int | None = None) -> dict:
        """A snapshot at `step`; the final one (`kept_from` given) is of the checkpoint kept,
        validated at step `kept_from`."""
        model = self.model(params, description=f"{self.spec.cell} on {self.spec.task}, step {step}")
        frame = {
            "type": "snapshot",
            "step": step,
            "final": kept_from is not None,
            "kept_from": kept_from,
            "trace": self.trace(model),
            "units": self.best_units(model),
            "held_out": None if validation is None else metrics_dict(validation),
        }
        lags = self.lag_curve(params)
        if lags is not None:
            frame["accuracy_by_lag"] = lags
        return frame


def run(spec: JobSpec, send: Callable[[dict], None], control: Callable[[ActiveClock], str | None]) -> Outcome | None:
    """Train the job, sending its frames. `control(clock)` is asked after every step: it
    blocks while the job is paused (adding the time to clock.paused) and returns why to
    stop ("stop"; "paused": paused too long; "abandon": nobody is watching), or None.
    Writes the best checkpoint to spec.output and returns it; abandoned, returns None at once."""
    task = job_task(spec)
    shape = job_shape(task, spec)
    config = TrainConfig(lr=spec.lr, seed=spec.seed, batches=spec.steps, validate_every=spec.evaluate_every)
    data = task.data(task.recipe.batch, spec.seed)
    training = Training(shape, init_params(shape, spec.seed), data, config, progress=Quiet())
    snapshots = Snapshots(task, shape, spec)
    clock = ActiveClock()
    send(echo(spec, snapshots.frame(training.params, 0, None)))
    since = Metrics()  # training batches since the last progress frame
    reported_at, seen, snapped_at, stopped = time.monotonic(), 0, 0, "steps"
    for step in training.steps():
        if step != seen:  # (an epoch's end yields again after validating, at the same step)
            since, seen = since + training.last, step
        stopped = control(clock) or ("time" if clock.seconds() > spec.seconds else "steps")
        if stopped == "abandon":
            return None
        if stopped != "steps":
            break
        if step % spec.snapshot_every == 0 and step != snapped_at:
            snapped_at = step
            send(echo(spec, snapshots.frame(training.params, step, last_validation(training))))
        if time.monotonic() - reported_at >= PROGRESS_SECONDS:
            send(echo(spec, progress_frame(training, spec, clock, since)))
            since, reported_at = Metrics(), time.monotonic()
    training.validate()  # the weights it stopped with may be the best
    result = training.result(interrupted=stopped != "steps")
    send(echo(spec, progress_frame(training, spec, clock, since, status="finishing")))
    model = finished_model(task, shape, spec, snapshots, result, clock, stopped, training.best_at)
    send(echo(spec, snapshots.frame(result.params, training.batches, result.validation, kept_from=training.best_at)))
    write_model(model, Path(spec.output))
    return Outcome(stopped, training.batches, training.best_at, clock.seconds(), model)


def last_validation(training: Training) -> Metrics | None:
    return None if training.validation is None else training.validation.metrics


def progress_frame(training: Training, spec: JobSpec, clock: ActiveClock, since: Metrics, status="running") -> dict:
    validation = training.validation
    return {
        "type": "progress",
        "status": status,
        "step": training.batches,
        "steps": spec.steps,
        "seconds": round(clock.seconds(), 2),
        "train": metrics_dict(since) if since.count else None,
        "held_out": None if validation is None else {**metrics_dict(validation.metrics), "step": validation.batches},
    }


def finished_model(
    task, shape: Shape, spec: JobSpec, snapshots: Snapshots, result, clock: ActiveClock, stopped: str, kept_from: int
) -> Model:
    """The best checkpoint as a model, with what `gatescope train` records: the task, data,
    recipe, held-out metrics and labelled units."""
    config = TrainConfig(lr=spec.lr, seed=spec.seed, batches=spec.steps)
    info = training_info(task, shape, config, task.recipe.batch, "trained in the page (WS /ws/train)")
    evaluate = partial(metrics.evaluate, shape, result.params)
    info["metrics"] = {"validation": result.validation.as_dict(), **task.metrics(evaluate)}
    info["run"] = {
        "batches": result.batches,
        "seconds": round(clock.seconds(), 1),
        "stopped": stopped,
        "kept_from": kept_from,
    }
    description = f"Trained in the page: {spec.cell}, H = {spec.hidden}, on {task.name} ({result.batches} steps)."
    model = snapshots.model(result.params, info, description)
    if snapshots.features is not None:
        model = snapshots.model(result.params, {**info, "units": find_units(model, task)}, description)
    return model


def write_model(model: Model, path: Path) -> None:
    """Whole or not at all: a reader never sees half a file."""
    partial_path = path.with_name(path.name + ".part")
    save_model(model, partial_path)
    os.replace(partial_path, path)


class Quiet:
    """The trainer's progress bar, silent: the page gets frames instead."""

    def draw(self, done: float, text: str, elapsed: float) -> None:
        pass

    def note(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

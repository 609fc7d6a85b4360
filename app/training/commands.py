"""The logic behind `gatescope train`, `evaluate` and `label` (app/cli.py parses their
arguments; models are found by name or path by the app's one resolver, ModelRegistry.resolve)."""

from __future__ import annotations

import argparse
import dataclasses
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.models.chinese import chinese_info
from app.models.format import load_model, save_model
from app.models.model import Model
from app.models.registry import ModelRegistry
from app.settings import get_settings
from app.training import metrics, network
from app.training.budget import trainable_parameters
from app.training.convert import from_model, to_model
from app.training.labels import find_units
from app.training.network import Shape
from app.training.tasks import TASKS, get_task
from app.training.tasks.code import code_task
from app.training.tasks.prose import prose_task
from app.training.tasks.text import text_task
from app.training.tasks.variants import variants_task
from app.training.tasks.verse import verse_task
from app.training.trainer import TrainConfig, TrainResult, forget_rows_to_decay, train

READ_TASKS: dict[str, Callable[[], Any]] = {
    "code": code_task,
    "prose": prose_task,
    "poetry": verse_task,
    "variants": variants_task,
}  # tasks that read their data
# What every fresh forget-gate bias starts from, as the trainer initializes it (b_f += 1, as
# Jozefowicz et al. 2015 advise; PyTorch's own init adds nothing); --forget-bias moves it.
TRAINER_FORGET_BIAS = 1.0
MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")  # a model file's stem, as the app names models


def resolve_task(name: str, files: list[Path], level: str = "char", model: Model | None = None, per_file: bool = False):
    """A named task, or `text` over files (with the model's own vocabulary, if given)."""
    if name == "text":
        if not files:
            raise SystemExit("gatescope: `text` needs a FILE to read")
        return text_task(files, level, model.tokenizer if model else None)
    if name == "code":
        return code_task(per_file=per_file)
    if name in READ_TASKS:
        return READ_TASKS[name]()
    if files:
        raise SystemExit(f"gatescope: task {name!r} generates its own data; FILE is only for `text`")
    try:
        return get_task(name)
    except KeyError as error:
        raise SystemExit(f"gatescope: {error.args[0]}") from None


def listed(text: str) -> list[str]:
    """ "f,i" or "1, 2, 4" -> its items."""
    return [item.strip() for item in text.split(",") if item.strip()]


def cell_options(args: argparse.Namespace) -> dict:
    """The cell's options the command line gives (the rest take their defaults)."""
    options: dict[str, object] = {}
    if args.peepholes is not None:
        options["peepholes"] = listed(args.peepholes)
    if args.gru_variant is not None:
        options["gru_variant"] = args.gru_variant
    if args.periods is not None:
        try:
            options["periods"] = [int(item) for item in listed(args.periods)]
        except ValueError:
            raise SystemExit(f"gatescope: --periods takes whole numbers, e.g. 1,2,4,8; got {args.periods!r}") from None
    return options


def shape_for(task, args: argparse.Namespace) -> Shape:
    recipe = task.recipe
    embed = recipe.embed if args.embed is None else (args.embed or None)  # --embed 0: one-hot
    cell = args.cell or recipe.cell
    try:
        shape = Shape(
            cell=cell,
            vocab=len(task.tokenizer.vocab),
            hidden=args.hidden or recipe.hidden,
            layers=args.layers or recipe.layers,
            embed=embed,
            options=cell_options(args),
        )
        if args.hidden is None and hasattr(task, "fit"):  # a task that gives every cell one parameter budget
            shape = task.fit(shape)
        return shape
    except ValueError as error:  # an option the cell has not, or cannot use
        raise SystemExit(f"gatescope: --cell {cell}: {error}") from None


def training_info(task, shape: Shape, config: TrainConfig, batch: int, command: str) -> dict:
    guesses = getattr(task, "guesses_after", None)  # a text task scores every position
    return {
        **({"guesses_after": list(guesses)} if guesses is not None else {}),
        "task": task.name,
        "data": task.data_description,
        "seed": config.seed,
        "command": command,
        "training": {
            "cell": shape.cell, "cell_options": dict(shape.options), "hidden": shape.hidden, "layers": shape.layers, "embed": shape.embed,
            "parameters": trainable_parameters(shape),
            "lr": config.lr, "batch": batch, "epochs": config.epochs, "minutes": config.minutes,
            "optimizer": "Adam", "clip": config.clip, "forget_decay": config.forget_decay, "dtype": "float32",
        },
    }  # fmt: skip


def set_forget_bias(shape: Shape, params: dict, offset: float) -> None:
    """Fresh forget-gate biases moved from the trainer's +TRAINER_FORGET_BIAS to +offset
    (on bias_ih, where the trainer puts it); a cell without a forget gate cannot take it."""
    if not shape.cell_type.has_forget_gate:
        raise SystemExit(f"gatescope: --forget-bias is for a cell with a forget gate; {shape.cell} has none")
    rows = shape.cell_type.rows("f", shape.hidden)
    for layer in range(shape.layers):
        params[f"rnn.bias_ih_l{layer}"][rows] += offset - TRAINER_FORGET_BIAS


def starting_point(task, args: argparse.Namespace) -> tuple[Shape, dict, dict]:
    """Fresh seeded weights; or, with --init, a trained model's weights to go on from (its
    vocabulary must be the task's), and what the info records of it."""
    if args.init is None:
        shape = shape_for(task, args)
        params = network.init_params(shape, args.seed)
        if args.forget_bias is not None:
            set_forget_bias(shape, params, args.forget_bias)
        return shape, params, {}
    if args.forget_bias is not None:
        raise SystemExit("gatescope: --forget-bias sets fresh weights; --init goes on from trained ones")
    start, _ = resolved(args.init)
    if start.tokenizer.vocab != task.tokenizer.vocab:
        raise SystemExit(f"gatescope: {start.name}'s vocabulary is not the {task.name} task's")
    shape, params = from_model(start)
    return (
        shape,
        params,
        {"init": {"model": start.name, "command": start.info.get("command"), "metrics": start.info.get("metrics")}},
    )


def train_command(args: argparse.Namespace) -> int:
    if args.per_file and args.task != "code":
        raise SystemExit("gatescope: --per-file is for the code task")
    task = resolve_task(args.task, args.file, args.level, per_file=args.per_file)
    recipe = task.recipe
    shape, initial, init_info = starting_point(task, args)
    budget = {"epochs": args.epochs, "minutes": args.minutes}
    if args.epochs is None and args.minutes is None:
        budget = {"epochs": recipe.epochs, "minutes": recipe.minutes}
    config = TrainConfig(lr=args.lr or recipe.lr, seed=args.seed, forget_decay=args.forget_decay, **budget)
    try:
        forget_rows_to_decay(shape, config.forget_decay)  # refused before training starts
    except ValueError as error:
        raise SystemExit(f"gatescope: {error}") from None
    batch = args.batch or recipe.batch
    output: Path = args.output
    info = training_info(task, shape, config, batch, "gatescope " + shlex.join(args.argv)) | init_info
    info["training"]["per_file"] = args.per_file
    if shape.cell_type.has_forget_gate and args.init is None:
        info["training"]["forget_bias"] = TRAINER_FORGET_BIAS if args.forget_bias is None else args.forget_bias
    if args.compare_with is not None:
        if not MODEL_NAME.fullmatch(args.compare_with):
            raise SystemExit(f"gatescope: --compare-with takes a model's name; got {args.compare_with!r}")
        info["compare_with"] = args.compare_with

    def save(params, extra_info: dict) -> None:
        model = to_model(
            shape, params, task.tokenizer, output.stem, task.description, chinese_info({**info, **extra_info})
        )
        save_model(model, output)

    print(
        f"training {shape.cell} (H = {shape.hidden}, {shape.layers} layer(s)) on {task.name}: {task.data_description}",
        file=sys.stderr,
    )
    result: TrainResult = train(
        shape,
        initial,
        task.data(batch, args.seed),
        config,
        on_improve=lambda params, validation: save(params, {"metrics": {"validation": validation.as_dict()}}),
    )
    evaluate = metrics.Evaluator(shape, result.params)
    run = {
        "epochs": round(result.epochs, 2),
        "batches": result.batches,
        "seconds": round(result.seconds, 1),
        "interrupted": result.interrupted,
    }
    held_out = task.metrics(evaluate)
    measured = {"validation": result.validation.as_dict(), **held_out, "validation_curve": result.curve}
    save(result.params, {"metrics": measured, "run": run})
    print(f"wrote {output} after {result.seconds / 60:.1f} min ({result.batches} batches)")
    for line in task.report(held_out):
        print(line)
    if hasattr(task, "features"):
        label(output, task)
    return 0


def label(path: Path, task) -> None:
    """Find the interpretable units of the model at `path` and store them in its info."""
    model = load_model(path)
    units = find_units(model, task)
    save_model(dataclasses.replace(model, info=chinese_info({**model.info, "units": units})), path)
    print(
        f"labelled {len(units)} unit(s) in {path}"
        + "".join(
            f"\n  layer {u['layer']} unit {u['unit']} {u['vector']}: {u['feature']}, r = {u['r']:+.2f} (untrained best {u['untrained_r']:.2f})"
            for u in units
        )
    )


def resolved(spec: str) -> tuple[Model, Path]:
    """A model by name (bundled, or in GATESCOPE_MODELS) or by path, and its file."""
    model, entry = ModelRegistry.for_settings(get_settings()).resolve(spec, paths=True)
    return model, entry.path


def label_command(args: argparse.Namespace) -> int:
    model, path = resolved(args.model)
    name = args.task or model.info.get("task")
    if not name or name == "text":
        raise SystemExit(f"gatescope: labels need a task with per-token features ({', '.join(sorted(TASKS))})")
    task = resolve_task(name, [])
    if task.tokenizer.vocab != model.tokenizer.vocab:
        raise SystemExit(f"gatescope: {model.name}'s vocabulary is not the {name} task's")
    label(path, task)
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    model, _ = resolved(args.model)
    if args.task and args.task not in ("text", *READ_TASKS, *TASKS) and Path(args.task).is_file():
        args.task, args.file = "text", [Path(args.task), *args.file]  # `evaluate MODEL FILE`: a text
    name = args.task or model.info.get("task")
    if not name:
        raise SystemExit(f"gatescope: {model.name} does not record its task; name one (or `text FILE`)")
    task = resolve_task(name, args.file, model=model)
    if name != "text" and task.tokenizer.vocab != model.tokenizer.vocab:
        raise SystemExit(f"gatescope: {model.name}'s vocabulary is not the {name} task's")
    shape, params = from_model(model)
    print(f"{model.name}: {model.cell.title}, H = {model.hidden_size}, task {name}")
    for line in task.report(task.metrics(metrics.Evaluator(shape, params))):
        print(line)
    return 0

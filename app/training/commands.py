"""The logic behind `gatescope train`, `evaluate` and `label` (app/cli.py only parses)."""

from __future__ import annotations

import argparse
import dataclasses
import shlex
import sys
from pathlib import Path

from app.models.format import load_model, save_model
from app.models.model import Model
from app.training import metrics, network
from app.training.backprop import BACKPROPS
from app.training.convert import from_model, to_model
from app.training.labels import find_units
from app.training.network import Shape
from app.training.tasks import TASKS, get_task
from app.training.tasks.code import code_task
from app.training.tasks.prose import prose_task
from app.training.tasks.text import text_task
from app.training.trainer import TrainConfig, TrainResult, forget_rows_to_decay, train


def resolve_task(name: str, files: list[Path], level: str = "char", model: Model | None = None, per_file: bool = False):
    """A named task, or `text` over files (with the model's own vocabulary, if given)."""
    if name == "text":
        if not files:
            raise SystemExit("gatescope: `text` needs a FILE to read")
        return text_task(files, level, model.tokenizer if model else None)
    if name == "code":
        return code_task(per_file=per_file)
    if name == "prose":
        return prose_task()
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
    options = {}
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
        return Shape(
            cell=cell,
            vocab=len(task.tokenizer.vocab),
            hidden=args.hidden or recipe.hidden,
            layers=args.layers or recipe.layers,
            embed=embed,
            options=cell_options(args),
        )
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
            "lr": config.lr, "batch": batch, "epochs": config.epochs, "minutes": config.minutes,
            "optimizer": "Adam", "clip": config.clip, "forget_decay": config.forget_decay, "dtype": "float32",
        },
    }  # fmt: skip


def starting_point(task, args: argparse.Namespace) -> tuple[Shape, dict, dict]:
    """Fresh seeded weights; or, with --init, a trained model's weights to go on from (its
    vocabulary must be the task's), and what the info records of it."""
    if args.init is None:
        shape = shape_for(task, args)
        return shape, network.init_params(shape, args.seed), {}
    start = load_model(model_path(args.init))
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

    def save(params, extra_info: dict) -> None:
        model = to_model(shape, params, task.tokenizer, output.stem, task.description, {**info, **extra_info})
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
    save(result.params, {"metrics": {"validation": result.validation.as_dict(), **held_out}, "run": run})
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
    save_model(dataclasses.replace(model, info={**model.info, "units": units}), path)
    print(
        f"labelled {len(units)} unit(s) in {path}"
        + "".join(
            f"\n  layer {u['layer']} unit {u['unit']} {u['vector']}: {u['feature']}, r = {u['r']:+.2f} (untrained best {u['untrained_r']:.2f})"
            for u in units
        )
    )


def model_path(spec: str) -> Path:
    """A bundled model's file by name, or a path."""
    from app.models.registry import ModelRegistry

    entry = ModelRegistry().entries().get(spec)
    path = entry.path if entry else Path(spec)
    if not path.is_file():
        raise SystemExit(f"gatescope: no model file at {path}")
    return path


def label_command(args: argparse.Namespace) -> int:
    path = model_path(args.model)
    model = load_model(path)
    name = args.task or model.info.get("task")
    if not name or name == "text":
        raise SystemExit(f"gatescope: labels need a task with per-token features ({', '.join(sorted(TASKS))})")
    task = resolve_task(name, [])
    if task.tokenizer.vocab != model.tokenizer.vocab:
        raise SystemExit(f"gatescope: {model.name}'s vocabulary is not the {name} task's")
    label(path, task)
    return 0


def evaluate_command(args: argparse.Namespace) -> int:
    from app.cli import resolve_model  # the CLI's own model lookup (names or paths)
    from app.settings import get_settings

    model, _ = resolve_model(args.model, get_settings())
    if args.task and args.task not in ("text", "code", "prose", *TASKS) and Path(args.task).is_file():
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


def add_train_parser(commands) -> None:
    train_parser = commands.add_parser("train", help="train a demo model, or a language model on your text, in NumPy")
    train_parser.add_argument("task", help="counter, long-lag, agreement, code, prose, or text (then give FILE)")
    train_parser.add_argument("file", nargs="*", type=Path, help="for `text`: UTF-8 text file(s)")
    train_parser.add_argument("-o", "--output", type=Path, required=True, help="the model file to write (.npz)")
    train_parser.add_argument(
        "--level", choices=("char", "word"), default="char", help="for `text` (default: %(default)s)"
    )
    train_parser.add_argument("--cell", choices=sorted(BACKPROPS), help="the cell to train (default: the task's, lstm)")
    train_parser.add_argument(
        "--peepholes", metavar="GATES", help="with --cell peephole: the gates that peek at C, e.g. f,o (default: f,i,o)"
    )
    train_parser.add_argument(
        "--gru-variant", choices=("pytorch", "article"), help="with --cell gru: its formulation (default: pytorch)"
    )
    train_parser.add_argument(
        "--periods",
        metavar="T1,T2,...",
        help="with --cell cwrnn: the modules' periods (default: 1,2,4,8, as many modules as split H evenly)",
    )
    train_parser.add_argument("--hidden", type=int, help="units per layer (default: the task's; 128 for text)")
    train_parser.add_argument("--layers", type=int, help="default: the task's (1)")
    train_parser.add_argument("--embed", type=int, help="embedding size; 0 for one-hot inputs (default: the task's)")
    budget = train_parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="wall-time budget (default: the task's)")
    budget.add_argument("--epochs", type=int, help="passes over the data")
    train_parser.add_argument("--lr", type=float, help="Adam's learning rate (default: the task's)")
    train_parser.add_argument(
        "--forget-decay",
        type=float,
        default=0.0,
        help="L2 on the forget-gate biases of an lstm, peephole, cifg or dglstm (default: %(default)s)",
    )
    train_parser.add_argument("--batch", type=int, help="sequences per batch (default: 32)")
    train_parser.add_argument("--seed", type=int, default=0, help="data and initial weights (default: %(default)s)")
    train_parser.add_argument(
        "--per-file",
        action="store_true",
        help="code: read each source file from a zero state (default: one stream across files)",
    )
    train_parser.add_argument(
        "--init", help="go on training this model (a bundled name or a .npz path) instead of fresh weights"
    )
    train_parser.set_defaults(run=train_command)

    evaluate_parser = commands.add_parser("evaluate", help="print a trained model's task metric")
    evaluate_parser.add_argument("model", help="a bundled model's name or a path to a .npz file")
    evaluate_parser.add_argument(
        "task", nargs="?", help="default: the task the model was trained on; or a text FILE (bits per token)"
    )
    evaluate_parser.add_argument("file", nargs="*", type=Path)
    evaluate_parser.set_defaults(run=evaluate_command)

    label_parser = commands.add_parser(
        "label", help="find the units that track the task's features; store them in the model file"
    )
    label_parser.add_argument("model", help="a bundled model's name or a path to a .npz file (rewritten in place)")
    label_parser.add_argument("task", nargs="?", help="default: the task the model was trained on")
    label_parser.set_defaults(run=label_command)

"""The `gatescope` command: serve the app, trace a text from the shell, import, train and evaluate models."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import webbrowser
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from app import __version__
from app.cells import CELLS
from app.export.page import lesson_page
from app.export.view import DEFAULT_PANELS, PANELS, ExportError, export_view
from app.models.format import save_model
from app.models.importers import ModelImportError
from app.models.importers.assemble import Vocabulary, assemble_model
from app.models.importers.vocabulary import read_vocabulary
from app.models.model import Model
from app.models.registry import ModelRegistry, UnknownModelError
from app.settings import Settings, get_settings
from app.tracing.start import TRACE_ERRORS, StartedTrace, start_trace, traced_frames
from app.training.commands import TRAINER_FORGET_BIAS, evaluate_command, label_command, train_command


def command_settings(args: argparse.Namespace) -> Settings:
    """The settings, with the models folder that --models names, if it does."""
    settings = get_settings()
    return settings.model_copy(update={"models": args.models}) if getattr(args, "models", None) else settings


def started_trace(args: argparse.Namespace, settings: Settings) -> StartedTrace:
    """args.model (a name, or a path: the shell user's own files) reading args.text, every
    check passed: the same path as the app's routes."""
    return start_trace(ModelRegistry.for_settings(settings), settings, args.model, args.text, paths=True)


def trace_command(args: argparse.Namespace) -> int:
    settings = command_settings(args)
    started = started_trace(args, settings)
    model = started.session.model
    steps = traced_frames(started.session, started.tokens, settings)
    if args.json:
        json.dump({"meta": started.meta, "steps": steps}, sys.stdout, ensure_ascii=False, allow_nan=False)
        print()
        return 0
    print(
        f"{model.name}: {model.cell.title}, {model.num_layers} layer(s) of {model.hidden_size} units, "
        f"{model.tokenizer.kind} tokens{'' if model.trained else ' (untrained: random weights)'}"
    )
    print_table(model, steps)
    return 0


def table_columns(model: Model) -> tuple[str, ...]:
    """The top layer's gates, its output h, and any extras (a clockwork RNN's active)."""
    return model.cell.gates + model.cell.states[-1:] + model.cell.extras


def mean_of(step: Mapping[str, Any], name: str) -> str:
    values = step["gates"].get(name, step.get(name))
    return f"{sum(values) / len(values):>10.3f}" if values is not None else f"{'—':>10}"


def print_table(model: Model, steps: Sequence[Mapping[str, Any]]) -> None:
    columns = table_columns(model)
    print(
        f"{'t':>4}  {'token':<10}"
        + "".join(f"{name:>10}" for name in columns)
        + "   (mean over units)  next-token guesses"
    )
    for step in steps:
        token = repr(step["token"]) + (" <unk>" if step["unk"] else "")
        means = "".join(mean_of(step, name) for name in columns)
        guesses = ", ".join(f"{p['token']!r} {p['p']:.0%}" for p in step.get("predictions", [])[:3])
        print(f"{step['t']:>4}  {token:<10}{means}{'':>21}{guesses}")


IMPORT_SOURCES = {"torch": "PyTorch checkpoint", "keras": "Keras model"}


def import_command(args: argparse.Namespace) -> int:
    """Convert weights trained elsewhere (args.convert does the source's part) into a model file."""
    if not args.source_file.is_file():
        raise ModelImportError(f"no file at {args.source_file}")
    vocabulary = Vocabulary(read_vocabulary(args.vocab, args.unk), args.unk, args.tokenizer, args.lowercase)
    converted = args.convert(args)
    origin = f"{IMPORT_SOURCES[args.source]} {args.source_file.name}"
    model = assemble_model(
        converted.weights,
        converted.cell,
        vocabulary,
        name=args.output.stem,
        description=args.description or f"Imported from the {origin}.",
        info={"imported_from": args.source, "file": args.source_file.name},
    )
    for note in converted.notes + vocabulary.notes:
        print(f"note: {note}")
    try:
        save_model(model, args.output)
    except OSError as error:
        raise ModelImportError(f"cannot write {args.output}: {error.strerror}") from None
    print(
        f"wrote {args.output}: {model.cell.title}, {model.num_layers} layer(s) of {model.hidden_size} units, "
        f"{model.tokenizer.kind} tokens (V = {model.vocab_size}){'' if model.has_decoder else ', no decoder'}"
    )
    return 0


def export_registry(spec: str | None, settings: Settings) -> tuple[ModelRegistry, str | None]:
    """The registry to export from and the model's name in it: a name is looked up as the
    app looks it up (ModelRegistry.entry); a path to a model file makes its folder the
    registry's own (so the file is read as the server reads models), under the name that
    folder lists it as."""
    registry = ModelRegistry.for_settings(settings)
    if spec is None:
        return registry, None
    try:
        return registry, registry.entry(spec).name
    except UnknownModelError:
        path = registry.entry(spec, paths=True).path  # a file, or UnknownModelError / ModelFileError
    folder = ModelRegistry(path.parent, settings.max_model_bytes)
    name = next((name for name, entry in folder.entries().items() if entry.path == path and not entry.bundled), None)
    if name is None:
        raise SystemExit(f"gatescope: {path} cannot be read as a model: it is not a .npz file")
    return folder, name


def export_command(args: argparse.Namespace) -> int:
    settings = command_settings(args)
    registry, model = export_registry(args.model, settings)
    given = {"lesson": args.lesson, "model": model, "text": args.text, "compare": args.compare, "panels": args.panels}
    given |= {"t": args.t, "unit": args.unit, "stage": args.stage, "layer": args.layer}
    given |= {"lang": args.lang, "theme": args.theme}
    page = lesson_page(registry, settings, export_view(given, registry), settings.public_url)
    html = page.html(settings)
    args.output.write_text(html, encoding="utf-8")
    print(
        f"wrote {args.output} ({len(html.encode()) / 1024:.0f} KB, {', '.join(page.view.panels)}"
        f"{', with plotly.js for the charts' if page.recording['plotly'] else ''}): "
        "open it in any browser, no server needed"
    )
    return 0


def convert_torch(args: argparse.Namespace):
    from app.models.importers.checkpoint import read_checkpoint
    from app.models.importers.pytorch import Prefixes, TorchOptions, convert_state_dict

    state, notes = read_checkpoint(args.source_file, args.key)
    prefixes = Prefixes(args.encoder_prefix, args.rnn_prefix, args.decoder_prefix)
    options = TorchOptions(args.cell, args.gru_variant, args.nonlinearity, args.fill_missing_biases)
    converted = convert_state_dict(state, prefixes, options)
    converted.notes[:0] = notes
    return converted


def convert_keras(args: argparse.Namespace):
    from app.models.importers.keras import read_keras

    return read_keras(args.source_file)


def add_import_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--vocab",
        type=Path,
        required=True,
        help="one token per line, in index order, taken exactly (no stripping); or, after a first line "
        "'#gatescope-vocab escaped', one escaped token per line (\\n for a newline; docs/model-files.md)",
    )
    parser.add_argument("-o", "--output", type=Path, required=True, help="the .npz to write")
    parser.add_argument(
        "--tokenizer",
        choices=("auto", "char", "word", "whitespace"),
        default="auto",
        help="char: one token per character; word: words and punctuation marks; whitespace: split on whitespace "
        "with <eos> at each line's end, as PyTorch's word_language_model does. auto (default): char when every "
        "token but <special> ones is one character, else whitespace when the vocabulary has <eos>, else word",
    )
    parser.add_argument(
        "--unk", default="<unk>", help="the vocabulary's entry for unknown tokens (default: %(default)s)"
    )
    parser.add_argument("--lowercase", action="store_true", help="the vocabulary is lower case: match tokens so")
    parser.add_argument("--description", help="shown in the app (default: where it was imported from)")


def add_import_parser(commands) -> None:
    importer = commands.add_parser("import", help="convert a model trained in PyTorch or Keras into a .npz")
    sources = importer.add_subparsers(dest="source", required=True)

    torch = sources.add_parser(
        "torch", help="a state_dict (.pt, or .safetensors): encoder (nn.Embedding), rnn, decoder (nn.Linear)"
    )
    torch.add_argument("source_file", metavar="CHECKPOINT", type=Path, help="a .pt state_dict or a .safetensors file")
    add_import_options(torch)
    torch.add_argument(
        "--key",
        help="where the state_dict is in a checkpoint that holds more (e.g. model_state_dict; a/b for nested); "
        "default: the one mapping of tensors with recurrent weights",
    )
    torch.add_argument("--encoder-prefix", default="encoder", help="the nn.Embedding's name (default: %(default)s)")
    torch.add_argument("--rnn-prefix", default="rnn", help="the recurrent module's name (default: %(default)s)")
    torch.add_argument("--decoder-prefix", default="decoder", help="the nn.Linear's name (default: %(default)s)")
    torch.add_argument(
        "--cell",
        help="the cell, when the shapes do not say (e.g. cifg has nn.GRU's 3H rows); "
        "also LSTM, GRU, RNN_TANH, RNN_RELU as in PyTorch's example",
    )
    torch.add_argument(
        "--nonlinearity",
        choices=("tanh", "relu"),
        help="an nn.RNN's, which its state_dict does not record (required for an nn.RNN)",
    )
    torch.add_argument(
        "--gru-variant",
        choices=("pytorch", "article"),
        default="pytorch",
        help="a GRU's formulation (default: %(default)s, nn.GRU's)",
    )
    torch.add_argument(
        "--fill-missing-biases",
        action="store_true",
        help="read a recurrent bias missing from the state_dict as zeros (default: refuse the file)",
    )
    torch.set_defaults(run=import_command, convert=convert_torch)

    keras = sources.add_parser(
        "keras", help="a Keras 3 .keras archive or .weights.h5: Embedding, LSTM/GRU/SimpleRNN layers, Dense"
    )
    keras.add_argument(
        "source_file",
        metavar="MODEL.keras",
        type=Path,
        help="model.save's .keras archive (checked against its config), or save_weights' .weights.h5",
    )
    add_import_options(keras)
    keras.set_defaults(run=import_command, convert=convert_keras)


def add_train_parser(commands) -> None:
    train_parser = commands.add_parser("train", help="train a demo model, or a language model on your text, in NumPy")
    train_parser.add_argument(
        "task", help="counter, long-lag, agreement, code, prose, poetry, variants, or text (then give FILE)"
    )
    train_parser.add_argument("file", nargs="*", type=Path, help="for `text`: UTF-8 text file(s)")
    train_parser.add_argument("-o", "--output", type=Path, required=True, help="the model file to write (.npz)")
    train_parser.add_argument(
        "--level", choices=("char", "word"), default="char", help="for `text` (default: %(default)s)"
    )
    train_parser.add_argument("--cell", choices=sorted(CELLS), help="the cell to train (default: the task's, lstm)")
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
    train_parser.add_argument(
        "--forget-bias",
        type=float,
        help=f"what the forget-gate biases start from, added to their random draw (default: {TRAINER_FORGET_BIAS:g},"
        " as Jozefowicz et al. 2015 advise; 0 is PyTorch's own init)",
    )
    train_parser.add_argument(
        "--compare-with",
        metavar="MODEL",
        help="the model the app's Compare view shows beside this one (recorded in its info)",
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


def serve_command(args: argparse.Namespace) -> int:
    """Run the app in `--workers` processes. Each process builds its app from the environment
    (create_app reads GATESCOPE_*), so the command's own options go there first."""
    import uvicorn

    from app.server import uvicorn_options

    if not 1 <= args.workers <= 64:
        raise SystemExit("gatescope: --workers must be 1 to 64")
    if args.models:
        os.environ["GATESCOPE_MODELS"] = str(args.models.resolve())
    shared = None
    if args.workers > 1 and get_settings().trained_dir is None:
        # Models trained in the page are kept where every process finds them: a student's
        # page may train on one process and trace on another.
        shared = tempfile.TemporaryDirectory(prefix="gatescope-trained-")
        os.environ["GATESCOPE_TRAINED_DIR"] = shared.name
    settings = get_settings().model_copy(update={"host": args.host, "port": args.port, "workers": args.workers})
    url = f"http://{settings.host}:{settings.port}/"
    processes = f", {settings.workers} processes" if settings.workers > 1 else ""
    print(f"Gatescope {__version__} on {url}{processes}  (Ctrl-C to stop)")
    if args.open:
        webbrowser.open(url)
    try:
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
            proxy_headers=False,  # the app reads them itself, from GATESCOPE_TRUSTED_PROXIES only (app.proxy)
            server_header=False,
            **uvicorn_options(settings),
        )
    finally:
        if shared is not None:
            shared.cleanup()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gatescope", description="Watch an LSTM read your text, live.")
    parser.add_argument("--version", action="version", version=f"gatescope {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the app")
    serve.add_argument("--host", default=get_settings().host, help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=get_settings().port, help="port (default: %(default)s)")
    serve.add_argument("--models", type=Path, help="a folder of your own .npz models (also GATESCOPE_MODELS)")
    serve.add_argument(
        "--workers",
        type=int,
        default=get_settings().workers,
        help="server processes; any of them serves any student (default: %(default)s, also GATESCOPE_WORKERS)",
    )
    serve.add_argument("--open", action="store_true", help="open the app in a browser")
    serve.set_defaults(run=serve_command)

    trace = commands.add_parser("trace", help="print how a model reads a text")
    trace.add_argument("model", help="a bundled model's name, a name in --models, or a path to a .npz file")
    trace.add_argument("text")
    trace.add_argument("--json", action="store_true", help="print the same JSON as POST /api/trace")
    trace.add_argument("--models", type=Path, help="a folder of your own .npz models")
    trace.set_defaults(run=trace_command)

    export = commands.add_parser(
        "export",
        help="write a self-contained HTML page that replays a view offline",
        description="A lesson (--lesson) or MODEL reading TEXT; the options are the page's URL properties.",
    )
    export.add_argument("model", nargs="?", help="a bundled model's name, a name in --models, or a path to a .npz file")
    export.add_argument("text", nargs="?", help="the text to read (a lesson has its own)")
    export.add_argument("-o", "--output", type=Path, required=True, help="the .html file to write")
    export.add_argument("--lesson", help="a lesson's view (gatescope export --lesson french), under the options given")
    export.add_argument(
        "--panels",
        "--views",
        help=f"comma-separated panels to show, from {','.join(PANELS)} (default: {','.join(DEFAULT_PANELS)})",
    )
    export.add_argument("--compare", help="the Compare panel's model")
    export.add_argument("--t", type=int, help="the time step to open on (default: the last)")
    export.add_argument("--unit", type=int, help="the selected unit")
    export.add_argument(
        "--stage", type=int, choices=range(5), help="the walk-through's step, from 0 (the cell's own steps: up to 5)"
    )
    export.add_argument("--layer", type=int, help="the layer shown (default: the top one)")
    export.add_argument("--lang", choices=("en", "zh"), help="the page's language (default: the reader's browser's)")
    export.add_argument("--theme", choices=("light", "dark"), help="light (default) or dark")
    export.add_argument("--models", type=Path, help="a folder of your own .npz models")
    export.set_defaults(run=export_command)

    add_import_parser(commands)
    add_train_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in trained models' info
    try:
        return args.run(args)
    except (*TRACE_ERRORS, ModelImportError, ExportError) as error:
        print(f"gatescope: {error}", file=sys.stderr)
        return 2

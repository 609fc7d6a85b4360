"""The `gatescope` command: serve the app, trace a text from the shell, import, train and evaluate models."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import webbrowser
from pathlib import Path

from app import __version__
from app.export.page import DEFAULT_PANELS, PANELS, ExportError, render_lesson
from app.models.format import ModelFileError, load_model, save_model
from app.models.importers import ModelImportError
from app.models.importers.assemble import Vocabulary, assemble_model
from app.models.importers.vocabulary import read_vocabulary
from app.models.model import Model
from app.models.registry import ModelRegistry, UnknownModelError
from app.settings import Settings, get_settings
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceLimitError, TraceSession
from app.tracing.text import TextError
from app.training.commands import add_train_parser


def resolve_model(spec: str, settings: Settings) -> tuple[Model, bool]:
    """A bundled or user model by name, or any model file by path (the shell user may read it)."""
    registry = ModelRegistry(settings.models, settings.max_model_bytes)
    entry = registry.entries().get(spec)
    if entry is not None:
        return registry.get(spec), entry.bundled
    path = Path(spec)
    if path.suffix == ".npz" or path.exists():
        if not path.is_file():
            raise SystemExit(f"gatescope: no model file at {path}")
        return load_model(path, max_bytes=settings.max_model_bytes), False
    raise UnknownModelError(spec, registry.names())


def trace_command(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.models:
        settings = settings.model_copy(update={"models": args.models})
    model, bundled = resolve_model(args.model, settings)
    session = TraceSession(model, settings.max_tokens_per_message, settings.max_tokens_per_session)
    traced = session.run(session.tokenize(args.text))
    steps = [step_frame(model, step, settings.decimals, settings.top_k) for step in traced]
    if args.json:
        meta = meta_frame(model, bundled, settings.decimals)
        json.dump({"meta": meta, "steps": steps}, sys.stdout, ensure_ascii=False)
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


def mean_of(step: dict, name: str) -> str:
    values = step["gates"].get(name, step.get(name))
    return f"{sum(values) / len(values):>10.3f}" if values is not None else f"{'—':>10}"


def print_table(model: Model, steps: list[dict]) -> None:
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


def export_command(args: argparse.Namespace) -> int:
    settings = get_settings()
    if args.models:
        settings = settings.model_copy(update={"models": args.models})
    model, bundled = resolve_model(args.model, settings)
    page = render_lesson(model, bundled, args.text, settings, tuple(args.views.split(",")))
    args.output.write_text(page, encoding="utf-8")
    print(f"wrote {args.output} ({len(page.encode()) / 1024:.0f} KB): open it in any browser, no server needed")
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


def serve_command(args: argparse.Namespace) -> int:
    """Run the app in `--workers` processes. Each process builds its app from the environment
    (create_app reads GATESCOPE_*), so the command's own options go there first."""
    import uvicorn

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
            log_level="info",
            proxy_headers=False,  # the app reads them itself, from GATESCOPE_TRUSTED_PROXIES only (app.proxy)
            server_header=False,
            ws_max_size=settings.max_message_bytes_to_read,  # larger messages: closed (1009) unread
            ws_per_message_deflate=settings.ws_compression,
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

    export = commands.add_parser("export", help="write a self-contained HTML page that replays a trace offline")
    export.add_argument("model", help="a bundled model's name, a name in --models, or a path to a .npz file")
    export.add_argument("text")
    export.add_argument("-o", "--output", type=Path, required=True, help="the .html file to write")
    export.add_argument(
        "--views",
        default=",".join(DEFAULT_PANELS),
        help=f"comma-separated panels to show, from {','.join(PANELS)} (default: %(default)s)",
    )
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
    except (UnknownModelError, ModelFileError, ModelImportError, TraceLimitError, TextError, ExportError) as error:
        print(f"gatescope: {error}", file=sys.stderr)
        return 2

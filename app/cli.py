"""The `gatescope` command: serve the app, trace a text from the shell, train and evaluate models."""

from __future__ import annotations

import argparse
import json
import sys
import webbrowser
from pathlib import Path

from app import __version__
from app.models.format import ModelFileError, load_model
from app.models.model import Model
from app.models.registry import ModelRegistry, UnknownModelError
from app.settings import Settings, get_settings
from app.training.commands import add_train_parser
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceLimitError, TraceSession


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
    steps = [step_frame(model, s, settings.decimals, settings.top_k) for s in session.run(session.tokenize(args.text))]
    if args.json:
        json.dump({"meta": meta_frame(model, bundled, settings.decimals), "steps": steps}, sys.stdout, ensure_ascii=False)
        print()
        return 0
    print(f"{model.name}: {model.cell.title}, {model.num_layers} layer(s) of {model.hidden_size} units, "
          f"{model.tokenizer.kind} tokens{'' if model.trained else ' (untrained: random weights)'}")
    print(f"{'t':>4}  {'token':<10}" + "".join(f"{g:>10}" for g in model.cell.gates) + "   (mean over units)  next-token guesses")
    for step in steps:
        token = repr(step["token"]) + (" <unk>" if step["unk"] else "")
        means = "".join(f"{sum(step['gates'][g]) / len(step['gates'][g]):>10.3f}" for g in model.cell.gates)
        guesses = ", ".join(f"{p['token']!r} {p['p']:.0%}" for p in step.get("predictions", [])[:3])
        print(f"{step['t']:>4}  {token:<10}{means}{'':>21}{guesses}")
    return 0


def serve_command(args: argparse.Namespace) -> int:
    import uvicorn

    from app.main import create_app

    updates = {"host": args.host, "port": args.port}
    if args.models:
        updates["models"] = args.models
    settings = get_settings().model_copy(update=updates)
    url = f"http://{settings.host}:{settings.port}/"
    print(f"Gatescope {__version__} on {url}  (Ctrl-C to stop)")
    if args.open:
        webbrowser.open(url)
    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level="info")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gatescope", description="Watch an LSTM read your text, live.")
    parser.add_argument("--version", action="version", version=f"gatescope {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the app")
    serve.add_argument("--host", default=get_settings().host, help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=get_settings().port, help="port (default: %(default)s)")
    serve.add_argument("--models", type=Path, help="a folder of your own .npz models (also GATESCOPE_MODELS)")
    serve.add_argument("--open", action="store_true", help="open the app in a browser")
    serve.set_defaults(run=serve_command)

    trace = commands.add_parser("trace", help="print how a model reads a text")
    trace.add_argument("model", help="a bundled model's name, a name in --models, or a path to a .npz file")
    trace.add_argument("text")
    trace.add_argument("--json", action="store_true", help="print the same JSON as POST /api/trace")
    trace.add_argument("--models", type=Path, help="a folder of your own .npz models")
    trace.set_defaults(run=trace_command)

    add_train_parser(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)  # recorded in trained models' info
    try:
        return args.run(args)
    except (UnknownModelError, ModelFileError, TraceLimitError) as error:
        print(f"gatescope: {error}", file=sys.stderr)
        return 2

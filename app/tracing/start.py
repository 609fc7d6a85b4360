"""Starting a trace by model name, with every check: the one path from a model and a
text to a trace, which the HTTP API, the stream, gradient flow, exports, notebooks and
the command line all take. Each refusal is an exception with a `code` (and, over a
limit, the `limit` it reached) that each entry point turns into its own kind of error
(app.errors.HTTP_STATUS for HTTP); nothing is traced until every check has passed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.models.format import ModelFileError
from app.models.model import NonFiniteError
from app.models.registry import ModelRegistry, UnknownModelError
from app.models.tokenizers import Token
from app.settings import Settings
from app.tracing.frames import StepFrame, meta_frame, step_frame
from app.tracing.session import TraceLimitError, TraceSession
from app.tracing.text import TextError
from app.tracing.whatif import InterventionError, Interventions
from app.tracing.whatif import check as check_interventions

# Everything opening or extending a trace may refuse; each has a .code (app.errors).
TRACE_ERRORS = (UnknownModelError, ModelFileError, TraceLimitError, TextError, InterventionError, NonFiniteError)


@dataclass(frozen=True)
class StartedTrace:
    session: TraceSession
    tokens: list[Token]  # the text's tokens, checked, not yet traced
    meta: dict  # the meta frame
    bundled: bool  # the model ships with the app


def start_trace(
    registry: ModelRegistry,
    settings: Settings,
    name: str | None,
    text: str,
    whatif: Interventions | None = None,
    paths: bool = False,
) -> StartedTrace:
    """Look up the model (by path too, with `paths`: the shell user's own files), check
    the text and the what-if interventions, raising one of TRACE_ERRORS; may read a
    model file."""
    model, entry = registry.resolve(name or settings.default_model, paths)
    interventions = whatif or Interventions()
    check_interventions(interventions, model)
    session = TraceSession(
        model, settings.max_tokens_per_message, settings.max_tokens_per_session, interventions, settings.top_k
    )
    tokens = session.tokenize(text)
    meta = meta_frame(model, entry.bundled, settings.decimals, interventions)
    return StartedTrace(session, tokens, meta, entry.bundled)


def traced_frames(session: TraceSession, tokens: list[Token], settings: Settings) -> list[StepFrame]:
    """Read `tokens` on from the session's state: their step frames, in order."""
    return [step_frame(session.model, step, settings.decimals) for step in session.run(tokens)]


def recorded_frames(started: StartedTrace, settings: Settings) -> list[Mapping[str, object]]:
    """meta, one step per token, done: what WS /ws/trace sends for the trace's start."""
    steps = traced_frames(started.session, started.tokens, settings)
    return [started.meta, *steps, {"type": "done", "steps": len(steps), "total": len(steps)}]

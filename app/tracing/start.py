"""Starting a trace by model name, with every check: the one path that the HTTP API
and the stream share. Each refusal is an exception with a `code` (and, over a limit,
the `limit` it reached) that the routes turn into an error answer."""

from __future__ import annotations

from dataclasses import dataclass

from app.models.format import ModelFileError
from app.models.registry import ModelRegistry, UnknownModelError
from app.models.tokenizers import Token
from app.settings import Settings
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceLimitError, TraceSession
from app.tracing.text import TextError
from app.tracing.whatif import InterventionError, Interventions
from app.tracing.whatif import check as check_interventions

# Everything opening or extending a trace may refuse; each has a .code (app.errors).
TRACE_ERRORS = (UnknownModelError, ModelFileError, TraceLimitError, TextError, InterventionError)


@dataclass(frozen=True)
class StartedTrace:
    session: TraceSession
    tokens: list[Token]  # the text's tokens, checked, not yet traced
    meta: dict  # the meta frame


def start_trace(
    registry: ModelRegistry, settings: Settings, name: str | None, text: str, whatif: Interventions | None = None
) -> StartedTrace:
    """Look up the model, check the text and the what-if interventions (raising one of
    TRACE_ERRORS); may read a model file."""
    name = name or settings.default_model
    model = registry.get(name)
    interventions = whatif or Interventions()
    check_interventions(interventions, model)
    session = TraceSession(model, settings.max_tokens_per_message, settings.max_tokens_per_session, interventions)
    tokens = session.tokenize(text)
    meta = meta_frame(model, registry.is_bundled(name), settings.decimals)
    if interventions:
        meta["whatif"] = interventions.model_dump()
    return StartedTrace(session, tokens, meta)


def traced_frames(session: TraceSession, tokens: list[Token], settings: Settings) -> list[dict]:
    """Read `tokens` on from the session's state: their step frames, in order."""
    model = session.model
    return [step_frame(model, step, settings.decimals, settings.top_k) for step in session.run(tokens)]

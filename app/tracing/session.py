"""A trace in progress: one model, its current state, and the steps read so far.

Appending text continues from the current state; the prefix is never recomputed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.cells import StepRecord
from app.models.model import Model, NonFiniteError
from app.models.tokenizers import Token
from app.tracing.text import check_text
from app.tracing.whatif import Interventions, clamp_fix, segments, with_weights


class TraceLimitError(ValueError):
    """Text over one of the session's token limits; `limit` names the setting."""

    code = "too_long"

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


@dataclass(frozen=True)
class TracedStep:
    t: int  # position in the whole trace, from 0
    token: Token
    layers: list[StepRecord]  # one record per layer, bottom first
    x: np.ndarray | None  # the layer-0 input vector (its embedding), when the model has one
    predictions: tuple[np.ndarray, np.ndarray] | None  # the top_k next tokens' ids and probabilities, best
    #   first, when the model has a decoder


def check_finite(records: list[list[StepRecord]], first_t: int) -> None:
    """Raise NonFiniteError if any vector of any step is NaN or infinite (finite weights
    too large for float32 can do that): no such number is ever sent."""
    for layer, layer_records in enumerate(records):
        record = layer_records[0]
        for name in record.GATES + record.STATES + record.EXTRAS:
            finite = np.isfinite(np.stack([getattr(r, name) for r in layer_records])).all(axis=1)
            if not finite.all():
                raise NonFiniteError(f"{name} of layer {layer} at step {first_t + int(np.argmin(finite))}")


class TraceSession:
    def __init__(
        self,
        model: Model,
        max_tokens_per_message: int | None = None,
        max_tokens: int | None = None,
        interventions: Interventions | None = None,
        top_k: int = 5,
    ):
        self.model = model
        self.top_k = top_k  # next-token guesses per step
        self.interventions = interventions or Interventions()  # what-if clamps and weight edits
        self.max_tokens_per_message = max_tokens_per_message
        self.max_tokens = max_tokens
        self.states: list[Any] = model.zero_state()
        self.t = 0  # steps traced so far

    def tokenize(self, text: str) -> list[Token]:
        """Tokens of `text`, checked (TextError, TraceLimitError) before any work is done."""
        tokens = self.model.tokenizer.encode(check_text(text))
        if self.max_tokens_per_message is not None and len(tokens) > self.max_tokens_per_message:
            raise TraceLimitError(
                f"the text has {len(tokens)} tokens; at most {self.max_tokens_per_message} per message",
                "max_tokens_per_message",
            )
        if self.max_tokens is not None and self.t + len(tokens) > self.max_tokens:
            raise TraceLimitError(
                f"a trace holds at most {self.max_tokens} tokens; this one has {self.t} already",
                "max_tokens_per_session",
            )
        return tokens

    def run(self, tokens: list[Token]) -> list[TracedStep]:
        """Read `tokens` from the current state, advancing it (NonFiniteError, with the
        state left as it was, if the model computes a number that is not finite)."""
        if not tokens:
            return []
        ids = np.array([token.id for token in tokens])
        states = self.states
        try:
            records = self.forward(ids)
            check_finite(records, self.t)
            xs = self.model.embedding[ids] if self.model.embedding is not None else None
            guesses = None
            if self.model.has_decoder:
                guesses = self.model.top_predictions(np.stack([r.h for r in records[-1]]), self.top_k)
        except NonFiniteError:
            self.states = states
            raise
        steps = [
            TracedStep(
                t=self.t + k,
                token=token,
                layers=[layer_records[k] for layer_records in records],
                x=None if xs is None else xs[k],
                predictions=None if guesses is None else (guesses[0][k], guesses[1][k]),
            )
            for k, token in enumerate(tokens)
        ]
        self.t += len(tokens)
        return steps

    def forward(self, ids: np.ndarray) -> list[list[StepRecord]]:
        """model.forward from the current state, with the what-if interventions that apply
        at each step (global t): weight edits by runs of steps, clamps step by step."""
        clamps = self.interventions.clamps
        records: list[list[StepRecord]] = [[] for _ in self.model.layers]
        for first, end, edits in segments(self.interventions.weights, self.t, self.t + len(ids)):
            model = with_weights(self.model, edits) if edits else self.model
            fixes = (lambda layer, k, first=first: clamp_fix(clamps, first + k, layer)) if clamps else None
            part, self.states = model.forward(ids[first - self.t : end - self.t], self.states, fixes)
            for layer, layer_records in enumerate(part):
                records[layer].extend(layer_records)
        return records

    def chunks(self, tokens: list[Token], size: int) -> Iterator[list[Token]]:
        """Split tokens into runs of `size`, so a long text streams as it is computed."""
        for start in range(0, len(tokens), size):
            yield tokens[start : start + size]

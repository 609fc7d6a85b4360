"""Traced steps as the JSON the stream, the HTTP API and the CLI all send.

Vector names are the article's (docs/api.md, "The stream"): gates under "gates",
states and any extra per-unit vectors (a clockwork RNN's "active") at the top level,
one record per layer under "layers" when there are several.
Values are rounded to `decimals` places: the float32 they come from has about seven
significant digits, and 1e-5 is finer than any colour or label shows.
"""

from __future__ import annotations

import json

import numpy as np

from app.cells import StepRecord
from app.models.model import Model
from app.models.registry import model_summary
from app.tracing.session import TracedStep


def vector(values: np.ndarray, decimals: int) -> list[float]:
    return np.round(values.astype(np.float64), decimals).tolist()


def meta_frame(model: Model, bundled: bool, decimals: int) -> dict:
    return {"type": "meta", "model": model.name, **model_summary(model, bundled), "decimals": decimals}


def layer_record(record: StepRecord, decimals: int) -> dict:
    frame = {"gates": {name: vector(getattr(record, name), decimals) for name in record.GATES}}
    for name in record.STATES + record.EXTRAS:
        frame[name] = vector(getattr(record, name), decimals)
    return frame


def top_tokens(probabilities: np.ndarray, top_k: int) -> np.ndarray:
    """Ids of the top_k next tokens, most probable first."""
    return np.argsort(probabilities)[::-1][:top_k]


def predictions(model: Model, probabilities: np.ndarray, top_k: int) -> list[dict]:
    """The top_k next tokens, most probable first."""
    return [
        {"token": model.tokenizer.vocab[i], "id": int(i), "p": round(float(probabilities[i]), 5)}
        for i in top_tokens(probabilities, top_k)
    ]


def step_frame(model: Model, step: TracedStep, decimals: int, top_k: int) -> dict:
    layers = [layer_record(record, decimals) for record in step.layers]
    frame = {"type": "step", "t": step.t, "token": step.token.text, "token_id": step.token.id, "unk": step.token.unk}
    frame.update(layers[-1])  # the top layer's record, also at the top level
    if len(layers) > 1:
        frame["layers"] = layers
    if step.x is not None:
        frame["x"] = vector(step.x, decimals)
    if step.probabilities is not None:
        frame["predictions"] = predictions(model, step.probabilities, top_k)
        trained = model.trained_to_guess_after(step.token.id)
        if trained is not None:  # only for a model that records where it was trained to guess
            frame["trained_guess"] = trained
    return frame


def encode(frame: dict, request_id: int | None = None) -> str:
    """A frame as the stream's JSON text; `request_id` is echoed as "id" when given.
    Every string in a frame is valid Unicode (texts and vocabularies are checked), so
    the UTF-8 encoding of the result cannot fail."""
    if request_id is not None:
        frame = {**frame, "id": request_id}
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))

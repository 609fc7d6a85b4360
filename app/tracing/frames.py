"""Traced steps as the JSON the stream, the HTTP API and the CLI all send, and the one
typed definition of each frame (docs/api.md, "The stream"), which the routes' schemas use.

Vector names are the article's: gates under "gates", states and any extra per-unit
vectors (a clockwork RNN's "active") at the top level, one record per layer under
"layers" when there are several. Values are rounded to `decimals` places: the float32
they come from has about seven significant digits, and 1e-5 is finer than any colour or
label shows. Every number is finite (app.tracing.session refuses a step that is not),
and `encode` would refuse one that was not: every frame is valid JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal, NotRequired, cast

import numpy as np
from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from app.cells import StepRecord
from app.models.model import Model
from app.models.registry import ModelSummary, model_summary
from app.tracing.session import TracedStep
from app.tracing.whatif import Interventions

Vector = list[float]


class Meta(ModelSummary):
    """The first frame of a trace: the model it reads with."""

    type: Literal["meta"]
    model: str = Field(description="the name the trace asked for (the same as `name`)")
    decimals: int = Field(description="the places step values are rounded to")
    whatif: Interventions | None = Field(None, description="the interventions the trace reads with, if any")
    id: int | None = Field(None, description="the request's id, on the stream, when it had one")
    cell_figures: list[dict] = Field(
        description="how the page draws each kind of layer and walks through its steps (app/cells/equations.py)"
    )


@with_config(ConfigDict(extra="forbid"))
class Prediction(TypedDict):
    token: str
    id: int
    p: float


@with_config(ConfigDict(extra="forbid"))
class LayerFrame(TypedDict):
    """One layer's vectors at one step. The keys beside `gates` are the cells' states and
    extras (Cell.states, Cell.extras): a test checks that every cell's are declared here."""

    gates: dict[str, Vector]
    h: Vector
    c: NotRequired[Vector]  # the LSTM family's cell state, the belt
    active: NotRequired[Vector]  # a clockwork RNN's units that ticked


@with_config(ConfigDict(extra="forbid"))
class StepFrame(LayerFrame):
    """One token read: its top layer's vectors, and every layer's when there are several."""

    type: Literal["step"]
    t: int
    token: str
    token_id: int
    unk: bool
    read_as: NotRequired[str]  # the vocabulary's entry a token typed in another form was read as (“ as ")
    layers: NotRequired[list[LayerFrame]]  # bottom first, when there are several
    x: NotRequired[Vector]  # the token's embedding; absent for one-hot inputs
    predictions: NotRequired[list[Prediction]]  # next-token guesses, when the model has a decoder
    # with predictions, for a model that records where it was trained to guess (meta.guesses_after):
    # whether it was after this token; false marks guesses it never learnt to make
    trained_guess: NotRequired[bool]
    id: NotRequired[int]  # the request's id, when it had one


def vector(values: np.ndarray, decimals: int) -> list[float]:
    return np.round(values.astype(np.float64), decimals).tolist()


def meta_frame(model: Model, bundled: bool, decimals: int, whatif: Interventions | None = None) -> dict:
    meta = Meta(
        **dict(model_summary(model, bundled)),
        type="meta",
        model=model.name,
        decimals=decimals,
        whatif=whatif or None,
        cell_figures=[figure.to_json() for figure in model.cell.figures(model.cell_options)],
    ).model_dump(mode="json")
    return {key: value for key, value in meta.items() if value is not None or key not in ("whatif", "id")}


def layer_record(record: StepRecord, decimals: int) -> LayerFrame:
    frame: dict[str, object] = {"gates": {name: vector(getattr(record, name), decimals) for name in record.GATES}}
    for name in record.STATES + record.EXTRAS:
        frame[name] = vector(getattr(record, name), decimals)
    return cast(LayerFrame, frame)  # its keys are the cell's, each declared in LayerFrame (a test checks)


def predictions(model: Model, guesses: tuple[np.ndarray, np.ndarray]) -> list[Prediction]:
    """The next-token guesses, most probable first."""
    ids, probabilities = guesses
    return [
        {"token": model.tokenizer.vocab[i], "id": int(i), "p": round(float(p), 5)}
        for i, p in zip(ids.tolist(), probabilities)
    ]


def step_frame(model: Model, step: TracedStep, decimals: int) -> StepFrame:
    layers = [layer_record(record, decimals) for record in step.layers]
    top = layers[-1]
    frame: StepFrame = {
        "type": "step",
        "t": step.t,
        "token": step.token.text,
        "token_id": step.token.id,
        "unk": step.token.unk,
        "gates": top["gates"],
        "h": top["h"],
    }
    if step.token.read_as is not None:  # typed in a form the vocabulary lacks: read as this entry
        frame["read_as"] = step.token.read_as
    frame.update(top)  # the top layer's record, also at the top level
    if len(layers) > 1:
        frame["layers"] = layers
    if step.x is not None:
        frame["x"] = vector(step.x, decimals)
    if step.predictions is not None:
        frame["predictions"] = predictions(model, step.predictions)
        trained = model.trained_to_guess_after(step.token.id)
        if trained is not None:  # only for a model that records where it was trained to guess
            frame["trained_guess"] = trained
    return frame


def encode(frame: Mapping[str, object], request_id: int | None = None) -> str:
    """A frame as the stream's JSON text; `request_id` is echoed as "id" when given.
    Every string in a frame is valid Unicode (texts and vocabularies are checked), so
    the UTF-8 encoding of the result cannot fail; a NaN or infinity is refused
    (ValueError) rather than written as JSON no client can read."""
    if request_id is not None:
        frame = {**frame, "id": request_id}
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"), allow_nan=False)

"""The JSON the HTTP API answers with, as OpenAPI response models (docs/api.md).

They describe; the frames themselves are built in app.tracing.frames. A step's state
vectors are named by its cell (`c` and `h` for an LSTM, `h` for a GRU), so a step
allows those extra keys.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Vector = list[float]


class Health(BaseModel):
    status: Literal["ok"]


class ModelSummary(BaseModel):
    model_config = ConfigDict(extra="allow")  # what a model file adds (its training metrics, ...)

    name: str
    bundled: bool
    cell: str | None = None
    cell_title: str | None = None
    hidden_size: int | None = None
    layers: int | None = None
    tokenizer: str | None = None
    vocab_size: int | None = None
    input: Literal["embedding", "one-hot"] | None = None
    input_size: int | None = None
    has_decoder: bool | None = None
    trained: bool | None = None
    description: str | None = None
    gates: list[str] | None = None
    states: list[str] | None = None
    extras: list[str] | None = Field(None, description="per-step vectors beside gates and states (cwrnn: active)")
    cell_options: dict | None = Field(
        None, description="peepholes, gru_variant, periods: what the cell's diagram needs"
    )
    units: list[dict] | None = Field(None, description="labelled units: unit, layer, vector, feature, r")
    guesses_after: list[str] | None = Field(
        None,
        description="the tokens after which the model was trained to guess the next token (a task model scored only "
        "at its answer); null: after every token, or not recorded",
    )
    error: str | None = Field(None, description="set, and the rest absent, when the file cannot be loaded")


class ModelList(BaseModel):
    models: list[ModelSummary]


class LessonSummary(BaseModel):
    id: str = Field(description="the `lesson` URL property that opens it, e.g. /?lesson=agreement")
    section: str = Field(description='the section of Olah\'s article it teaches, e.g. "5.1" (§5, step 1)')
    model: str
    compare: str | None = None
    trained: bool
    features: list[str] = Field(description="labelled features that pick its unit, best first")
    label: dict | None = Field(
        None, description="the model's label that picked the unit: unit, layer, vector, feature, r"
    )
    query: str = Field(description="the URL properties the lesson sets; the page's own URL properties override them")


class LessonList(BaseModel):
    lessons: list[LessonSummary]


class Meta(ModelSummary):
    type: Literal["meta"]
    decimals: int


class Prediction(BaseModel):
    token: str
    id: int
    p: float = Field(ge=0, le=1)


class LayerRecord(BaseModel):
    model_config = ConfigDict(extra="allow")  # the cell's states: c, h, ...

    gates: dict[str, Vector]


class Step(LayerRecord):
    type: Literal["step"]
    t: int = Field(ge=0)
    token: str
    token_id: int = Field(ge=0)
    unk: bool
    layers: list[LayerRecord] | None = Field(None, description="one record per layer, bottom first, if several")
    x: Vector | None = Field(None, description="the token's embedding; absent for one-hot inputs")
    predictions: list[Prediction] | None = Field(None, description="next-token guesses, if the model has a decoder")
    trained_guess: bool | None = Field(
        None,
        description="with predictions, for a model that records where it was trained to guess (meta.guesses_after): "
        "whether it was trained to guess after this token; false marks guesses it never learnt to make",
    )


class Trace(BaseModel):
    meta: Meta
    steps: list[Step]

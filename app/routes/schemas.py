"""The JSON the HTTP API answers with, as OpenAPI response models (docs/api.md).

A model's summary, the meta frame and the step frame are defined once, where they are
built (app.models.registry, app.tracing.frames), and used here as they are.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from app.models.registry import BrokenModel, ModelSummary
from app.tracing.frames import Meta, StepFrame


class Health(BaseModel):
    status: Literal["ok"]


class ModelList(BaseModel):
    models: list[ModelSummary | BrokenModel] = Field(
        description="a file that cannot be loaded is listed with its error"
    )


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


class Trace(BaseModel):
    meta: Meta
    steps: list[StepFrame]

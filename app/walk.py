"""The guided walk through the article, and the view a first visit opens on.

The walk is data, in static/walk/: `beats.json` holds each beat's view (a lesson to start
from, or a model and a text; the properties it sets; what to light on the diagram) and,
where the article makes a claim, a question: how many choices, which one the model bears
out, what the view reveals once it is answered, and the evidence (a value of the trace
the answer rests on, checked against the model by tests/test_walk.py). `en.json` and
`zh.json` hold the words: the walk's buttons, each beat's title and text, its question.

A beat's unit is never a number written here: a beat that needs a labelled unit starts
from a lesson, whose unit comes from its model's labels (app/lessons.py). A beat whose
lesson or models are not installed is left out of the walk.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import BaseModel, ConfigDict, Field

PANEL = Annotated[str, Field(pattern=r"^[a-z-]{1,32}$")]
NAME = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class View(Strict):
    """Properties a beat sets (the URL's names, static/js/state.js). No unit, layer or
    vector: those come from a lesson's labels."""

    model: NAME | None = None
    compare: NAME | None = None
    text: Annotated[str, Field(max_length=5000)] | None = None
    t: Annotated[int, Field(ge=0)] | None = None  # absent: the lesson's; null: follow the newest step
    stage: Annotated[int, Field(ge=0, le=4)] | None = None
    panels: tuple[PANEL, ...] | None = None


class Highlight(Strict):
    """What to light on the diagram while no stage of the walk-through is chosen: parts
    (data-part) and strips (vector names), as a stage of app/cells lights them."""

    parts: tuple[NAME, ...]
    vectors: tuple[NAME, ...] = ()


class Evidence(Strict):
    """A fact of the trace an answer rests on, `op` `than`:
    value: `vector` of the beat's unit at step t; magnitude: its size |·|; change: its
    change from step t-1; spread: max − min of the unit's `vector` over steps from..to-1;
    median: of `vector` over all units and those steps; gradient: ‖∂h_T/∂x_t‖ / ‖∂h_T/∂x_T‖
    (T the last step); carried: ‖∂s_T/∂s_t‖ for the carried state s (the LSTM's C);
    top: whether `token` is (or, with is_top false, is not) the model's first guess at
    step t (default: the last)."""

    kind: Literal["value", "magnitude", "change", "spread", "median", "gradient", "carried", "top"]
    model: NAME | None = None  # default: the beat's model
    vector: NAME | None = None  # a gate, c, h or tanh_c
    t: int | None = None
    start: int | None = Field(None, alias="from")
    end: int | None = Field(None, alias="to")
    op: Literal["<", ">"] | None = None
    than: float | None = None
    token: str | None = None
    is_top: bool = True


class Question(Strict):
    choices: Annotated[int, Field(ge=2, le=5)]
    answer: Annotated[int, Field(ge=0)]
    reveal: View  # what the view changes to once answered
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class Reading(Strict):
    href: Annotated[str, Field(pattern=r"^https://[^\s\"'<>]{1,300}$")]
    title: Annotated[str, Field(max_length=200)]


class Beat(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9-]{1,32}$")]
    section: Annotated[str, Field(max_length=8)]  # the article's section, as the walk numbers it
    lesson: NAME | None = None
    view: View = View()
    highlight: Highlight | None = None
    question: Question | None = None
    lessons: tuple[NAME, ...] = ()  # lessons to offer as links, beside the text
    further: tuple[Reading, ...] = ()  # reading beyond the article


class Walk(Strict):
    home: View  # the view a first visit opens on (a link naming no view)
    beats: tuple[Beat, ...]


def walk_dir(static_dir: Path) -> Path:
    return static_dir / "walk"


@lru_cache(maxsize=4)  # read once per folder: every page carries the walk
def load_walk(static_dir: Path) -> Walk:
    return Walk.model_validate(json.loads((walk_dir(static_dir) / "beats.json").read_text(encoding="utf-8")))


def load_words(static_dir: Path, language: str) -> dict:
    return json.loads((walk_dir(static_dir) / f"{language}.json").read_text(encoding="utf-8"))


def view_query(view: View, over: str = "") -> str:
    """The URL properties of `view` over those of the query `over` (a lesson's); a null
    `t` is written empty, which the page reads as "follow the newest step"."""
    properties = dict(parse_qsl(over, keep_blank_values=True))
    for name, value in view.model_dump(exclude_unset=True).items():
        properties[name] = "" if value is None else ",".join(value) if isinstance(value, tuple) else str(value)
    return urlencode(properties)


def models_of(beat: Beat, lesson: dict | None) -> set[str]:
    names = {beat.view.model, beat.view.compare} | ({lesson["model"], lesson["compare"]} if lesson else set())
    if beat.question:
        names |= {beat.question.reveal.model, beat.question.reveal.compare}
        names |= {evidence.model for evidence in beat.question.evidence}
    return {name for name in names if name}


def walk_view(walk: Walk, lessons: list[dict], summaries: list[dict]) -> list[dict]:
    """The beats as the page gets them (its contract's `walk`), in order: those whose
    lesson is offered and whose models load, each with its view as a URL query (over its
    lesson's) and its question's reveal as one."""
    offered = {lesson["id"]: lesson for lesson in lessons}
    usable = {summary["name"] for summary in summaries if not summary.get("error")}
    beats = []
    for beat in walk.beats:
        lesson = offered.get(beat.lesson) if beat.lesson else None
        if (beat.lesson and lesson is None) or not models_of(beat, lesson) <= usable:
            continue
        question = beat.question
        beats.append(
            {
                "id": beat.id,
                "section": beat.section,
                "query": view_query(beat.view, lesson["query"] if lesson else ""),
                "highlight": beat.highlight.model_dump() if beat.highlight else None,
                "question": {
                    "choices": question.choices,
                    "answer": question.answer,
                    "reveal": view_query(question.reveal),
                }
                if question
                else None,
                "lessons": [name for name in beat.lessons if name in offered],
                "further": [reading.model_dump() for reading in beat.further],
            }
        )
    return beats


def home_query(walk: Walk, summaries: list[dict]) -> str | None:
    """The first visit's view, or None (the defaults) when its model is not here."""
    usable = {summary["name"] for summary in summaries if not summary.get("error")}
    return view_query(walk.home) if walk.home.model in usable else None

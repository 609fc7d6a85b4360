"""The page's UI contract: the names and numbers the page, its templates and its links
agree on, written once here and put into every page as data (`<script id="gatescope-ui">`).
The templates render from it; static/js/contract.js reads it; static/js/state.js builds
the view's property table (every URL parameter) from it.

`python -m app.ui` prints it as JSON, with the lessons and the walk the bundled models
offer (the JavaScript unit tests read that).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

from app.lessons import LESSONS, available_lessons
from app.settings import Settings
from app.tracing.whatif import MAX_INTERVENTIONS
from app.training.live import CELLS, TASKS
from app.training.tasks import get_task
from app.walk import home_query, load_walk, walk_view


@dataclass(frozen=True)
class Panel:
    name: str  # data-panel="name" in the page, and the `panels` URL parameter's items
    shown: bool = False  # shown when a link names no panels
    chart: bool = False  # drawn with plotly.js (loaded the first time one is shown)
    recorded: bool = False  # needs the server's answers: an exported file has it only when made with it
    live_only: bool = False  # works only beside the server (training): never in an exported file


PANELS: tuple[Panel, ...] = (
    Panel("walkthrough", shown=True),
    Panel("chain", shown=True),
    Panel("predictions", shown=True),
    Panel("unit-text", shown=True),
    Panel("inspector", chart=True),
    Panel("saturation", chart=True),
    Panel("heatmap", shown=True, chart=True),
    Panel("compare", recorded=True),
    Panel("gradients", chart=True, recorded=True),
    Panel("whatif", recorded=True),
    Panel("train", live_only=True),
)

# Parts of the page a link may hide (`hide=`): data-hideable="name" in the templates.
HIDEABLE: tuple[str, ...] = (
    "header",
    "input",
    "examples",
    "model",
    "controls",
    "tokens",
    "panel-bar",
    "legend",
    "lessons",
)

THEMES: tuple[str, ...] = ("light", "dark")
# Which units the diagram's strips show (`focus=`, static/js/focus.js): all of them, or 16
# around the selected unit, the labelled ones first, the most active, the most changed.
FOCUSES: tuple[str, ...] = ("all", "around", "labelled", "active", "changed")
LANGUAGES: tuple[str, ...] = ("en", "zh")  # one strings table each, static/js/i18n/


class Limits(TypedDict):
    """Bounds of what a link or a host page may ask for: a count, or a [low, high] range."""

    text: int
    model_name: int
    unit: int
    layer: int
    t: int
    speed: list[int]
    interventions: int
    embed_height: list[int]


LIMITS: Limits = {
    "text": 5000,  # characters of text (the text box's maxlength)
    "model_name": 64,  # the stream's limit on a model's name
    "unit": 100_000,
    "layer": 64,
    "t": 1_000_000,
    "speed": [50, 5000],  # milliseconds per step when playing
    "interventions": MAX_INTERVENTIONS,  # clamps, and weight edits, each
    "embed_height": [200, 4000],  # pixels, in the Share dialog's embed builder
}

# Where the Share dialog's embed builder starts, and a host page's rate of set-text traces.
EMBED = {"height": 720, "min_trace_interval_ms": 300}

PLAY_INTERVAL_MS = 450  # milliseconds per step when playing, unless a link sets `speed`


def defaults(settings: Settings) -> dict:
    """The view when a link gives nothing: what state.js's properties default to."""
    return {
        "model": settings.default_model,
        "panels": [panel.name for panel in PANELS if panel.shown],
        "speed": PLAY_INTERVAL_MS,
        "theme": THEMES[0],
    }


# The sentence each snapshot of a training job traces, by task: its lesson's text.
EXAMPLE_LESSON = {"counter": "counter", "long-lag": "french", "agreement": "agreement"}
TEXT_DEFAULTS: dict[str, Any] = {
    "hidden": 64,
    "lr": 2e-3,
    "steps": 500,
    "example": "",
}  # your own text: a small char model


def training_defaults(settings: Settings) -> dict:
    """Each task's start in the Train panel: the recipe of its bundled model (its hidden size,
    learning rate and steps: epochs × batches per epoch), within this server's limits, and its
    lesson's text to trace."""
    lessons = {lesson.id: lesson for lesson in LESSONS}
    defaults = {}
    for name in TASKS:
        start: dict[str, Any]
        if name == "text":
            start = dict(TEXT_DEFAULTS)
        else:
            recipe = get_task(name).recipe
            steps = recipe.epochs * (recipe.samples_per_epoch // recipe.batch) if recipe.epochs else 1000
            start = {
                "hidden": recipe.hidden,
                "lr": recipe.lr,
                "steps": steps,
                "example": lessons[EXAMPLE_LESSON[name]].text,
            }
        start["hidden"] = min(start["hidden"], settings.max_train_hidden)
        start["steps"] = min(start["steps"], settings.max_train_steps)
        defaults[name] = start
    return defaults


def training(settings: Settings) -> dict:
    """What the Train panel offers and the limits WS /ws/train checks."""
    return {
        "tasks": list(TASKS),
        "cells": list(CELLS),
        "defaults": training_defaults(settings),
        "limits": {
            "hidden": settings.max_train_hidden,
            "steps": settings.max_train_steps,
            "text": settings.max_train_text_chars,
            "example": settings.max_train_example_chars,
            "seconds_per_job": settings.train_seconds_per_job,
            "seconds_per_session": settings.train_seconds_per_session,
            "jobs_per_session": settings.train_jobs_per_session,
        },
        "enabled": settings.train_workers > 0,
    }


def contract(
    settings: Settings, lessons: list[dict], walk: Sequence[dict] = (), home: str | None = None, live: bool = True
) -> dict:
    """The contract as the page gets it; `lessons` are those offered (app.lessons.available_lessons),
    `walk` the guided walk's beats and `home` the first visit's view (app.walk); a recording
    (not `live`) has no training to offer."""
    return {
        "panels": [
            {"name": p.name, "shown": p.shown, "chart": p.chart, "recorded": p.recorded, "live_only": p.live_only}
            for p in PANELS
        ],
        "hideable": list(HIDEABLE),
        "themes": list(THEMES),
        "focuses": list(FOCUSES),
        "languages": list(LANGUAGES),
        "limits": LIMITS,
        "embed": EMBED,
        "defaults": defaults(settings),
        "lessons": lessons,
        "walk": list(walk),
        "home": home,
        **({"training": training(settings)} if live else {}),
    }


def served_contract(settings: Settings, summaries: list[dict]) -> dict:
    """The contract an app page carries: with the lessons, the walk and the first visit's
    view that the models here (the registry's `summaries()`) offer."""
    lessons, walk = available_lessons(summaries), load_walk(settings.static_dir)
    return contract(settings, lessons, walk_view(walk, lessons, summaries), home_query(walk, summaries))


if __name__ == "__main__":  # the contract of a server with default settings and the bundled models
    from app.models.registry import ModelRegistry

    print(json.dumps(served_contract(Settings(), ModelRegistry().summaries()), indent=2))

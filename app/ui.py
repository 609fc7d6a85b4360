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
from typing import TypedDict

from app.lessons import available_lessons
from app.settings import Settings
from app.tracing.whatif import MAX_INTERVENTIONS
from app.walk import home_query, load_walk, walk_view


@dataclass(frozen=True)
class Panel:
    name: str  # data-panel="name" in the page, and the `panels` URL parameter's items
    shown: bool = False  # shown when a link names no panels
    chart: bool = False  # drawn with plotly.js (loaded the first time one is shown)
    recorded: bool = False  # needs the server's answers: an exported file has it only when made with it


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


def contract(settings: Settings, lessons: list[dict], walk: Sequence[dict] = (), home: str | None = None) -> dict:
    """The contract as the page gets it; `lessons` are those offered (app.lessons.available_lessons),
    `walk` the guided walk's beats and `home` the first visit's view (app.walk)."""
    return {
        "panels": [{"name": p.name, "shown": p.shown, "chart": p.chart, "recorded": p.recorded} for p in PANELS],
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
    }


def served_contract(settings: Settings, summaries: list[dict]) -> dict:
    """The contract an app page carries: with the lessons, the walk and the first visit's
    view that the models here (the registry's `summaries()`) offer."""
    lessons, walk = available_lessons(summaries), load_walk(settings.static_dir)
    return contract(settings, lessons, walk_view(walk, lessons, summaries), home_query(walk, summaries))


if __name__ == "__main__":  # the contract of a server with default settings and the bundled models
    from app.models.registry import ModelRegistry

    print(json.dumps(served_contract(Settings(), ModelRegistry().summaries()), indent=2))

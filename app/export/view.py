"""What an export shows: the page's URL properties (static/js/state.js, documented in the
README), gathered from a lesson, the page's own address, the command line or a notebook.

A lesson's properties come first and the given ones override them, as `?lesson=` does in
the page (static/js/lessons.js). Most properties are the page's business and go into the
file as they are: the page reads them as it reads its address. Those that decide what is
recorded are checked here: the model and text, the panels, the compared model, the
what-if interventions, the layer, the language and the theme.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from pydantic import ValidationError

from app import ui
from app.lessons import LESSONS, lesson_view
from app.models.registry import ModelRegistry
from app.tracing.whatif import InterventionError, Interventions

PANELS = tuple(p.name for p in ui.PANELS if not p.live_only)  # what a file can hold (training needs the server)
FROM_FRAMES = tuple(p.name for p in ui.PANELS if not p.chart and not p.recorded and not p.live_only)  # the trace alone
CHARTS = tuple(p.name for p in ui.PANELS if p.chart and not p.recorded)  # plotly charts of the trace
RECORDED = tuple(p.name for p in ui.PANELS if p.recorded)  # need the server's answers, recorded into the file
DEFAULT_PANELS = FROM_FRAMES  # no chart: a small file

# The page's URL properties (static/js/state.js) and, for the numbers, their ranges there.
PROPERTIES = "lesson model compare whatif text t unit vector layer stage focus panels hide speed autoplay loop theme lang".split()
RANGES: dict[str, tuple[int, int]] = {
    "t": (0, ui.LIMITS["t"]),
    "unit": (0, ui.LIMITS["unit"]),
    "layer": (0, ui.LIMITS["layer"]),
    "stage": (0, 3),  # the article's four steps
    "speed": (ui.LIMITS["speed"][0], ui.LIMITS["speed"][1]),
}
CHOICES = {"lang": ui.LANGUAGES, "theme": ui.THEMES, "focus": ui.FOCUSES}


class ExportError(ValueError):
    code = "bad_export"


@dataclass(frozen=True)
class ExportView:
    properties: dict[str, str]  # every property the page reads, a lesson's merged under the given ones
    link: dict[str, str]  # the properties as given (a lesson by its id): the live page's address for this view
    text: str
    panels: tuple[str, ...]
    model: str | None = None  # None: the server's default model
    compare: str | None = None  # the Compare panel's model
    whatif: Interventions | None = None
    layer: int | None = None  # None: the top layer
    lesson: str | None = None

    @property
    def query(self) -> str:
        """The address the page in the file starts from."""
        return urlencode(self.properties)


def as_text(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(map(str, value))
    if isinstance(value, Interventions):
        return value.model_dump_json()
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def lesson_properties(lesson_id: str, registry: ModelRegistry) -> dict[str, str]:
    """A lesson's URL properties, its unit looked up in its model's labels (app.lessons)."""
    lesson = next((lesson for lesson in LESSONS if lesson.id == lesson_id), None)
    if lesson is None:
        known = ", ".join(lesson.id for lesson in LESSONS)
        raise ExportError(f"there is no lesson {lesson_id[:40]!r}; the lessons are {known}")
    summary = registry.summary(lesson.model)
    if lesson.compare:
        registry.get(lesson.compare)  # a lesson whose compare model is missing is not offered
    return dict(parse_qsl(lesson_view(lesson, summary)["query"]))


def export_view(given: Mapping[str, object], registry: ModelRegistry) -> ExportView:
    """The view to export from URL-property values (None: not given), a lesson's under them."""
    link = {name: as_text(value) for name, value in given.items() if value is not None}
    unknown = sorted(set(link) - set(PROPERTIES))
    if unknown:
        raise ExportError(f"unknown propert{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}")
    lesson = link.get("lesson")
    properties = {**(lesson_properties(lesson, registry) if lesson else {}), **link}
    properties.pop("lesson", None)
    for name, (low, high) in RANGES.items():
        if name in properties:
            properties[name] = str(whole_number(name, properties[name], low, high))
    for name, allowed in CHOICES.items():
        if name in properties and properties[name] not in allowed:
            raise ExportError(f"{name} is one of {', '.join(allowed)}, not {properties[name][:20]!r}")
    panels = panel_names(properties.get("panels"))
    properties["panels"] = ",".join(panels)
    text = properties.get("text", "").replace("\r\n", "\n").replace("\r", "\n")  # as the page's text box holds it
    properties["text"] = text
    if not text:
        raise ExportError("nothing to read: give a text, or a lesson")
    compare = properties.get("compare") if "compare" in panels else None
    if "compare" in panels and not compare:
        raise ExportError("the Compare panel needs a model to compare with (compare)")
    whatif = interventions(properties.get("whatif"))
    if whatif is not None:
        properties["whatif"] = whatif.model_dump_json()  # as the page will send it back
    else:
        properties.pop("whatif", None)
    layer = properties.get("layer")
    return ExportView(
        properties=properties,
        link=link,
        text=text,
        panels=panels,
        model=properties.get("model"),
        compare=compare,
        whatif=whatif,
        layer=None if layer is None else int(layer),
        lesson=lesson,
    )


def whole_number(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ExportError(f"{name} is a whole number, not {value[:20]!r}") from None
    if not low <= number <= high:
        raise ExportError(f"{name} is from {low} to {high}, not {number}")
    return number


def panel_names(value: str | None) -> tuple[str, ...]:
    if value is None:
        return DEFAULT_PANELS
    names = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in names if name not in PANELS]
    if unknown:
        raise ExportError(f"unknown panel(s) {', '.join(unknown)}; choose from {', '.join(PANELS)}")
    return names


def interventions(value: str | None) -> Interventions | None:
    """What-if interventions from their JSON (the `whatif` property); None when there are none."""
    if not value:
        return None
    try:
        parsed = Interventions.model_validate_json(value)
    except ValidationError as error:
        raise InterventionError(f"whatif: {error.errors()[0]['msg']}") from None
    return parsed or None

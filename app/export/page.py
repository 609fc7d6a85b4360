"""A lesson page: one self-contained HTML file that replays a trace with no server.

It holds the page's styles and scripts (bundled into one module), the recorded frames
(exactly those the live stream would send), and plotly.js only when a chart panel is
shown. Opened from file://, it makes no network request.
"""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import __version__
from app.export.bundle import current_bundle
from app.models.model import Model
from app.settings import Settings
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceSession
from app.ui import contract
from app.vendor import PLOTLY_JS

PANELS = ("walkthrough", "chain", "predictions", "unit-text", "inspector", "saturation", "heatmap")
CHART_PANELS = {"inspector", "saturation", "heatmap"}
DEFAULT_PANELS = ("walkthrough", "chain", "predictions", "unit-text")  # no charts: a small file


class ExportError(ValueError):
    pass


def recorded_frames(model: Model, bundled: bool, text: str, settings: Settings) -> list[dict]:
    """meta, one step per token, done: what WS /ws/trace sends for a start with `text`."""
    session = TraceSession(model, settings.max_tokens_per_message, settings.max_tokens_per_session)
    steps = session.run(session.tokenize(text))
    return [
        meta_frame(model, bundled, settings.decimals),
        *(step_frame(model, step, settings.decimals, settings.top_k) for step in steps),
        {"type": "done", "steps": len(steps), "total": len(steps)},
    ]


def script_json(value) -> str:
    """JSON safe inside <script>: no "</script>" or "<!--" can end or bend the element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def render_lesson(
    model: Model,
    bundled: bool,
    text: str,
    settings: Settings,
    panels: tuple[str, ...] = DEFAULT_PANELS,
    view: dict | None = None,
) -> str:
    unknown = [p for p in panels if p not in PANELS]
    if unknown:
        raise ExportError(f"unknown view(s) {', '.join(unknown)}; choose from {', '.join(PANELS)}")
    frames = recorded_frames(model, bundled, text, settings)
    query = urlencode({**(view or {}), "panels": ",".join(panels)})
    recording = {"meta": frames[0], "text": text, "frames": frames, "query": query}
    environment = Environment(loader=FileSystemLoader(settings.templates_dir), autoescape=select_autoescape())
    return environment.get_template("export.html").render(
        mode="recording",
        default_model=model.name,
        model=model.name,
        text_preview=text if len(text) <= 40 else text[:39] + "…",
        version=__version__,
        made_on=dt.date.today().isoformat(),
        css=(settings.static_dir / "css" / "app.css").read_text(encoding="utf-8"),
        bundle_js=current_bundle(settings.static_dir / "js").replace("</script", "<\\/script"),
        plotly_js=PLOTLY_JS.read_text(encoding="utf-8") if CHART_PANELS & set(panels) else None,
        recording_json=script_json(recording),
        ui=contract(settings, []),
    )

"""A lesson page: one self-contained HTML file that replays a view with no server.

It holds the page's styles and scripts (bundled into one module), the recording
(app.export.recording) and plotly.js only when a panel shown needs it. Opened from
file://, it makes no network request. A notebook stores the styles and scripts once
for all its views (app.notebook): its pages carry a loader in their place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app import __version__
from app.export.bundle import current_bundle
from app.export.compact import compact_css
from app.export.recording import record
from app.export.view import ExportView
from app.models.registry import ModelRegistry
from app.settings import Settings
from app.ui import contract
from app.vendor import PLOTLY_JS


def script_json(value) -> str:
    """JSON safe inside <script>: no "</script>" or "<!--" can end or bend the element."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")


def script_text(code: str) -> str:
    """JavaScript safe inside <script>: "</script" is written "<\\/script", the same in JS."""
    return code.replace("</script", "<\\/script")


@dataclass(frozen=True)
class Asset:
    """Styles and scripts a page installs: `css`, classic `script`, then the `module`."""

    css: str = ""
    script: str = ""
    module: str = ""

    @cached_property
    def key(self) -> str:
        digest = hashlib.sha256("\0".join((self.css, self.script, self.module)).encode()).hexdigest()
        return f"gatescope-{digest[:16]}"

    def as_json(self) -> dict:
        return {name: value for name, value in vars(self).items() if name in ("css", "script", "module") and value}


def page_assets(settings: Settings, plotly: bool) -> list[Asset]:
    """plotly.js (when asked for), then the page's styles and its modules bundled."""
    page = Asset(
        css=compact_css((settings.static_dir / "css" / "app.css").read_text(encoding="utf-8")),
        module=current_bundle(settings.static_dir / "js", recording=True),
    )
    return [Asset(script=PLOTLY_JS.read_text(encoding="utf-8")), page] if plotly else [page]


@dataclass(frozen=True)
class LessonPage:
    view: ExportView
    recording: dict
    assets: list[Asset]
    model: str  # the main model's name
    live_url: str | None  # the live page for the same view, when the server's address is known

    @property
    def filename(self) -> str:
        return f"gatescope-{self.view.lesson or self.model}.html"

    def html(self, settings: Settings, loader: str | None = None) -> str:
        """The page with its assets inline, or, given a `loader` script, with that script
        to fetch them instead (a notebook's views share them)."""
        text = self.view.text
        environment = Environment(loader=FileSystemLoader(settings.templates_dir), autoescape=select_autoescape())
        return environment.get_template("export.html").render(
            mode="recording",
            default_model=self.model,
            model=self.model,
            text_preview=text if len(text) <= 40 else text[:39] + "…",
            version=__version__,
            made_on=dt.date.today().isoformat(),
            live_url=self.live_url,
            recording_json=script_json(self.recording),
            assets=None if loader else self.assets,
            loader=script_text(loader) if loader else None,
            script_text=script_text,
            ui=contract(
                settings, [], live=False
            ),  # the UI contract, as the app's pages carry it (no lessons: no links)
        )


def lesson_page(
    registry: ModelRegistry, settings: Settings, view: ExportView, public_url: str | None = None
) -> LessonPage:
    """Record `view` (raising what starting a trace raises) and gather what its page needs.
    `public_url`: the server's address, for the page's link to the live version."""
    recording = record(registry, settings, view)
    live_url = f"{public_url.rstrip('/')}/?{urlencode(view.link)}" if public_url else None
    model = recording["traces"][0]["meta"]["model"]
    return LessonPage(view, recording, page_assets(settings, recording["plotly"]), model, live_url)

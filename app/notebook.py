"""Show a Gatescope view inline in Jupyter, JupyterLab or VS Code:

    from app.notebook import show
    show("lstm-demo", "I grew up in France")

The output is the exported lesson page inside an <iframe srcdoc>: it needs no server,
no requirejs and no CDN, and its scripts cannot clash with the notebook's.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from app.export.page import DEFAULT_PANELS, check_panels, render_lesson
from app.models.registry import ModelRegistry
from app.settings import get_settings
from app.tracing.start import start_trace


@dataclass(frozen=True)
class LessonView:
    page: str  # the self-contained HTML
    height: int = 900

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" style="width:100%;height:{self.height}px;border:0" '
            'sandbox="allow-scripts" title="Gatescope: an LSTM reading text"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        Path(path).write_text(self.page, encoding="utf-8")
        return Path(path)


def show(
    model: str = "lstm-demo", text: str = "I grew up in France", views=DEFAULT_PANELS, height: int = 900
) -> LessonView:
    """A view of `model` (a name, or a path to a .npz file) reading `text`; `views` names
    the panels to show. Refuses what the app would (app.tracing.start's errors)."""
    settings = get_settings()
    panels = check_panels(tuple(views))
    started = start_trace(ModelRegistry.for_settings(settings), settings, model, text, paths=True)
    return LessonView(render_lesson(started, text, settings, panels), height)

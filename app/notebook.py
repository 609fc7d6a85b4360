"""Show a Gatescope view inline in Jupyter, JupyterLab or VS Code:

    from app.notebook import show
    show(lesson="counter")
    show("lstm-demo", "I grew up in France", views="walkthrough", lang="zh")

A view is the exported lesson page (app.export) in a sandboxed <iframe srcdoc>: it needs no
server, no requirejs and no CDN, and its scripts cannot clash with the notebook's. The
iframe takes the height of its content.

The page's styles and scripts (and plotly.js, for charts) are stored once per notebook,
not once per view: the first view of this Python session that needs them carries them in
its output, and every view's iframe asks the notebook for them (static/notebook-frame.js
asks, static/notebook-output.js answers). A notebook of many views stays small; `save()`
writes a view as one self-contained file.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from pathlib import Path

from app.cli import export_registry
from app.export.page import Asset, LessonPage, lesson_page, script_json, script_text
from app.export.view import export_view
from app.settings import Settings, get_settings

FIRST_HEIGHT = 600  # pixels, until the page reports its own
_stored: dict[str, str | None] = {}  # asset key -> the cell whose output carries it (None: not known)


def _script(settings: Settings, name: str) -> str:
    return script_text((settings.static_dir / name).read_text(encoding="utf-8"))


@dataclass
class LessonView:
    lesson: LessonPage
    settings: Settings
    height: int | None = None  # None: the height of its content

    def __repr__(self) -> str:
        model, text = self.lesson.model, self.lesson.view.text
        shown = text if len(text) <= 30 else text[:29] + "…"
        return f"<Gatescope view: {model} reading {shown!r}, panels {','.join(self.lesson.view.panels) or 'none'}>"

    @property
    def page(self) -> str:
        """The self-contained page (what `save` writes)."""
        return self.lesson.html(self.settings)

    def save(self, path: str | Path) -> Path:
        Path(path).write_text(self.page, encoding="utf-8")
        return Path(path)

    def _repr_html_(self) -> str:
        assets = self.lesson.assets
        cell = _running_cell()
        # The first output to need them carries them; when its cell runs again, its output
        # is replaced, so it carries them again.
        carrying = [a for a in assets if a.key not in _stored or (cell is not None and _stored[a.key] == cell)]
        _stored.update({asset.key: cell for asset in carrying})
        carried = "".join(_carrier(asset) for asset in carrying)
        frame = self.lesson.html(self.settings, loader=_script(self.settings, "notebook-frame.js"))
        fit = " data-gatescope-fit" if self.height is None else ""
        return (
            f'<div class="gatescope-view">{carried}'
            f'<iframe srcdoc="{html.escape(frame, quote=True)}" sandbox="allow-scripts"'
            f' data-gatescope-assets="{" ".join(asset.key for asset in assets)}"{fit}'
            f' style="width:100%;height:{self.height or FIRST_HEIGHT}px;border:0"'
            ' title="Gatescope: an LSTM reading text"></iframe>'
            f"<script>{_script(self.settings, 'notebook-output.js')}</script></div>"
        )


def _running_cell() -> str | None:
    """The notebook's id of the cell running, where the front end sends it (JupyterLab,
    Jupyter Notebook 7 and VS Code put it in the request's metadata as cellId)."""
    shell = sys.modules["IPython"].get_ipython() if "IPython" in sys.modules else None
    kernel = getattr(shell, "kernel", None)
    parent = kernel.get_parent() if kernel is not None and hasattr(kernel, "get_parent") else {}
    return (parent.get("metadata") or {}).get("cellId")


def _carrier(asset: Asset) -> str:
    return f'<script type="application/json" data-gatescope-asset="{asset.key}">{script_json(asset.as_json())}</script>'


def show(
    model: str | None = None,
    text: str | None = None,
    views: str | list[str] | tuple[str, ...] | None = None,
    *,
    lesson: str | None = None,
    compare: str | None = None,
    t: int | None = None,
    unit: int | None = None,
    stage: int | None = None,
    layer: int | None = None,
    lang: str | None = None,
    theme: str | None = None,
    height: int | None = None,
) -> LessonView:
    """A view of `model` reading `text`, or of a `lesson` (its own model, text and panels,
    under any given here). `views`: the panels, as "walkthrough,chain" or a list; `t`, `unit`,
    `stage`, `layer`: where it opens; `lang` "en" or "zh"; `theme` "light" or "dark";
    `height` in pixels (default: the height of its content)."""
    settings = get_settings()
    registry, name = export_registry(model, settings)
    if lesson is None and text is None:
        text = "I grew up in France"
    panels = views if views is None or isinstance(views, str) else ",".join(views)
    given: dict[str, object] = {"lesson": lesson, "model": name, "text": text, "panels": panels, "compare": compare}
    given |= {"t": t, "unit": unit, "stage": stage, "layer": layer, "lang": lang, "theme": theme}
    page = lesson_page(registry, settings, export_view(given, registry), settings.public_url)
    return LessonView(page, settings, height)

"""The size of exported lesson files: every lesson as it opens and walkthrough-only, the
default view walkthrough-only, and a notebook of two views against one view's page.

    .venv/bin/python -m benchmarks.export_sizes
"""

from __future__ import annotations

from app import notebook
from app.export.page import lesson_page
from app.export.view import export_view
from app.lessons import LESSONS
from app.models.registry import ModelRegistry
from app.settings import get_settings


def size(registry: ModelRegistry, **given) -> tuple[int, bool]:
    settings = get_settings()
    page = lesson_page(registry, settings, export_view(given, registry))
    return len(page.html(settings).encode()), page.recording["plotly"]


def kb(n: int) -> str:
    return f"{n / 1024:,.0f} KB"


def main() -> None:
    registry = ModelRegistry()
    default, _ = size(registry, model="lstm-demo", text="I grew up in France", panels="walkthrough")
    print(f"| default view (lstm-demo, 'I grew up in France'), walkthrough only | {kb(default)} |")
    print("| lesson | H | as it opens | walkthrough only |\n|---|---|---|---|")
    for lesson in LESSONS:
        whole, plotly = size(registry, lesson=lesson.id)
        alone, _ = size(registry, lesson=lesson.id, panels="walkthrough")
        hidden = registry.get(lesson.model).hidden_size
        print(f"| {lesson.id} | {hidden} | {kb(whole)}{' (plotly.js)' if plotly else ''} | {kb(alone)} |")
    views = [notebook.show("lstm-demo", "I grew up in France", views="walkthrough"), notebook.show(lesson="agreement")]
    outputs = sum(len(view._repr_html_().encode()) for view in views)
    print(f"| notebook outputs of two views | {kb(outputs)} (one view's page: {kb(len(views[0].page.encode()))}) |")


if __name__ == "__main__":
    main()

"""Gatescope views in notebooks: a real .ipynb built with nbformat, executed in a Jupyter
kernel (nbclient, ipykernel), measured, converted to HTML by nbconvert and opened in
Chromium with the network blocked; each view in its sandboxed iframe, sized to its content."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from playwright.sync_api import expect

from app import notebook
from app.notebook import show
from tests.e2e.test_exports import offline, page_errors

ROOT = Path(__file__).resolve().parents[2]
BUNDLE_MARK = "const __main = "  # once in the page's bundled modules


@pytest.fixture
def fresh_session(monkeypatch):
    monkeypatch.setattr(notebook, "_stored", {})


def expect_view_shown(page, index: int, position: str):
    frame = page.locator("iframe").nth(index)
    frame.scroll_into_view_if_needed()  # Chromium draws an off-screen cross-origin frame only when seen
    view = page.frame_locator("iframe").nth(index)
    expect(view.get_by_test_id("position")).to_have_text(position)
    expect(view.get_by_test_id("diagram")).to_be_visible()
    # the iframe is as tall as its page: nothing clipped, no fixed 900 px
    inner = (
        frame.element_handle()
        .content_frame()
        .evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    )
    expect(frame).to_have_js_property("offsetHeight", inner)


def test_two_views_share_the_page_and_fit_their_content(page, tmp_path, fresh_session):
    errors = page_errors(page)
    blocked = offline(page)
    outputs = [show("lstm-demo", "ab", views="walkthrough"), show("lstm-demo", "the sky", views=["chain"], lang="zh")]
    cells = "".join(f"<h2>Out[{n}]:</h2>{view._repr_html_()}" for n, view in enumerate(outputs, 1))
    (tmp_path / "notebook.html").write_text(f'<html><head><meta charset="utf-8"></head><body>{cells}</body></html>')
    page.goto((tmp_path / "notebook.html").as_uri())
    expect_view_shown(page, 0, "t = 1 of 1")
    expect_view_shown(page, 1, "t = 6（共 6）")
    assert blocked == [] and errors == []


def test_a_real_notebook_stores_the_page_once_and_plays_offline(page, tmp_path):
    cells = [
        'from app.notebook import show\nshow("lstm-demo", "I grew up in France", views="walkthrough")',
        'show(lesson="agreement", views=["walkthrough", "chain"], theme="dark")',
    ]
    book = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in cells])
    NotebookClient(book, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    path = tmp_path / "views.ipynb"
    nbformat.write(book, path)
    stored = path.read_text()
    assert stored.count(BUNDLE_MARK) == 1  # two views, one copy of the page's scripts
    one_page = show("lstm-demo", "I grew up in France", views="walkthrough").page
    print(
        f"notebook of two views: {len(stored.encode()) / 1024:.0f} KB; one view's page: {len(one_page) / 1024:.0f} KB"
    )
    assert len(stored.encode()) < 1.6 * len(one_page.encode())
    for cell in book.cells:  # a plain prompt's repr: one line
        (output,) = cell.outputs
        assert output["data"]["text/plain"].startswith("<Gatescope view:") and "\n" not in output["data"]["text/plain"]

    html, _ = HTMLExporter().from_notebook_node(book)
    (tmp_path / "views.html").write_text(html, encoding="utf-8")
    errors = page_errors(page)
    blocked = offline(page)
    page.goto((tmp_path / "views.html").as_uri())
    expect_view_shown(page, 0, "t = 18 of 18")
    expect_view_shown(page, 1, "t = 11 of 16")
    expect(page.frame_locator("iframe").nth(1).locator("html")).to_have_attribute("data-theme", "dark")
    # nbconvert's own template asks CDNs for require.js and MathJax (blocked here); the views ask nothing
    assert all("cdn" in url or "mathjax" in url.lower() for url in blocked), blocked
    assert [error for error in errors if "Failed to load resource" not in error] == []

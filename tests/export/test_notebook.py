import re

import pytest

from app import notebook
from app.export.view import ExportError
from app.notebook import show


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch):
    """Each test is a new Python session: no output carries the page's assets yet."""
    monkeypatch.setattr(notebook, "_stored", {})


def carried_keys(html: str) -> list[str]:
    return re.findall(r'<script type="application/json" data-gatescope-asset="(gatescope-[0-9a-f]{16})">', html)


def test_the_repr_in_a_plain_prompt_is_one_line():
    text = repr(show("lstm-demo", "I grew up in France, where the weather was nice"))
    assert "\n" not in text and len(text) < 200
    assert text.startswith("<Gatescope view: lstm-demo reading 'I grew up in France, where th…'")


def test_views_take_a_string_or_a_list():
    assert show("lstm-demo", "ab", views="walkthrough").lesson.view.panels == ("walkthrough",)
    assert show("lstm-demo", "ab", views="walkthrough,chain").lesson.view.panels == ("walkthrough", "chain")
    assert show("lstm-demo", "ab", views=["chain", "heatmap"]).lesson.view.panels == ("chain", "heatmap")
    with pytest.raises(ExportError, match="unknown panel"):
        show("lstm-demo", "ab", views=["walkthroughs"])


def test_show_takes_a_lesson_and_the_view_around_it():
    view = show(lesson="counter", t=2, unit=1, stage=3, lang="zh", theme="dark")
    properties = view.lesson.view.properties
    assert properties["model"] == "counter" and properties["text"] == "(()(()))("
    assert (properties["t"], properties["unit"], properties["stage"]) == ("2", "1", "3")
    assert (properties["lang"], properties["theme"]) == ("zh", "dark")


def test_the_notebook_stores_the_page_once_however_many_views():
    first = show("lstm-demo", "ab", views="walkthrough")._repr_html_()
    second = show("lstm-demo", "the sky", views="chain")._repr_html_()
    (key,) = carried_keys(first)
    assert carried_keys(second) == []  # it asks the notebook for the first view's
    assert f'data-gatescope-assets="{key}"' in second
    assert len(second.encode()) < 60_000 < 150_000 < len(first.encode())
    assert "require" not in second.split("gatescope-recording")[0]  # no requirejs


def test_plotly_is_stored_once_too_and_only_for_charts():
    plain = show("lstm-demo", "ab", views="walkthrough")._repr_html_()
    charts = show("lstm-demo", "ab", views="heatmap")._repr_html_()
    more_charts = show("lstm-demo", "abc", views="inspector")._repr_html_()
    assert "plotly.js v" not in plain
    assert len(carried_keys(charts)) == 1 and "plotly.js v" in charts  # the page's assets are in the first
    assert carried_keys(more_charts) == [] and "plotly.js v" not in more_charts


def test_the_view_fits_its_content_unless_given_a_height():
    fitting = show("lstm-demo", "ab")._repr_html_()
    fixed = show("lstm-demo", "ab", height=500)._repr_html_()
    assert "data-gatescope-fit" in fitting and "data-gatescope-fit" not in fixed
    assert "height:500px" in fixed and 'sandbox="allow-scripts"' in fixed


def test_save_writes_the_whole_page(tmp_path):
    path = show("lstm-demo", "ab").save(tmp_path / "view.html")
    page = path.read_text()
    assert '<script type="module">' in page and "data-gatescope-asset" not in page


def test_a_cell_run_again_carries_the_page_again(monkeypatch):
    cell = ["cell-1"]
    monkeypatch.setattr(notebook, "_running_cell", lambda: cell[0])
    assert carried_keys(show("lstm-demo", "ab")._repr_html_())
    cell[0] = "cell-2"
    assert carried_keys(show("lstm-demo", "ab")._repr_html_()) == []
    cell[0] = "cell-1"  # its output, which held them, is replaced by this one
    assert carried_keys(show("lstm-demo", "ab")._repr_html_())

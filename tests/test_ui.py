"""The UI contract (app/ui.py) is written once, in Python, and every page carries it: the
templates render their panels, toggles, hideable parts and limits from it, and the
page's scripts read it (state.js builds the URL's property table from it)."""

import json
import re
from pathlib import Path

from app.settings import Settings
from app.ui import HIDEABLE, PANELS, contract, served_contract


def page_contract(text: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="gatescope-ui">(.*?)</script>', text).group(1))


def test_every_page_carries_the_contract_with_the_lessons_and_walk_offered_here(client):
    app = client.app
    expected = served_contract(app.state.settings, app.state.registry.summaries())
    for path in ("/", "/embed?text=ab"):
        assert page_contract(client.get(path).text) == json.loads(json.dumps(expected))
    assert expected["defaults"]["model"] == app.state.settings.default_model


def test_the_page_renders_its_panels_and_toggles_from_the_contract(client):
    page = client.get("/").text
    sections = dict(re.findall(r'<(?:section|aside)[^>]*data-panel="([a-z-]+)"([^>]*)>', page))
    assert set(sections) == {p.name for p in PANELS}
    for panel in PANELS:
        attributes = sections[panel.name]
        assert (" hidden" in attributes) == (not panel.shown), panel.name
        assert "data-live-only" not in attributes, panel.name  # a recording keeps the panels it was made with
    toggles = re.findall(r'<button type="button" data-toggle="([a-z-]+)"[^>]*aria-pressed="(true|false)"', page)
    assert toggles == [(p.name, str(p.shown).lower()) for p in PANELS]
    builder = re.findall(r'<input type="checkbox" name="panels" value="([a-z-]+)"', page)
    assert builder == [p.name for p in PANELS]


def test_the_hideable_parts_are_those_the_pages_mark(client):
    marked = set()
    for path in ("/", "/embed"):
        for names in re.findall(r'data-hideable="([^"]+)"', client.get(path).text):
            marked |= set(names.split())
    assert marked == set(HIDEABLE)
    offered = re.findall(r'<input type="checkbox" name="hide" value="([a-z-]+)"', client.get("/").text)
    assert offered == list(HIDEABLE)


def test_the_text_limit_is_the_contracts(client_with):
    client = client_with()
    limit = contract(Settings(), [])["limits"]["text"]
    assert f'maxlength="{limit}"' in client.get("/").text


def test_the_javascript_takes_names_and_defaults_from_the_contract_alone():
    """No list of panels, hideable parts or default speed written again in the page's scripts."""
    js = Path(__file__).parents[1] / "static" / "js"
    for path in js.rglob("*.js"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r'"walkthrough",\s*"chain"', source), path
        assert not re.search(r'"header",\s*"input"', source), path
        assert "PLAY_INTERVAL" not in source and "maxLength = 5000" not in source, path

"""Exported lessons from file:// with the network blocked: every lesson shows every panel it
was made with; the page's Export says the size, keeps language and theme, shows refusals."""

import json
from urllib.parse import urlencode

import httpx2
import pytest
from playwright.sync_api import expect

from app.lessons import LESSONS


def offline(page):
    """Block every request that is not for a file; return the list of those blocked."""
    blocked = []

    def only_files(route):
        if route.request.url.startswith("file:"):
            return route.continue_()
        blocked.append(route.request.url)
        return route.abort()

    page.route("**/*", only_files)
    return blocked


def page_errors(page):
    """Errors the page logs or throws, as they come."""
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def save_export(server_url, tmp_path, **params) -> str:
    response = httpx2.get(f"{server_url}/api/export", params=params, timeout=60)
    assert response.status_code == 200, response.text
    path = tmp_path / "lesson.html"
    path.write_bytes(response.content)
    return path.as_uri()


def expect_panel_drawn(page, name: str, lesson=None):
    """The panel is shown and holds what it draws."""
    by_id = page.get_by_test_id
    if name == "walkthrough":
        expect(by_id("walkthrough")).to_be_visible()
        expect(by_id("stage-title")).not_to_be_empty()  # (a cell without gates has no numbers to walk through)
    elif name == "chain":
        expect(page.get_by_test_id("chain-svg")).to_be_visible()
    elif name == "predictions":
        expect(page.locator('[data-testid="predictions"] [data-testid="prediction"]').first).to_be_visible()
    elif name == "unit-text":
        expect(by_id("unit-text")).to_be_visible()
        expect(by_id("unit-text")).not_to_be_empty()
    elif name in ("inspector", "saturation", "heatmap"):
        expect(page.locator(f'[data-testid="{name}"] .main-svg').first).to_be_visible()
    elif name == "compare":
        expect(by_id("compare-diagram")).to_be_visible()
        expect(by_id("compare-status")).to_contain_text("steps traced")
        expect(page.locator('[data-testid="compare-predictions"] [data-testid="prediction"]').first).to_be_visible()
    elif name == "gradients":
        models = ",".join(dict.fromkeys(m for m in (lesson.model, lesson.compare) if m))
        expect(by_id("gradients")).to_have_attribute("data-models", models)
        expect(page.locator('[data-testid="gradients"] .main-svg').first).to_be_visible()
    else:
        raise AssertionError(f"no check for the panel {name}")


@pytest.mark.parametrize("lesson", LESSONS, ids=[lesson.id for lesson in LESSONS])
def test_every_lessons_export_plays_offline_and_shows_every_panel_it_was_made_with(lesson, page, server_url, tmp_path):
    errors = page_errors(page)
    url = save_export(server_url, tmp_path, lesson=lesson.id)
    blocked = offline(page)
    page.goto(url)
    expect(page.get_by_test_id("status")).to_contain_text("a recording of")
    for name in lesson.panels:
        expect_panel_drawn(page, name, lesson)
    # Every panel button it offers works offline: turn each on and see it drawn.
    for toggle in page.locator("[data-toggle]").all():
        if toggle.get_attribute("aria-pressed") != "true":
            toggle.click()
            expect_panel_drawn(page, toggle.get_attribute("data-toggle"), lesson)
    page.get_by_test_id("token").first.click()
    expect(page.get_by_test_id("position")).to_contain_text("t = 0 of")
    assert blocked == [] and errors == []


def test_an_export_without_charts_offers_no_chart_and_no_server_panel(page, server_url, tmp_path):
    url = save_export(server_url, tmp_path, text="the sky", panels="walkthrough")
    offline(page)
    page.goto(url)
    expect(page.get_by_test_id("status")).to_have_text("a recording of 7 steps")
    toggles = [toggle.get_attribute("data-toggle") for toggle in page.locator("[data-toggle]").all()]
    assert toggles == ["walkthrough", "chain", "predictions", "unit-text"]
    assert page.locator("[data-panel=heatmap], [data-panel=compare], [data-panel=gradients]").count() == 0


def test_an_export_with_interventions_shows_them_and_what_they_hold(page, server_url, tmp_path):
    whatif = {"clamps": [{"vector": "f", "value": 0, "unit": 3, "start": 1, "layer": None}], "weights": []}
    url = save_export(server_url, tmp_path, text="the sky", panels="walkthrough,whatif", whatif=json.dumps(whatif))
    errors = page_errors(page)
    blocked = offline(page)
    page.goto(url)
    expect(page.get_by_test_id("status")).to_have_text("a recording of 7 steps")
    expect(page.get_by_test_id("whatif-item")).to_have_count(1)
    expect(page.locator('[data-testid="strip-f"] rect.unit.held')).to_have_count(1)
    expect(page.get_by_test_id("whatif-add")).to_be_hidden()  # they would need a server to trace again
    expect(page.get_by_test_id("whatif-undo")).to_be_hidden()
    expect(page.locator('[data-testid="whatif-item"] button')).to_be_hidden()
    assert blocked == [] and errors == []


def test_the_pages_export_says_the_size_and_keeps_language_and_theme(page, server_url, tmp_path):
    page.goto(f"{server_url}/?lesson=french&lang=zh&theme=dark")
    expect(page.get_by_test_id("compare-status")).to_contain_text("13")
    page.get_by_test_id("export").click()
    size = page.get_by_test_id("export-size")
    expect(size).to_contain_text("MB")  # Gradient flow and the lag curve need plotly.js
    page.get_by_test_id("export-panel-gradients").uncheck()
    page.get_by_test_id("export-panel-compare").uncheck()
    expect(size).to_contain_text("KB")
    # the page's modules (every cell's diagram and walk-through, both languages: ~210 KB) and the recording
    assert int(size.get_attribute("data-bytes")) < 300_000
    with page.expect_download() as download:
        page.get_by_test_id("export-save").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name in (
        "gatescope-french.html",
        "gatescope-long-lag-lstm.html",
    )  # by the lesson, if the address names it

    file_page = page.context.new_page()
    offline(file_page)
    file_page.goto(saved.as_uri())
    expect(file_page.locator("html")).to_have_attribute("data-theme", "dark")
    expect(file_page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(file_page.get_by_test_id("toggle-predictions")).to_have_attribute("aria-pressed", "true")
    expect(file_page.get_by_test_id("toggle-compare")).to_have_count(0)


def test_an_export_the_server_refuses_is_said_in_the_page(page, server_url):
    whatif = json.dumps({"clamps": [{"vector": "f", "value": 1, "unit": 999}]})
    page.goto(f"{server_url}/?{urlencode({'text': 'ab', 'whatif': whatif})}")
    expect(page.get_by_test_id("error")).to_contain_text("unit 999")
    page.get_by_test_id("export").click()
    expect(page.get_by_test_id("export-error")).to_contain_text("Could not export: unit 999 is out of range")
    assert page.get_by_test_id("export-save").get_attribute("href") is None
    assert page.url.startswith(server_url + "/?")  # never navigated to the API's JSON

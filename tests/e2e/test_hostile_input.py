"""Markup from a user, a link or a model file is shown as text and never runs; the page
works under its own Content-Security-Policy; an idle connection comes back by itself."""

from __future__ import annotations

from urllib.parse import quote

import numpy as np
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from app.models.format import model_to_arrays
from tests.helpers import tiny_model
from tests.live_server import live_server

PAYLOAD = '<img src=x onerror="window.__xss=1">'
IDLE_SECONDS = 3


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """A server with a model whose vocabulary and description hold markup, predicted first."""
    models = tmp_path_factory.mktemp("models")
    arrays = model_to_arrays(tiny_model(name="xss"))
    vocab = list(arrays["vocab"])
    vocab[-1] = PAYLOAD  # replaces "." : the last entry
    arrays["vocab"] = np.array(vocab)
    arrays["decoder.bias"][-1] = 50.0  # the markup is every step's top guess
    arrays["description"] = np.array(f"A model <b>described</b> with {PAYLOAD}")
    np.savez(models / "xss.npz", **arrays)
    with live_server({"GATESCOPE_MODELS": str(models), "GATESCOPE_IDLE_SECONDS": str(IDLE_SECONDS)}) as server:
        yield server.url


@pytest.fixture
def csp_errors(page):
    """Console errors the page's Content-Security-Policy caused."""
    errors = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def assert_nothing_ran(page):
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img").count() == 0


def test_markup_typed_in_the_text_box_is_shown_as_text(page, hostile_server, csp_errors):
    page.goto(f"{hostile_server}/?model=lstm-demo")  # the char demo, empty: a link naming its model
    expect(page.get_by_test_id("status")).to_have_text("0 steps traced")
    typed = PAYLOAD + "<b>x</b>"  # under 60 tokens: the heatmap labels its columns with them
    page.get_by_test_id("text-input").press_sequentially(typed, delay=5)
    expect(page.get_by_test_id("token")).to_have_count(len(typed))
    expect(page.get_by_test_id("token").first).to_have_text("<")
    expect(page.locator('[data-testid="heatmap"] .xtick text').first).to_have_text("<")
    expect(page.locator('[data-testid="heatmap"] .xtick text').nth(len(PAYLOAD) + 1)).to_have_text("b")
    assert_nothing_ran(page)
    assert csp_errors == []


def test_markup_in_url_parameters_is_shown_as_text(page, hostile_server):
    text = "<svg onload=window.__xss=3>"
    page.goto(f"{hostile_server}/?model={quote(PAYLOAD)}&text={quote(text)}")
    expect(page.get_by_test_id("text-input")).to_have_value(text)
    expect(page.get_by_test_id("token")).to_have_count(len(text))
    expect(page.get_by_test_id("model-select")).to_have_value("lstm-demo")  # an unknown name: the default
    assert page.locator("svg[onload]").count() == 0
    assert_nothing_ran(page)


def test_a_models_vocabulary_and_description_are_shown_as_text(page, hostile_server, csp_errors):
    page.goto(f"{hostile_server}/?model=xss&text=ab")
    expect(page.get_by_test_id("token")).to_have_count(2)
    expect(page.get_by_test_id("prediction").first).to_contain_text(PAYLOAD.replace(" ", "␣"))  # spaces shown
    expect(page.get_by_test_id("model-info")).to_have_text(f"A model <b>described</b> with {PAYLOAD}")
    assert page.locator('[data-testid="model-info"] b').count() == 0
    assert_nothing_ran(page)
    assert csp_errors == []


def test_the_page_and_its_heatmap_run_under_the_content_security_policy(page, hostile_server, csp_errors):
    page.goto(f"{hostile_server}/?model=lstm-demo")  # the char demo, empty: a link naming its model
    page.get_by_test_id("text-input").press_sequentially("I grew up", delay=10)
    expect(page.get_by_test_id("token")).to_have_count(9)
    heatmap = page.locator('[data-testid="heatmap"] .main-svg').first
    expect(heatmap).to_be_visible()
    box = heatmap.bounding_box()
    assert box["height"] > 200 and box["width"] > 300  # laid out, not collapsed
    assert csp_errors == []
    with pytest.raises(PlaywrightError):  # and an injected inline script is refused
        page.add_script_tag(content="window.__xss = 'inline'")
    assert page.evaluate("() => window.__xss") is None


def test_an_idle_connection_reconnects_when_the_user_types_again(page, hostile_server):
    page.goto(f"{hostile_server}/?model=lstm-demo")  # the char demo, empty: a link naming its model
    box = page.get_by_test_id("text-input")
    box.press_sequentially("ab", delay=10)
    expect(page.get_by_test_id("status")).to_have_text("2 steps traced")
    expect(page.get_by_test_id("status")).to_have_text("idle: reconnects when you type", timeout=IDLE_SECONDS * 3000)
    box.press_sequentially("c")
    expect(page.get_by_test_id("status")).to_have_text("3 steps traced")
    expect(page.get_by_test_id("token")).to_have_count(3)
    expect(page.get_by_test_id("error")).to_be_hidden()

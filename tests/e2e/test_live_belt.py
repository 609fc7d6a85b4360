"""A student's first minute: type a sentence, watch the belt, scrub through time."""

import re

import httpx2
from playwright.sync_api import expect

from tests.e2e.shown import hovered_value, shows

SENTENCE = "I grew up in France"


def open_app(page, server_url):
    page.goto(f"{server_url}/?model=lstm-demo")  # the untrained demo, with no text: a link that names its model
    expect(page.get_by_test_id("model-shape")).to_contain_text("LSTM · 1 layer × 16 units · char tokens")
    expect(page.get_by_test_id("status")).to_have_text("0 steps traced")


def type_sentence(page, text=SENTENCE):
    page.get_by_test_id("text-input").press_sequentially(text, delay=20)
    expect(page.get_by_test_id("token")).to_have_count(len(text))


def api_steps(server_url, text=SENTENCE):
    return httpx2.post(f"{server_url}/api/trace", json={"model": "lstm-demo", "text": text}).json()["steps"]


def fills(page, vector):
    return page.locator(f'[data-testid="strip-{vector}"] rect.unit').evaluate_all(
        "cells => cells.map(c => c.getAttribute('fill'))"
    )


def test_typing_a_sentence_draws_each_token_live_on_the_belt(page, server_url, screenshot):
    open_app(page, server_url)
    expect(page.get_by_test_id("untrained-badge")).to_be_visible()
    type_sentence(page)

    tokens = page.get_by_test_id("token")
    expect(tokens.last).to_have_attribute("aria-current", "step")
    expect(page.get_by_test_id("position")).to_have_text("t = 18 of 18")
    for vector in ("c_prev", "f", "i", "c_tilde", "o", "c", "h", "f_c", "i_c", "tanh_c", "h_prev", "x"):
        colours = fills(page, vector)
        assert len(colours) == (8 if vector == "x" else 16), vector
        assert all(c and c.startswith("rgb(") for c in colours), vector
    expect(page.get_by_test_id("prediction")).to_have_count(5)
    expect(page.locator('[data-testid="heatmap"] .main-svg').first).to_be_visible()

    # The numbers on the diagram are the model's: the same as the HTTP API computes.
    last = api_steps(server_url)[-1]
    assert shows(float(hovered_value(page, "f", 3)), last["gates"]["f"][3], 4)
    assert shows(float(hovered_value(page, "c", 11)), last["c"][11], 4)
    path = screenshot("typed-sentence")
    assert path.stat().st_size > 50_000


def test_scrubbing_shows_each_earlier_step(page, server_url):
    open_app(page, server_url)
    type_sentence(page)
    at_end = fills(page, "c")

    slider = page.get_by_test_id("time-slider")
    slider.focus()
    page.keyboard.press("Home")
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("position")).to_have_text("t = 5 of 18")
    expect(page.get_by_test_id("token").nth(5)).to_have_attribute("aria-current", "step")
    assert fills(page, "c") != at_end

    step5 = api_steps(server_url)[5]
    assert shows(float(hovered_value(page, "i", 7)), step5["gates"]["i"][7], 4)
    # C_{t-1} on the diagram is the previous step's C_t.
    assert shows(float(hovered_value(page, "c_prev", 2)), api_steps(server_url)[4]["c"][2], 4)


def test_step_buttons_token_clicks_and_play(page, server_url):
    open_app(page, server_url)
    type_sentence(page, "the sky")
    position = page.get_by_test_id("position")
    page.get_by_test_id("step-back").click()
    expect(position).to_have_text("t = 5 of 6")
    page.get_by_test_id("token").nth(1).click()
    expect(position).to_have_text("t = 1 of 6")
    page.get_by_test_id("step-forward").click()
    expect(position).to_have_text("t = 2 of 6")
    page.get_by_test_id("play").click()
    expect(position).to_have_text("t = 6 of 6", timeout=10_000)
    expect(page.get_by_test_id("play")).to_have_text("▶ Play")


def test_editing_earlier_text_retraces_it(page, server_url):
    open_app(page, server_url)
    type_sentence(page, "I grew up")
    box = page.get_by_test_id("text-input")
    box.press("Control+a")
    type_sentence(page, "We grew up")
    expect(page.get_by_test_id("token").first).to_have_text("W")
    last = api_steps(server_url, "We grew up")[-1]
    assert shows(float(hovered_value(page, "h", 0)), last["h"][0], 4)


def test_characters_outside_the_vocabulary_show_as_unk(page, server_url):
    open_app(page, server_url)
    type_sentence(page, "in 法国")
    unknown = page.locator('[data-testid="token"].unk')
    expect(unknown).to_have_count(2)
    expect(unknown.first).to_have_text("法")
    expect(unknown.first).to_have_attribute("title", re.compile("<unk>"))


def test_typed_markup_is_shown_as_text(page, server_url):
    open_app(page, server_url)
    payload = "<img src=x onerror=alert(1)>"
    type_sentence(page, payload)
    assert page.locator("img").count() == 0
    expect(page.get_by_test_id("token").first).to_have_text("<")

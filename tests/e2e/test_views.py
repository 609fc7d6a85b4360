"""The teaching views, used as a student would: the four steps by keyboard, units, chain, charts."""

import math
import re

import httpx2
from playwright.sync_api import expect

from tests.e2e.shown import hovered_value, shows, stage_numbers

TEXT = "I grew up in"


def start(page, server_url, text=TEXT):
    page.goto(f"{server_url}/?model=lstm-demo")  # the char demo, empty: a link naming its model
    expect(page.get_by_test_id("status")).to_have_text("0 steps traced")
    page.get_by_test_id("text-input").press_sequentially(text, delay=15)
    expect(page.get_by_test_id("status")).to_have_text(f"{len(text)} steps traced")
    return httpx2.post(f"{server_url}/api/trace", json={"text": text}).json()["steps"]


def test_the_four_steps_by_keyboard_with_this_steps_numbers(page, server_url):
    steps = start(page, server_url)
    page.get_by_test_id("token").nth(3).click()  # t = 3; the focus leaves the text box
    expect(page.get_by_test_id("stage-0")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Forget gate")
    lit = page.locator('[data-testid="diagram"] [data-part].lit')
    expect(lit).to_have_count(0)  # the whole figure is lit until the student walks the stages
    page.get_by_test_id("stage-0").click()
    expect(lit).to_have_count(2)  # the belt and the forget gate
    assert page.locator('[data-testid="diagram"] [data-part="output"]').get_attribute("class") in (None, "")
    s3, s2 = steps[3], steps[2]
    api = {"c_prev": s2["c"][0], "c": s3["c"][0], "h": s3["h"][0], **{k: v[0] for k, v in s3["gates"].items()}}
    ((name, f),) = stage_numbers(page)
    assert name == "f" and shows(f, api["f"], 3)

    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Input gate")
    assert [name for name, _ in stage_numbers(page)] == ["i", "c_tilde"]
    assert all(shows(value, api[name], 3) for name, value in stage_numbers(page))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Update the cell state")
    assert [name for name, _ in stage_numbers(page)] == ["f", "c_prev", "i", "c_tilde", "c"]  # C = f * C + i * C̃ = …
    assert all(shows(value, api[name], 3) for name, value in stage_numbers(page))
    page.keyboard.press("ArrowRight")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Output")
    assert [name for name, _ in stage_numbers(page)] == ["o", "o", "c", "h"]  # o; h = o * tanh(C) = …
    assert all(shows(value, api[name], 3) for name, value in stage_numbers(page))
    expect(page.locator('[data-testid="diagram"] [data-part="output"]')).to_have_class("lit")

    page.keyboard.press("ArrowRight")  # past the fourth step: the next token, step one
    expect(page.get_by_test_id("position")).to_have_text(f"t = 4 of {len(TEXT) - 1}")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Forget gate")
    page.keyboard.press("ArrowLeft")
    expect(page.get_by_test_id("position")).to_have_text(f"t = 3 of {len(TEXT) - 1}")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Output")


def test_clicking_a_unit_selects_it_on_every_view(page, server_url):
    steps = start(page, server_url)
    page.locator('[data-testid="strip-f"] rect[data-unit="5"]').click()
    expect(page.get_by_test_id("unit-input")).to_have_value("5")
    selected = page.locator('[data-testid="diagram"] rect.unit.selected')
    expect(selected).to_have_count(12)  # one per strip on the LSTM diagram
    assert set(selected.evaluate_all("cells => cells.map(c => c.dataset.unit)")) == {"5"}

    last = steps[-1]
    page.get_by_test_id("stage-0").click()
    assert shows(stage_numbers(page)[0][1], last["gates"]["f"][5], 3)
    expect(page.get_by_test_id("stage-story")).to_contain_text("unit 5")

    # Units over text: each token's colour is unit 5's C_t there; its title gives the number.
    spans = page.locator('[data-testid="unit-text"] .unit-token')
    expect(spans).to_have_count(len(TEXT))
    titles = spans.evaluate_all("spans => spans.map(s => s.title)")
    c = steps[2]["c"][5]
    prefix, shown = titles[2].split(": Cₜ[5] = ")
    shown_c, shown_tanh = shown.split(", tanh(Cₜ) = ")  # C, and what h sees of it
    assert (
        prefix == "t = 2" and shows(shown_c, c, 4) and shows(shown_tanh, math.tanh(c), 4)
    )  # |tanh'| ≤ 1: the same bound
    colours = spans.evaluate_all("spans => spans.map(s => s.style.backgroundColor)")
    assert all(colours) and len(set(colours)) > 3
    page.get_by_test_id("unit-vector").select_option("f")
    expect(spans.nth(2)).to_have_attribute("title", re.compile(r"^t = 2: fₜ\[5\] = "))
    assert shows(spans.nth(2).get_attribute("title").rsplit(" ", 1)[1], steps[2]["gates"]["f"][5], 4)


def test_the_unrolled_chain_has_a_module_per_token_and_jumps_on_click(page, server_url):
    start(page, server_url)
    modules = page.get_by_test_id("chain-module")
    expect(modules).to_have_count(len(TEXT))
    # as the article draws it: x_t in below each module, h_t out above, an arrow on to the
    # next module, and (an LSTM's) the belt running through them all
    chain = page.get_by_test_id("chain")
    for part, count in (
        ("chain-x", len(TEXT)),
        ("chain-h", len(TEXT)),
        ("chain-link", len(TEXT) - 1),
        ("chain-belt", len(TEXT)),
    ):
        expect(chain.get_by_test_id(part)).to_have_count(count)
    below, box, above = (
        modules.nth(1).locator(selector).evaluate("e => e.getBBox().y + e.getBBox().height / 2")
        for selector in (".chain-token", ".chain-box", ".chain-out")
    )
    assert above < box < below
    modules.nth(2).click()
    expect(page.get_by_test_id("position")).to_have_text(f"t = 2 of {len(TEXT) - 1}")
    expect(modules.nth(2)).to_have_class(re.compile("current"))


def test_inspector_and_saturation_charts_load_on_demand(page, server_url):
    start(page, server_url)
    assert page.evaluate("typeof window.Plotly") == "object"  # the heatmap is shown by default
    page.get_by_test_id("toggle-saturation").click()
    page.get_by_test_id("toggle-inspector").click()
    expect(page.locator('[data-testid="saturation"] .main-svg').first).to_be_visible()
    expect(page.locator('[data-testid="inspector"] .main-svg').first).to_be_visible()
    saturation = page.get_by_test_id("saturation").evaluate("el => el.data.map(d => [d.name, d.x.length])")
    assert saturation == [["fₜ gate", 16], ["iₜ gate", 16], ["oₜ gate", 16]]
    inspector = page.get_by_test_id("inspector").evaluate("el => el.data.map(d => [d.name, d.y.length])")
    assert [name for name, _ in inspector] == ["fₜ", "iₜ", "C̃ₜ", "oₜ", "Cₜ", "hₜ", "tanh(Cₜ)"]
    assert all(n == len(TEXT) for _, n in inspector)
    page.get_by_test_id("toggle-heatmap").click()
    expect(page.get_by_test_id("heatmap")).to_be_hidden()


def test_plotly_is_fetched_only_once_a_chart_is_shown(page, server_url):
    fetched = []
    page.on("request", lambda request: fetched.append(request.url))
    page.goto(f"{server_url}/?panels=walkthrough,chain,predictions")
    expect(page.get_by_test_id("heatmap")).to_be_hidden()
    page.get_by_test_id("text-input").press_sequentially("ab", delay=15)
    expect(page.get_by_test_id("status")).to_have_text("2 steps traced")
    assert f"{server_url}/vendor/plotly.min.js" not in fetched
    page.get_by_test_id("toggle-heatmap").click()
    expect(page.locator('[data-testid="heatmap"] .main-svg').first).to_be_visible()
    assert f"{server_url}/vendor/plotly.min.js" in fetched


def test_a_phone_wide_screen_does_not_overflow(page, server_url, screenshot):
    page.set_viewport_size({"width": 375, "height": 800})
    start(page, server_url, "the sky")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot("phone-375")


def test_a_wide_screen(page, server_url, screenshot):
    page.set_viewport_size({"width": 1440, "height": 900})
    start(page, server_url)
    page.get_by_test_id("token").nth(5).click()
    page.keyboard.press("ArrowRight")
    screenshot("wide-1440-stage-2")


def test_compare_reads_the_same_text_with_a_second_model_at_the_same_step(page, server_url):
    start(page, server_url)
    page.get_by_test_id("toggle-compare").click()
    compare = page.get_by_test_id("compare")
    expect(page.get_by_test_id("compare-select")).to_have_value("rnn-demo")
    expect(page.get_by_test_id("compare-status")).to_have_text(f"{len(TEXT)} steps traced")
    expect(page.get_by_test_id("compare-diagram")).to_have_attribute("data-cell", "rnn")
    page.get_by_test_id("token").nth(4).click()
    expect(page.get_by_test_id("compare-diagram-container")).to_have_attribute("data-t", "4")
    rnn = httpx2.post(f"{server_url}/api/trace", json={"model": "rnn-demo", "text": TEXT}).json()["steps"][4]
    shown = hovered_value(page, "h", 2, within=compare)
    assert shows(shown, rnn["h"][2], 4)
    expect(page.get_by_test_id("compare-predictions").get_by_test_id("prediction")).to_have_count(5)
    page.get_by_test_id("text-input").press_sequentially(" Paris", delay=15)  # typing feeds both models
    expect(page.get_by_test_id("compare-status")).to_have_text(f"{len(TEXT) + 6} steps traced")
    page.get_by_test_id("compare-select").select_option("gru-demo")
    expect(page.get_by_test_id("compare-diagram")).to_have_attribute("data-cell", "gru")
    expect(page).to_have_url(re.compile("compare=gru-demo"))


def test_gradient_flow_plots_both_models_from_the_server(page, server_url):
    start(page, server_url)
    page.get_by_test_id("toggle-compare").click()
    page.get_by_test_id("toggle-gradients").click()
    chart = page.get_by_test_id("gradients")
    expect(chart).to_have_attribute("data-models", "lstm-demo,rnn-demo")
    expected = httpx2.post(f"{server_url}/api/gradients", json={"model": "rnn-demo", "text": TEXT}).json()
    plotted = chart.evaluate("el => el.data.map(d => [d.name, d.y])")
    names = [name for name, _ in plotted]
    assert names == [
        "lstm-demo: ‖∂h_T/∂x_t‖",
        "lstm-demo: ‖∂C_T/∂C_t‖",
        "rnn-demo: ‖∂h_T/∂x_t‖",
        "rnn-demo: ‖∂h_T/∂h_t‖",
    ]
    assert plotted[2][1] == expected["input_norms"]
    page.get_by_test_id("model-select").select_option("cwrnn-demo")  # every cell has exact Jacobians
    expect(chart).to_have_attribute("data-models", "cwrnn-demo,rnn-demo")
    expect(page.get_by_test_id("gradients-note")).to_have_text("")


def c_values(page):
    return dict(
        page.locator('[data-testid="strip-c"] rect.unit').evaluate_all(
            "cells => cells.map(c => [Number(c.dataset.unit), c.getAttribute('fill')])"
        )
    )


def test_what_if_clamping_f_to_1_and_i_to_0_freezes_the_belt_from_that_step(page, server_url):
    start(page, server_url, "I grew up in France")
    page.get_by_test_id("toggle-whatif").click()
    page.get_by_test_id("token").nth(5).click()  # t = 5
    page.get_by_test_id("whatif-scope").select_option("all")
    page.get_by_test_id("whatif-vector").select_option("f")
    page.get_by_test_id("whatif-value").fill("1")
    page.get_by_test_id("whatif-add").click()
    page.get_by_test_id("whatif-vector").select_option("i")
    page.get_by_test_id("whatif-value").fill("0")
    page.get_by_test_id("whatif-add").click()
    expect(page.get_by_test_id("whatif-item")).to_have_count(2)
    expect(page.get_by_test_id("whatif-item").first).to_have_text("fₜ[all units] held at 1 from t = 5 ×")
    expect(page.get_by_test_id("position")).to_have_text("t = 5 of 18")  # read again, same place
    expect(page).to_have_url(re.compile("whatif="))
    expect(page.locator('[data-testid="strip-f"] rect.unit.held')).to_have_count(16)

    page.get_by_test_id("token").nth(4).click()
    before = c_values(page)
    assert page.locator('[data-testid="strip-f"] rect.unit.held').count() == 0  # not held yet at t = 4
    for t in (5, 11, 18):  # C_t = 1·C_{t-1} + 0·C̃ = C_4 from there on
        page.get_by_test_id("token").nth(t).click()
        expect(page.get_by_test_id("position")).to_have_text(f"t = {t} of 18")
        assert c_values(page) == before

    page.get_by_test_id("whatif-undo").click()
    expect(page.get_by_test_id("whatif-item")).to_have_count(0)
    expect(page.locator('[data-testid="strip-f"] rect.unit.held')).to_have_count(0)
    expect(page.get_by_test_id("position")).to_have_text("t = 18 of 18")
    assert c_values(page) != before


def test_knocking_out_a_unit_zeroes_it_on_the_diagram(page, server_url):
    start(page, server_url)
    page.get_by_test_id("toggle-whatif").click()
    page.locator('[data-testid="strip-h"] rect[data-unit="4"]').click()
    page.get_by_test_id("token").first.click()
    page.get_by_test_id("whatif-knockout").click()
    expect(page.get_by_test_id("whatif-item")).to_have_count(2)  # h and C of unit 4
    page.get_by_test_id("token").nth(6).click()
    page.locator('[data-testid="strip-h"] rect[data-unit="4"]').hover()
    expect(page.get_by_test_id("tooltip")).to_contain_text("hₜ[4] = 0.0000")

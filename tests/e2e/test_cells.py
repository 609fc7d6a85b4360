"""Every cell of the article on the same text, each on its own live diagram."""

import re

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.shown import BOUND, FLOAT32_ROUNDING, hovered_value, shows

TEXT = "I grew up"
T = 3


def api_step(server_url, model, t=T):
    return httpx2.post(f"{server_url}/api/trace", json={"model": model, "text": TEXT}).json()["steps"][t]


def switch_to(page, model, cell):
    page.get_by_test_id("model-select").select_option(model)
    expect(page.get_by_test_id("diagram")).to_have_attribute("data-cell", cell)
    expect(page.get_by_test_id("status")).to_have_text(f"{len(TEXT)} steps traced")
    expect(page.get_by_test_id("position")).to_have_text(f"t = {T} of {len(TEXT) - 1}")  # the time position is kept
    expect(page.get_by_test_id("text-input")).to_have_value(TEXT)  # and the text


@pytest.fixture
def app_at_step(page, server_url):
    page.goto(f"{server_url}/?text=I%20grew%20up&t={T}&panels=walkthrough")
    expect(page.get_by_test_id("position")).to_have_text(f"t = {T} of {len(TEXT) - 1}")
    return page


def test_plain_rnn_is_one_tanh_layer(app_at_step, server_url):
    page = app_at_step
    switch_to(page, "rnn-demo", "rnn")
    expect(page.get_by_test_id("box-rnn")).to_be_visible()
    expect(page.get_by_test_id("belt")).to_have_count(0)
    strips = page.locator('[data-testid="diagram"] .strip').evaluate_all("s => s.map(g => g.dataset.vector)")
    assert sorted(strips) == ["h", "h_prev", "h_top", "x"]
    assert shows(float(hovered_value(page, "h", 1)), api_step(server_url, "rnn-demo")["h"][1], 4)
    expect(page.get_by_test_id("stage-title")).to_have_text(
        "1. One tanh layer: the new output from the old one and the input"
    )
    expect(page.get_by_test_id("chain-belt")).to_have_count(0)  # no cell state: no belt down the chain


def test_peephole_lines_run_from_the_belt_into_the_gates(app_at_step, server_url):
    page = app_at_step
    switch_to(page, "peephole-demo", "peephole")
    for gate in "fio":
        expect(page.get_by_test_id(f"peephole-{gate}")).to_have_count(1)
    expect(page.get_by_test_id("cell-note")).to_have_text("Peepholes into: f, i, o")
    assert shows(float(hovered_value(page, "o", 4)), api_step(server_url, "peephole-demo")["gates"]["o"][4], 4)


def test_coupled_gates_draw_one_minus_f_instead_of_an_input_gate(app_at_step, server_url):
    page = app_at_step
    switch_to(page, "cifg-demo", "cifg")
    expect(page.get_by_test_id("op-one-minus")).to_be_visible()
    expect(page.get_by_test_id("box-input")).to_have_count(0)
    expect(page.get_by_test_id("peephole-f")).to_have_count(0)
    step = api_step(server_url, "cifg-demo")
    assert shows(float(hovered_value(page, "i", 2)), 1 - step["gates"]["f"][2], 4, BOUND + FLOAT32_ROUNDING)


@pytest.mark.parametrize(
    ("model", "formulation", "has_r_h"), [("gru-demo", "PyTorch", False), ("gru-article-demo", "article", True)]
)
def test_gru_shows_its_gates_and_says_which_formulation(app_at_step, server_url, model, formulation, has_r_h):
    page = app_at_step
    switch_to(page, model, "gru")
    for part in ("box-reset", "box-update", "box-candidate", "op-one-minus", "op-keep-times", "op-write-times"):
        expect(page.get_by_test_id(part)).to_be_visible()
    expect(page.get_by_test_id("cell-note")).to_contain_text(formulation)
    expect(page.get_by_test_id("strip-r_h")).to_have_count(1 if has_r_h else 0)
    step = api_step(server_url, model)
    assert shows(float(hovered_value(page, "z", 0)), step["gates"]["z"][0], 4)
    assert shows(float(hovered_value(page, "h_tilde", 5)), step["gates"]["h_tilde"][5], 4)


def test_depth_gate_links_the_layer_below_on_the_upper_layer(app_at_step, server_url):
    page = app_at_step
    switch_to(page, "dglstm-demo", "dglstm")
    expect(page.get_by_test_id("layer-picker")).to_be_visible()
    expect(page.get_by_test_id("depth-gate")).to_be_visible()  # the top layer is shown first
    step = api_step(server_url, "dglstm-demo")
    assert shows(float(hovered_value(page, "d", 3)), step["layers"][1]["gates"]["d"][3], 4)
    assert shows(float(hovered_value(page, "c_below", 3)), step["layers"][0]["c"][3], 4)
    page.get_by_test_id("layer-select").select_option("0")
    expect(page.get_by_test_id("depth-gate")).to_have_count(0)
    assert shows(float(hovered_value(page, "c", 6)), step["layers"][0]["c"][6], 4)


def test_clockwork_modules_idle_off_their_period(app_at_step, server_url):
    page = app_at_step
    switch_to(page, "cwrnn-demo", "cwrnn")
    modules = page.get_by_test_id("clock-module")
    expect(modules).to_have_count(4)
    # t = 3: only the period-1 module updates; periods 2, 4, 8 are idle.
    idle = modules.evaluate_all("m => m.map(g => g.classList.contains('idle'))")
    assert idle == [False, True, True, True]
    active = api_step(server_url, "cwrnn-demo")["active"]
    faded = dict(
        page.locator('[data-testid="strip-h"] rect.unit').evaluate_all(
            "c => c.map(r => [Number(r.dataset.unit), r.classList.contains('idle')])"
        )
    )
    assert [faded[u] for u in range(16)] == [a == 0 for a in active] and sum(faded.values()) == 12
    page.get_by_test_id("token").nth(4).click()  # t = 4: periods 1, 2 and 4 tick
    expect(modules.nth(2)).not_to_have_class(re.compile("idle"))
    expect(modules.nth(3)).to_have_class(re.compile("idle"))


def test_every_bundled_cell_in_turn_then_back(app_at_step, screenshot):
    page = app_at_step
    for model, cell in [("rnn-demo", "rnn"), ("gru-demo", "gru"), ("cwrnn-demo", "cwrnn"), ("lstm-demo", "lstm")]:
        switch_to(page, model, cell)
        assert page.locator('[data-testid="diagram"] rect.unit[fill]').count() > 40
        screenshot(f"cell-{cell}")

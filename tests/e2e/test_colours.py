"""One colour language: gates on the gate scale (0 → 1) everywhere, the heatmap included;
the belt's C through tanh(C) wherever it is coloured, with a key that says so; charts over
time labelled with the tokens; a panel that waits says so."""

import math
import re

import httpx2
import pytest
from playwright.sync_api import expect

from app.lessons import LESSONS
from tests.e2e.shown import BOUND
from tests.e2e.test_wide_strips import DIVERGING as VALUE_RAMP
from tests.e2e.test_wide_strips import SEQUENTIAL as GATE_RAMP
from tests.e2e.test_wide_strips import ramp as ramp_colour

AGREEMENT = next(lesson.text for lesson in LESSONS if lesson.id == "agreement")  # the lesson the page opens


def css_rgb(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", text)[:3])


def plotly_scale(stops: list[str]) -> list[list]:
    return [[k / (len(stops) - 1), colour] for k, colour in enumerate(stops)]


@pytest.fixture(scope="module")
def agreement(server_url):
    steps = httpx2.post(f"{server_url}/api/trace", json={"model": "agreement", "text": AGREEMENT}).json()["steps"]
    return steps


def test_the_heatmap_draws_gates_on_the_gate_scale_and_c_through_tanh(page, server_url, agreement):
    page.goto(f"{server_url}/?lesson=agreement&panels=heatmap")
    expect(page.get_by_test_id("status")).to_have_text("17 steps traced")
    heatmap = page.get_by_test_id("heatmap")
    page.wait_for_function("(el) => el.data?.length === 6 && el.data[0].x.length === 17", arg=heatmap.element_handle())
    traces = heatmap.evaluate(
        "el => el.data.map(d => ({name: d.name, colorscale: d.colorscale, zmin: d.zmin, zmax: d.zmax, z: d.z, raw: d.customdata ?? null}))"
    )
    by_name = {trace["name"]: trace for trace in traces}
    assert list(by_name) == ["fₜ", "iₜ", "C̃ₜ", "oₜ", "Cₜ", "hₜ"]
    for gate in ("fₜ", "iₜ", "oₜ"):
        assert by_name[gate]["colorscale"] == plotly_scale(GATE_RAMP), gate
        assert (by_name[gate]["zmin"], by_name[gate]["zmax"]) == (0, 1), gate
    for value in ("C̃ₜ", "Cₜ", "hₜ"):
        assert by_name[value]["colorscale"] == plotly_scale(VALUE_RAMP), value
        assert (by_name[value]["zmin"], by_name[value]["zmax"]) == (-1, 1), value
    # C's rows hold tanh(C), its hover the raw C; the gender unit's C (unit 33) passes ±1.2
    units = len(agreement[0]["c"])
    c_rows = by_name["Cₜ"]
    row = 4 * units + 33
    assert c_rows["raw"][row] == pytest.approx([step["c"][33] for step in agreement], abs=BOUND)
    assert c_rows["z"][row] == pytest.approx([math.tanh(step["c"][33]) for step in agreement], abs=BOUND)
    assert max(map(abs, c_rows["raw"][row])) > 1.2 and max(map(abs, c_rows["z"][row])) < 1
    assert by_name["fₜ"]["z"][row] == []  # each trace draws only its own rows
    assert by_name["fₜ"]["z"][33] == pytest.approx([step["gates"]["f"][33] for step in agreement], abs=BOUND)
    # the key above it says which scale is which, and that C is drawn through tanh
    keys = page.locator("[data-panel=heatmap] .panel-keys")
    expect(keys).to_contain_text("gate 0 → 1")
    expect(keys).to_contain_text("Cₜ coloured as tanh(Cₜ)")
    # time is labelled with the tokens read
    ticks = heatmap.evaluate("el => el.layout.xaxis.ticktext")
    assert ticks == [token.replace(" ", "␣")[:6] for token in (s["token"] for s in agreement)]


def test_the_chain_colours_the_belt_by_tanh_c_and_says_so(page, server_url, agreement):
    page.goto(f"{server_url}/?lesson=agreement&panels=chain")
    expect(page.get_by_test_id("status")).to_have_text("17 steps traced")
    expect(page.get_by_test_id("unit-input")).to_have_value("33")
    belts = page.get_by_test_id("chain-belt")
    expect(belts).to_have_count(17)
    strokes = belts.evaluate_all("lines => lines.map(l => l.getAttribute('stroke'))")
    for step, stroke in zip(agreement, strokes, strict=True):
        expected = ramp_colour(VALUE_RAMP, (math.tanh(step["c"][33]) + 1) / 2)
        assert css_rgb(stroke) == pytest.approx(expected, abs=1.5), (step["t"], step["c"][33], stroke)
    assert len(set(strokes)) > 3  # raw C past ±1 would have painted those steps all one end colour
    keys = page.locator("[data-panel=chain] .panel-keys")
    expect(keys).to_contain_text("Cₜ coloured as tanh(Cₜ)")
    key = keys.locator('.key[data-scale="value"]')
    assert "linear-gradient" in key.evaluate("el => getComputedStyle(el).backgroundImage")


def test_a_cell_without_a_belt_has_no_belt_key(page, server_url):
    page.goto(f"{server_url}/?model=gru-demo&text=the%20sky&panels=chain,heatmap")
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    for panel in ("chain", "heatmap"):
        expect(page.locator(f"[data-panel={panel}] [data-belt-key]")).to_be_hidden()
    expect(page.locator("[data-panel=heatmap] .panel-keys")).to_contain_text("gate 0 → 1")


def test_the_unit_inspector_labels_time_with_the_tokens(page, server_url):
    page.goto(f"{server_url}/?text=the%20sky&panels=inspector")
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    inspector = page.get_by_test_id("inspector")
    page.wait_for_function("(el) => el.layout?.xaxis?.ticktext?.length === 7", arg=inspector.element_handle())
    assert inspector.evaluate("el => el.layout.xaxis.ticktext") == list("the␣sky")
    assert inspector.evaluate("el => el.data[0].text") == list("the␣sky")  # the hover names each step's token


def test_gradient_flow_says_it_is_computing_until_its_answer_comes(page, server_url):
    gradients = page.get_by_test_id("gradients")
    seen = []  # what the panel showed while its request was on its way

    def answer(route):
        seen.append(
            gradients.evaluate(
                "el => [el.dataset.state, el.querySelector('[data-testid=chart-notice]').textContent,"
                " el.querySelectorAll('.xaxislayer-above').length]"
            )
        )
        route.continue_()

    page.route("**/api/gradients", answer)
    page.goto(f"{server_url}/?text=the%20sky&panels=gradients")
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    expect(gradients).to_have_attribute("data-state", "ready")
    assert seen and seen[0] == ["computing", "Computing the gradients…", 0]  # said so, and no empty axes
    expect(gradients.get_by_test_id("chart-notice")).to_be_hidden()
    expect(gradients.locator(".scatterlayer .trace")).to_have_count(2)
    assert gradients.evaluate("el => el.layout.xaxis.ticktext") == list("the␣sky")

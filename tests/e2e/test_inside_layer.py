"""Inside a layer: a yellow box of a trained model's diagram opened for the selected unit.
Its sum through σ is the gate value the trace holds and the diagram shows; its numbers
follow the time step; the keyboard opens and closes it; a pink operation's hover gives its
inputs and output; both languages; no serious accessibility violation."""

from urllib.parse import quote

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.shown import hovered_value, shows
from tests.e2e.test_accessibility import axe  # noqa: F401  (the fixture)

MODEL, UNIT, T = "code", 89, 9  # the code model's "inside a string" unit
TEXT = "x = 'ab' + (1)\n"


def trace_steps(server_url):
    return httpx2.post(f"{server_url}/api/trace", json={"model": MODEL, "text": TEXT}).json()["steps"]


def open_page(page, server_url, lang="en", t=T):
    page.goto(f"{server_url}/?model={MODEL}&text={quote(TEXT)}&t={t}&unit={UNIT}&panels=predictions&lang={lang}")
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", str(t))


def shown_number(page, testid) -> float:
    return float(page.get_by_test_id(testid).inner_text().replace("−", "-"))


def test_a_gates_box_opens_its_sum_and_its_sigma_point_is_the_traces_gate_value(page, server_url):
    steps = trace_steps(server_url)
    gate = steps[T]["gates"]["f"][UNIT]
    open_page(page, server_url)
    page.get_by_test_id("box-forget").click()  # the yellow σ of the forget gate, on the diagram
    panel = page.get_by_test_id("inside-layer")
    expect(panel).to_be_visible()
    expect(page.get_by_test_id("inside-title")).to_contain_text(f"forget gate's layer: unit {UNIT} at t = {T}")
    expect(page.get_by_test_id("inside-z")).to_be_visible()
    point = page.get_by_test_id("inside-point")
    z, y = float(point.get_attribute("data-z")), float(point.get_attribute("data-y"))
    assert abs(y - 1 / (1 + 2.718281828459045**-z)) < 1e-9  # the point lies on σ
    assert abs(y - gate) < 2e-5  # σ(z) is the trace's f_t (rounded to 5 decimals)
    assert shows(shown_number(page, "inside-z"), z, 4, bound=0)  # the sum shown is the point's z
    output = page.get_by_test_id("inside-output").inner_text()
    assert output.startswith(f"fₜ[{UNIT}] = σ(") and shows(output.rsplit("= ", 1)[1], gate, 4)
    assert shows(hovered_value(page, "f", UNIT), y, 4)  # the diagram's own f_t for the unit
    expect(page.get_by_test_id("inside-note")).to_contain_text("the value fₜ the diagram shows")
    # the sum's lines add up to z: each part's products, and the bias
    lines = page.locator('[data-testid="inside-sum"] tr:not(.inside-total) td').all_inner_texts()
    assert abs(sum(float(v.replace("−", "-")) for v in lines) - z) < 5e-4 * len(lines)
    # five products by size, each input named: an h_{t-1} unit or the token read
    rows = page.get_by_test_id("inside-top-row")
    expect(rows).to_have_count(5)
    names = rows.locator("th").all_inner_texts()
    assert all(name.startswith("hₜ₋₁[") or name.startswith("xₜ = “") for name in names), names
    products = [abs(float(v.replace("−", "-"))) for v in rows.locator("td:nth-child(4)").all_inner_texts()]
    assert products == sorted(products, reverse=True)


def test_the_opened_layer_follows_the_time_step_and_the_keyboard(page, server_url):
    steps = trace_steps(server_url)
    open_page(page, server_url)
    page.get_by_test_id("open-box-output").focus()  # the row of box buttons under the diagram
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("inside-layer")
    expect(panel).to_have_attribute("data-box", "output")
    expect(page.get_by_test_id("inside-close")).to_be_focused()
    page.get_by_test_id("step-back").click()
    expect(panel).to_have_attribute("data-t", str(T - 1))
    y = float(page.get_by_test_id("inside-point").get_attribute("data-y"))
    assert abs(y - steps[T - 1]["gates"]["o"][UNIT]) < 2e-5
    page.get_by_test_id("inside-top").focus()  # anywhere in the panel, Escape closes it
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(page.get_by_test_id("open-box-output")).to_be_focused()


def test_hovering_a_pink_operation_gives_its_inputs_and_output(page, server_url):
    steps = trace_steps(server_url)
    open_page(page, server_url)
    c_prev, f = steps[T - 1]["c"][UNIT], steps[T]["gates"]["f"][UNIT]
    page.get_by_test_id("op-forget-times").hover()
    tooltip = page.get_by_test_id("tooltip")
    expect(tooltip).to_contain_text(f"fₜ[{UNIT}] = ")
    lines = dict(line.split(" = ") for line in tooltip.inner_text().splitlines()[1:])
    assert shows(lines[f"Cₜ₋₁[{UNIT}]"], c_prev, 4) and shows(lines[f"fₜ[{UNIT}]"], f, 4)
    assert shows(lines[f"→ fₜ * Cₜ₋₁[{UNIT}]"], f * c_prev, 4, bound=1e-4)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_in_chinese_the_layer_speaks_of_neurons_and_has_no_serious_violations(page, server_url, axe, theme):  # noqa: F811
    open_page(page, server_url, lang="zh")
    page.get_by_test_id("box-candidate").click()
    expect(page.get_by_test_id("inside-title")).to_contain_text(f"候选值的层内部：神经元 {UNIT}")
    expect(page.get_by_test_id("inside-z")).to_be_visible()
    expect(page.get_by_test_id("inside-note")).to_contain_text("即图中这个神经元的")
    page.goto(page.url + f"&theme={theme}")
    page.get_by_test_id("box-candidate").click()
    expect(page.get_by_test_id("inside-z")).to_be_visible()
    serious = [v for v in axe() if v[1] in ("serious", "critical")]
    assert serious == []

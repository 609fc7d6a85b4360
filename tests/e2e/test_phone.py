"""A phone (375 px, a touch screen): the diagram fits the screen's width, the four steps'
numbers wrap, hints speak of taps, a tap shows a unit's numbers, and nothing is wider than
the screen."""

import pytest
from playwright.sync_api import expect

PHONE = {"viewport": {"width": 375, "height": 800}, "has_touch": True}
HINTS = {
    "en": ("tap a step; ◀ ▶ move through time", "· tap a strip for its numbers and to select that unit"),
    "zh": ("轻触一个步骤；◀ ▶ 在时间上移动", "· 轻触色条查看数值，并选中该神经元"),
}

# Every box inside `root` that runs past its own right edge (a line of maths cut off), as "tag right > width".
OVERFLOWING = """(root) => [...root.querySelectorAll('*')].filter((el) => el.scrollWidth > el.clientWidth + 1
  && getComputedStyle(el).display !== 'inline').map((el) => `${el.localName} ${el.scrollWidth} > ${el.clientWidth}`)"""

# [left, right] of the diagram and of each named node in it, in page pixels.
SPANS = """(diagram, nodes) => { const span = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  return Object.fromEntries([["module", span(diagram)],
    ...nodes.map((n) => [n, span(diagram.querySelector(`[data-node="${n}"]`))])]); }"""

# The step's one equation line is more than one row of maths high: it wrapped.
WRAPPED = """(numbers) => { const line = numbers.querySelector('.eq-line'), row = line && line.querySelector('math');
  return !!row && line.getBoundingClientRect().height > 1.5 * row.getBoundingClientRect().height; }"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


def test_the_diagram_fits_a_phone_and_the_steps_numbers_wrap(phone, server_url, screenshot):
    # the depth gate's step: the longest equations of any bundled cell (the layer below's C and the cell's own)
    phone.goto(f"{server_url}/?lesson=depth&stage=2")
    expect(phone.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    diagram = phone.get_by_test_id("diagram")
    expect(diagram).to_be_visible()
    # the whole module, then the right half (what leaves it: the output gate's h_t, C_t, h_t above),
    # each measured in the page in one go so a redraw cannot come between finding and measuring
    spans = diagram.evaluate(SPANS, ["out-h", "out-c", "out-h_top"])
    assert spans["module"][0] >= 0 and spans["module"][1] <= 375
    for node in ("out-h", "out-c", "out-h_top"):
        assert 0 < spans[node][0] and spans[node][1] <= 375, node

    numbers = phone.get_by_test_id("stage-numbers")
    expect(numbers.locator(".eq-line")).to_have_count(1)
    # it wrapped onto a second line, measured in one go in the page: the walk redraws its
    # numbers when the step or unit is set, so two separate measurements could straddle a redraw
    phone.wait_for_function(WRAPPED, arg=numbers.element_handle())
    assert phone.get_by_test_id("walkthrough").evaluate(OVERFLOWING) == []  # and nothing runs off the panel
    expect(numbers).to_contain_text("dt=σ(Wxd·xt+wcd*")  # the same equation, its text whole
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot("phone-depth-gate-375")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_touch_screen_the_hints_speak_of_taps_and_a_tap_shows_a_units_numbers(phone, server_url, lang):
    phone.goto(f"{server_url}/?lang={lang}&lesson=agreement")
    expect(phone.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    steps_hint, legend_hint = HINTS[lang]
    walkthrough, legend = phone.get_by_test_id("walkthrough"), phone.locator(".diagram-figure figcaption")
    expect(walkthrough.locator(".hint")).to_have_text(steps_hint)
    expect(legend).to_contain_text(legend_hint)
    expect(walkthrough).not_to_contain_text("←")

    unit = phone.locator('[data-testid="strip-f"] rect.unit').nth(5)
    unit.tap()
    expect(phone.get_by_test_id("tooltip")).to_be_visible()
    expect(phone.get_by_test_id("tooltip")).to_contain_text("fₜ[5] = ")
    expect(phone.get_by_test_id("unit-input")).to_have_value("5")  # the tap selected it
    phone.get_by_test_id("position").tap()  # a tap elsewhere puts the numbers away
    expect(phone.get_by_test_id("tooltip")).to_be_hidden()


def test_with_a_mouse_the_hints_speak_of_hovering_and_arrow_keys(page, server_url):
    page.goto(f"{server_url}/?lesson=agreement")
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    expect(page.get_by_test_id("walkthrough").locator(".hint")).to_have_text(
        "← → move through the steps and time (focus outside the text box)"
    )
    expect(page.locator(".diagram-figure figcaption")).to_contain_text("hover a strip for its numbers")

"""Accessibility: an axe-core scan, keyboard use, and the numbers as a table."""

import re
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.shown import shows

AXE = Path(__file__).parent / ".axe" / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe(page):
    if not AXE.exists():
        pytest.fail("axe-core is missing: run `make test` (it installs it with npm)")
    source = AXE.read_text()

    def scan():
        page.evaluate(source)  # evaluated by the browser's debugger, not subject to the page's CSP
        result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
        return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result]

    return scan


@pytest.mark.parametrize(
    "query",
    [
        "?text=I%20grew%20up&panels=walkthrough,chain,predictions,unit-text,heatmap",
        "?text=I%20grew%20up&panels=compare,whatif,gradients,inspector,saturation&lang=zh",
        "?lesson=counter&text=I%20grew%20up&theme=dark",  # the lesson picker, an open lesson marked
    ],
)
def test_no_serious_or_critical_accessibility_violations(page, server_url, axe, query):
    page.goto(f"{server_url}/{query}")
    expect(page.get_by_test_id("status")).to_contain_text("9")
    page.wait_for_timeout(500)  # charts drawn
    serious = [v for v in axe() if v[1] in ("serious", "critical")]
    assert serious == []


def test_the_app_works_from_the_keyboard_alone(page, server_url):
    page.goto(f"{server_url}/?panels=walkthrough")
    page.keyboard.press("Tab")  # into the page: the first control has a visible focus
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"
    page.get_by_test_id("text-input").focus()
    page.keyboard.type("the sky")
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    expect(page.get_by_test_id("position")).to_have_text("t = 6 of 6")  # the last step drawn: ◀ can be pressed
    back = page.get_by_test_id("step-back")
    expect(back).to_be_enabled()  # (a disabled button takes no focus: Enter would go to the text box)
    back.focus()
    expect(back).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("position")).to_have_text("t = 5 of 6")
    page.get_by_test_id("stage-2").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stage-title")).to_contain_text("Update the cell state")
    page.get_by_test_id("unit-input").fill("9")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("stage-story")).to_contain_text("unit 9")


def test_the_values_table_reads_the_current_step(page, server_url):
    page.goto(f"{server_url}/?text=the%20sky&t=2")
    expect(page.get_by_test_id("position")).to_have_text("t = 2 of 6")
    page.get_by_text("The numbers of this step, as a table").click()
    table = page.get_by_test_id("values-table")
    expect(table.locator("caption")).to_have_text("Every vector at t = 2 (“e”), unit by unit")
    step = httpx2.post(f"{server_url}/api/trace", json={"text": "the sky"}).json()["steps"][2]
    row = table.locator("tr").filter(has=page.get_by_role("rowheader", name="fₜ", exact=True))
    cells = row.locator("td").all_inner_texts()
    assert len(cells) == len(step["gates"]["f"])
    assert all(re.fullmatch(r"-?\d+\.\d{4}", cell) and shows(cell, v, 4) for cell, v in zip(cells, step["gates"]["f"]))

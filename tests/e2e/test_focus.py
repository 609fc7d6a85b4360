"""Big models, readable: the 256-unit code model's strips focused on 16 units, sorted or
filtered (around the selected unit, labelled first, most active, most changed), each focused
cell showing its own unit's number, the units named in the strips' order, labelled units
marked; the choice is a link property; both languages; no serious accessibility violation."""

import re
from urllib.parse import quote

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.shown import hovered_value, shows
from tests.e2e.test_accessibility import axe  # noqa: F401  (the fixture)

MODEL, UNIT, T, SIZE = "code", 89, 9, 16
TEXT = "x = 'ab' + (1)\n"


@pytest.fixture(scope="module")
def api(server_url):
    steps = httpx2.post(f"{server_url}/api/trace", json={"model": MODEL, "text": TEXT}).json()["steps"]
    models = httpx2.get(f"{server_url}/api/models").json()["models"]
    labels = next(m for m in models if m["name"] == MODEL)["units"]
    return steps, labels


def expected(order):
    """The first 16 of an order over the 256 units, the selected unit put last if left out."""
    shown = order[:SIZE]
    if UNIT not in shown:
        shown[-1] = UNIT
    return shown


def by_size(score):
    return sorted(range(256), key=lambda unit: (-score(unit), unit))


def strip_units(page, vector="h"):
    """The units a strip's cells show, left to right (the selected cell is drawn last, on top)."""
    cells = page.locator(f'[data-testid="strip-{vector}"] rect.unit').evaluate_all(
        "cells => cells.map(c => [+c.getAttribute('x'), +c.dataset.unit])"
    )
    return [unit for _, unit in sorted(cells)]


def open_page(page, server_url, query=""):
    page.goto(f"{server_url}/?model={MODEL}&text={quote(TEXT)}&t={T}&unit={UNIT}&panels=predictions{query}")
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", str(T))


def test_every_unit_by_default_with_the_labelled_ones_named_and_marked(page, server_url, api):
    _, labels = api
    open_page(page, server_url)
    assert strip_units(page) == list(range(256))
    named = sorted({label["unit"] for label in labels})
    expect(page.get_by_test_id("focus-units").locator("button")).to_have_count(len(named))
    expect(page.get_by_test_id("focus-units")).to_have_attribute("data-units", ",".join(map(str, named)))
    expect(page.get_by_test_id("focus-units")).to_contain_text("89inside a string")
    marked = page.locator('[data-testid="strip-c"] rect.unit.labelled').evaluate_all(
        "cs => cs.map(c => +c.dataset.unit)"
    )
    assert sorted(marked) == named


def test_sorting_and_filtering_the_strips_of_256_units(page, server_url, api):
    steps, labels = api
    open_page(page, server_url)
    select = page.get_by_test_id("focus-select")
    container = page.get_by_test_id("diagram-container")

    # the labelled units first, strongest label first, each once; then the rest in order
    strongest = []
    for label in sorted(labels, key=lambda label: -abs(label["r"])):
        if label["unit"] not in strongest:
            strongest.append(label["unit"])
    select.select_option("labelled")
    order = expected(strongest + [u for u in range(256) if u not in strongest])
    expect(container).to_have_attribute("data-units", ",".join(map(str, order)))
    for vector in ("h", "c", "f", "o", "c_prev"):
        assert strip_units(page, vector) == order, vector
    expect(page.get_by_test_id("focus-units")).to_have_attribute("data-units", ",".join(map(str, order)))
    expect(page).to_have_url(re.compile(r"[?&]focus=labelled"))

    h, c, c_prev = (steps[T]["h"], steps[T]["c"], steps[T - 1]["c"])
    for focus, score in (("active", lambda u: abs(h[u])), ("changed", lambda u: abs(c[u] - c_prev[u]))):
        select.select_option(focus)
        order = expected(by_size(score))
        expect(container).to_have_attribute("data-units", ",".join(map(str, order)))
        for unit in order[:3]:  # a focused cell shows its own unit's number
            assert shows(hovered_value(page, "h", unit), h[unit], 4)

    select.select_option("around")
    expect(container).to_have_attribute("data-units", ",".join(map(str, range(UNIT - 8, UNIT + 8))))
    page.get_by_test_id("focus-units").locator('button[data-unit="95"]').click()  # a unit picked from the row
    expect(page.get_by_test_id("unit-input")).to_have_value("95")
    expect(container).to_have_attribute("data-units", ",".join(map(str, range(95 - 8, 95 + 8))))
    expect(page.locator('[data-testid="strip-h"] rect.unit.selected')).to_have_attribute("data-unit", "95")


def test_a_link_opens_focused_and_in_chinese_names_neurons_without_violations(page, server_url, axe):  # noqa: F811
    open_page(page, server_url, "&focus=labelled&lang=zh&theme=dark")
    expect(page.get_by_test_id("focus-select")).to_have_value("labelled")
    expect(page.get_by_test_id("focus-select").locator("option:checked")).to_have_text("16 个，已标注的在前")
    expect(page.get_by_test_id("focus-units")).to_contain_text("89在单行字符串内")
    assert len(strip_units(page)) == SIZE
    serious = [v for v in axe() if v[1] in ("serious", "critical")]
    assert serious == []


def test_an_embedding_is_no_vector_of_units_and_stays_whole(page, server_url):
    page.goto(f"{server_url}/?model=poetry&text={quote('白日依山尽')}&unit=99&focus=around&panels=predictions")
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-units", ",".join(map(str, range(91, 107))))
    assert strip_units(page, "x") == list(range(64))  # x_t, the character's embedding: all of it
    assert strip_units(page, "h") == list(range(91, 107))

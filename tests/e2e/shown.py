"""The page's numbers against the API's JSON. The page reads the binary stream, whose
values are within wire.ERROR_BOUND of the cell's float32 (docs/api.md, "Binary step frames");
the API's are that float32 rounded to 5 decimals. So a number the page shows to `digits`
decimals may differ from the API's, rounded alike, only where the two bounds together
reach across a rounding boundary; these checks allow exactly that and nothing more."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.helpers import WIRE_BOUND

BOUND = WIRE_BOUND  # page value vs API value, before the page rounds for display
FLOAT32_ROUNDING = 2**-24  # a value the cell computes from another (i = 1 - f), at most 1 in float32


def shows(shown: float | str, api_value: float, digits: int, bound: float = BOUND) -> bool:
    """`shown` is a value within `bound` of `api_value`, rounded to `digits` decimals."""
    shown = float(str(shown).replace("−", "-"))
    return round(api_value - bound, digits) <= shown <= round(api_value + bound, digits)


def product_bound(a: float, b: float) -> float:
    """How far the page's a·b can be from the API's: each factor is off by at most BOUND."""
    return (abs(a) + abs(b)) * BOUND + BOUND**2


def stage_numbers(page) -> list[tuple[str, float]]:
    """The numbers the Four steps panel put into its equations, each with the vector it is
    (data-vector), in the order shown: what was put in, then each equation's result."""
    numbers = page.locator('[data-testid="stage-numbers"] mn[data-vector]')
    return [
        (vector, float(text.replace("−", "-")))
        for vector, text in numbers.evaluate_all("ns => ns.map(n => [n.dataset.vector, n.textContent])")
    ]


def hovered_value(page, vector: str, unit: int, within=None) -> str:
    """The number the tooltip shows for `unit` of the strip of `vector` (in `within`, a
    panel, or anywhere on the page), as written."""
    (within or page).locator(f'[data-testid="strip-{vector}"] rect[data-unit="{unit}"]').hover()
    tooltip = page.get_by_test_id("tooltip")
    expect(tooltip).to_be_visible()
    return re.search(r"= (-?\d+\.\d+)", tooltip.inner_text()).group(1)

"""A wide layer (the code model's 256 units) is painted as one image per strip: every pixel
must still be the colour of its unit's value, and every unit must still answer a hover."""

import math
import re

import httpx2
from playwright.sync_api import expect

from tests.e2e.shown import BOUND

# The diagram's colour ramps, restated here from their definition (static/js/config.js):
# a signed value v in [-1, 1] maps to (v + 1) / 2 along DIVERGING, a gate along SEQUENTIAL,
# and what the belt carries (C) through tanh first.
DIVERGING = ["#2d004b", "#8073ac", "#d8daeb", "#f7f7f7", "#fee0b6", "#e08214", "#7f3b08"]
SEQUENTIAL = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"]
TEXT = "def f(x):\n    return x\n"


def ramp(stops, u):
    rgb = [[int(stop[k : k + 2], 16) for k in (1, 3, 5)] for stop in stops]
    x = min(max(u, 0.0), 1.0) * (len(rgb) - 1)
    k = min(int(x), len(rgb) - 2)
    w = x - k
    return [a + w * (b - a) for a, b in zip(rgb[k], rgb[k + 1], strict=True)]


def pixels(page, vector):
    return page.locator(f'[data-testid="strip-{vector}"] canvas').evaluate(
        "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, 1).data)"
    )


def test_a_wide_strips_image_shows_each_units_value_and_its_cells_still_hover(page, server_url):
    steps = httpx2.post(f"{server_url}/api/trace", json={"model": "code", "text": TEXT}).json()["steps"]
    page.goto(f"{server_url}/?model=code&text=def+f(x):%0A++++return+x%0A&t=12&panels=")
    expect(page.get_by_test_id("position")).to_have_text(re.compile(r"t = 12 of "))
    for vector, stops, scale in (("c", DIVERGING, lambda v: (math.tanh(v) + 1) / 2), ("f", SEQUENTIAL, lambda v: v)):
        values = steps[12]["c"] if vector == "c" else steps[12]["gates"]["f"]
        expect(page.locator(f'[data-testid="strip-{vector}"] canvas')).to_have_count(1)
        shown = pixels(page, vector)
        assert len(shown) == 4 * 256
        for unit, value in enumerate(values):
            # The page's value is within BOUND of the API's; a channel may round either way.
            ends = [ramp(stops, scale(value - BOUND)), ramp(stops, scale(value + BOUND))]
            for channel in range(3):
                low = min(e[channel] for e in ends)
                high = max(e[channel] for e in ends)
                assert round(low) - 1 <= shown[4 * unit + channel] <= round(high) + 1, (vector, unit)
            assert shown[4 * unit + 3] == 255
    # The cells over the image still carry hover and selection.
    page.locator('[data-testid="strip-c"] rect[data-unit="200"]').hover()
    expect(page.get_by_test_id("tooltip")).to_contain_text("Cₜ[200]")
    page.locator('[data-testid="strip-c"] rect[data-unit="200"]').click()
    expect(page.get_by_test_id("unit-input")).to_have_value("200")

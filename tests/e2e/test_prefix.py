"""Under a path prefix, as a university's proxy serves it (/gatescope/): the page finds its
scripts, styles, plotly.js, the stream and the API beside itself, and its Share links and
embeds point there too."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.prefixed import PREFIX
from tests.live_server import live_server


@pytest.fixture(scope="module")
def prefixed_url():
    with live_server(module=("tests.e2e.prefixed",), root=PREFIX) as server:
        yield server.url


def test_the_page_works_under_a_path_prefix_and_shares_links_under_it(page, prefixed_url):
    requested, sockets = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("websocket", lambda ws: sockets.append(ws.url))
    app = f"{prefixed_url}{PREFIX}/"
    page.goto(f"{app}?text=the%20sky&panels=walkthrough,heatmap,gradients")
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    expect(page.locator('[data-testid="heatmap"] .main-svg').first).to_be_visible()  # plotly.js, from beside the page
    expect(page.get_by_test_id("gradients")).to_have_attribute("data-models", "lstm-demo")  # the API, beside it too
    assert sockets == [f"ws://127.0.0.1:{prefixed_url.rsplit(':', 1)[1]}{PREFIX}/ws/trace"]
    assert requested and all(url.startswith(app) for url in requested), [u for u in requested if not u.startswith(app)]

    page.get_by_test_id("share").click()
    expect(page.get_by_test_id("share-link")).to_have_value(re.compile(rf"^{re.escape(app)}\?text=the\+sky&"))
    snippet = page.get_by_test_id("embed-code").input_value()
    embed = re.search(r'<iframe src="([^"]+)"', snippet).group(1).replace("&amp;", "&")
    assert embed.startswith(f"{app}embed?") and f'<script src="{app}static/embed-host.js">' in snippet
    expect(page.frame_locator('[data-testid="embed-preview"]').get_by_test_id("status")).to_have_text("7 steps traced")
    page.goto(embed)
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    expect(page.get_by_test_id("open-full")).to_have_attribute("href", re.compile(rf"^{re.escape(app)}\?text="))

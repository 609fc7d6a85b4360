"""A student at https://localhost:PORT/gatescope/, behind nginx terminating TLS with a
self-signed certificate in front of two server processes (docs/deploy.md's configuration):
the page, its script and styles over https, the stream over wss, no mixed content."""

from __future__ import annotations

import contextlib

import pytest
from playwright.sync_api import expect

from tests.deploy.nginx import BEHIND_PROXY, nginx_in_front, require_nginx
from tests.e2e.conftest import SCREENSHOTS
from tests.live_server import live_server

SENTENCE = "I grew up in France"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    require_nginx()
    with contextlib.ExitStack() as stack:
        backends = [stack.enter_context(live_server(BEHIND_PROXY)) for _ in range(2)]
        yield stack.enter_context(nginx_in_front(backends, tmp_path_factory.mktemp("nginx")))


@pytest.fixture
def student(browser):
    """A page that accepts the test's self-signed certificate, recording what it asks for."""
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.requests, page.sockets, page.console, page.failed = [], [], [], []
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("websocket", lambda socket: page.sockets.append(socket.url))
    page.on("console", lambda message: page.console.append(message.text))
    page.on("requestfailed", lambda request: page.failed.append(request.url))
    page.on("response", lambda response: response.status >= 400 and page.failed.append(response.url))
    yield page
    context.close()


def test_the_app_behind_nginx_with_tls_under_a_prefix_streams_over_wss(proxy, student):
    page = student
    page.goto(proxy.page_url + "?panels=heatmap")  # a chart panel: plotly.js comes from the server too
    expect(page.get_by_test_id("status")).to_have_text("0 steps traced")
    page.get_by_test_id("text-input").press_sequentially(SENTENCE, delay=20)
    expect(page.get_by_test_id("token")).to_have_count(len(SENTENCE))
    expect(page.get_by_test_id("position")).to_have_text(f"t = {len(SENTENCE) - 1} of {len(SENTENCE) - 1}")
    expect(page.locator('[data-testid="heatmap"] .main-svg').first).to_be_visible()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "behind-nginx-tls.png", full_page=True)

    origin = f"https://localhost:{proxy.port}"
    assert page.sockets == [f"wss://localhost:{proxy.port}/gatescope/ws/trace"]
    assert f"{origin}/gatescope/app.js" in page.requests
    assert f"{origin}/gatescope/vendor/plotly.min.js" in page.requests
    assert all(url.startswith((f"{origin}/gatescope/", "data:", "blob:")) for url in page.requests), page.requests
    assert not [text for text in page.console if "Mixed Content" in text or "insecure" in text.lower()]
    assert page.failed == []

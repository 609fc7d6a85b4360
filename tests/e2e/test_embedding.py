"""Into course pages: links that reproduce a view, embeds on other sites, offline lessons."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.live_server import static_site


def test_a_link_reproduces_the_view_and_every_change_is_written_back(page, server_url):
    page.goto(f"{server_url}/?text=the%20sky&t=2&unit=5&stage=1&panels=walkthrough,chain&speed=200")
    expect(page.get_by_test_id("position")).to_have_text("t = 2 of 6")
    expect(page.get_by_test_id("unit-input")).to_have_value("5")
    expect(page.get_by_test_id("stage-1")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_test_id("chain")).to_be_visible()
    expect(page.get_by_test_id("heatmap")).to_be_hidden()
    expect(page.get_by_test_id("predictions")).to_be_hidden()

    page.locator('[data-testid="strip-o"] rect[data-unit="7"]').click()
    page.get_by_test_id("token").nth(4).click()
    page.get_by_test_id("toggle-heatmap").click()
    expect(page).to_have_url(re.compile(r"[?&]t=4&unit=7"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["text"] == ["the sky"] and query["stage"] == ["1"] and query["speed"] == ["200"]
    assert query["panels"] == ["walkthrough,chain,heatmap"]

    page.reload()
    expect(page.get_by_test_id("position")).to_have_text("t = 4 of 6")
    expect(page.get_by_test_id("unit-input")).to_have_value("7")
    expect(page.get_by_test_id("heatmap")).to_be_visible()


def test_malformed_link_values_fall_back_to_defaults(page, server_url):
    page.goto(f"{server_url}/?text=ab&t=-3&unit=x&stage=9&panels=bogus,chain&theme=<b>&speed=1e99")
    expect(page.get_by_test_id("status")).to_have_text("2 steps traced")
    expect(page.get_by_test_id("position")).to_have_text("t = 1 of 1")
    expect(page.get_by_test_id("unit-input")).to_have_value("0")
    expect(page.get_by_test_id("chain")).to_be_visible()
    expect(page.get_by_test_id("walkthrough")).to_be_hidden()


def test_share_dialog_gives_the_link_and_an_iframe_snippet(page, server_url):
    page.goto(f"{server_url}/?text=ab&unit=3")
    expect(page.get_by_test_id("status")).to_have_text("2 steps traced")
    page.get_by_test_id("share").click()
    expect(page.get_by_test_id("share-dialog")).to_be_visible()
    link = page.get_by_test_id("share-link").input_value()
    assert link.startswith(f"{server_url}/?") and "unit=3" in link and "text=ab" in link
    snippet = page.get_by_test_id("embed-code").input_value()
    assert f'<iframe src="{server_url}/embed?' in snippet and "embed-host.js" in snippet
    page.get_by_test_id("close-share").click()
    expect(page.get_by_test_id("share-dialog")).to_be_hidden()


@pytest.fixture
def host_page(tmp_path, server_url):
    """A course page on another origin (another port) that embeds the view and resizes it."""
    course = f"""<!doctype html><html><body>
<h1>Week 3: LSTMs</h1>
<iframe id="view" src="{server_url}/embed?text=the%20sky&panels=walkthrough&hide=examples" width="800" height="150" style="border:0"></iframe>
<script src="{server_url}/static/embed-host.js"></script>
</body></html>"""
    with static_site(tmp_path, {"course.html": course}) as site:
        yield f"{site}/course.html"


def test_an_embed_on_another_origin_renders_resizes_and_obeys_the_message_api(page, host_page):
    page.goto(host_page)
    view = page.frame_locator("#view")
    expect(view.get_by_test_id("status")).to_have_text("7 steps traced")
    expect(view.get_by_test_id("diagram")).to_be_visible()
    expect(view.get_by_test_id("text-input")).to_be_visible()
    # The host script resizes the iframe from 150 px to the height the embed reports.
    page.wait_for_function("document.getElementById('view').getBoundingClientRect().height > 600")

    frame = page.frames[1]
    page.evaluate("""() => {
      const w = document.getElementById('view').contentWindow;
      w.postMessage({type: 'gatescope:set-text', text: 42}, '*');               // wrong type: ignored
      w.postMessage({type: 'gatescope:eval', code: 'document.body.remove()'}, '*'); // unknown: ignored
      w.postMessage('gatescope:play', '*');                                       // not an object: ignored
      w.postMessage({type: 'gatescope:set-text', text: '<img src=x onerror=parent.pwned=1>hi'}, '*');
    }""")
    expect(view.get_by_test_id("status")).to_have_text("36 steps traced")
    assert frame.locator("img").count() == 0 and page.evaluate("window.pwned") is None
    page.evaluate("document.getElementById('view').contentWindow.postMessage({type: 'gatescope:seek', t: 3}, '*')")
    expect(view.get_by_test_id("position")).to_have_text("t = 3 of 35")
    page.evaluate(
        "document.getElementById('view').contentWindow.postMessage({type: 'gatescope:select-unit', unit: 9}, '*')"
    )
    expect(view.get_by_test_id("unit-input")).to_have_value("9")

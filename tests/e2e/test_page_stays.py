"""The page stays where the student put it: typing, scrubbing, clicking a token and opening a
lesson scroll only the panel that shows the current step (the token strip, the unrolled
chain), never the window; and on a 375 px phone nothing is wider than the screen."""

import httpx2
import pytest
from playwright.sync_api import expect

WIDTHS = (1440, 375)
PANELS = "panels=walkthrough,chain,predictions,unit-text"
TEXT = "the clouds are in the sky, and the sun is warm on the sea"  # longer than the chain is wide at 1440 px

# An item is shown whole inside the panel that scrolls it (within a pixel).
SHOWN_INSIDE = """([item, box]) => {
  const a = item.getBoundingClientRect(), b = box.getBoundingClientRect();
  return a.left >= b.left - 1 && a.right <= b.right + 1;
}"""


def settled(page, t: int) -> None:
    """Wait until step t is the current one on the token strip and the chain, shown inside each,
    and then for two more frames: the page scrolls its panels at the frame after a draw."""
    token = page.locator(f'[data-testid="token"][data-t="{t}"]')
    module = page.locator(f'[data-testid="chain-module"][data-t="{t}"]')
    expect(token).to_have_class("token current")
    expect(module).to_have_class("chain-module current")
    for item, box in ((token, "tokens"), (module.locator(".chain-box"), "chain")):
        page.wait_for_function(SHOWN_INSIDE, arg=[item.element_handle(), page.get_by_test_id(box).element_handle()])
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def scroll_y(page) -> float:
    return page.evaluate("() => window.scrollY")


def open_at_the_text_box(page, server_url, width: int, query: str) -> float:
    """The page at `width`, scrolled (as a student would) so the text box is at the top."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{server_url}/?{query}")
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    page.evaluate("() => window.scrollTo(0, document.querySelector('[data-testid=text-input]').offsetTop - 8)")
    return scroll_y(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_typing_moves_the_token_strip_and_the_chain_but_not_the_window(page, server_url, width):
    before = open_at_the_text_box(page, server_url, width, f"{PANELS}&text=")
    assert before > 0 or width == 1440  # on a phone the lessons come first: the page was scrolled
    page.get_by_test_id("text-input").press_sequentially(TEXT, delay=10)
    expect(page.get_by_test_id("status")).to_have_text(f"{len(TEXT)} steps traced")
    settled(page, len(TEXT) - 1)
    chain = page.get_by_test_id("chain")
    assert chain.evaluate("el => el.scrollLeft") > 0  # the chain followed the newest step, inside its panel
    assert scroll_y(page) == before


@pytest.mark.parametrize("width", WIDTHS)
def test_scrubbing_and_clicking_tokens_leave_the_window_where_it_was(page, server_url, width):
    text = TEXT.replace(" ", "%20").replace(",", "%2C")
    before = open_at_the_text_box(page, server_url, width, f"{PANELS}&text={text}")
    settled(page, len(TEXT) - 1)
    assert scroll_y(page) == before

    slider = page.get_by_test_id("time-slider")
    slider.focus()
    page.keyboard.press("Home")  # scrub back to the first step
    settled(page, 0)
    assert page.get_by_test_id("chain").evaluate("el => el.scrollLeft") == 0
    assert scroll_y(page) == before
    page.keyboard.press("End")
    settled(page, len(TEXT) - 1)
    assert scroll_y(page) == before

    page.get_by_test_id("step-back").click()
    settled(page, len(TEXT) - 2)
    assert scroll_y(page) == before

    shown = page.get_by_test_id("token").nth(len(TEXT) - 6)  # a token the strip shows now
    shown.click()
    settled(page, len(TEXT) - 6)
    assert scroll_y(page) == before


def test_a_click_on_a_lesson_opens_it_at_the_top_of_the_page(page, server_url):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{server_url}/?lesson=counter")
        expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
        # the agreement lesson's chain and strip open at t = 11, past the screen's width
        page.get_by_test_id("lesson-agreement").click()
        expect(page).to_have_url(f"{server_url}/?lesson=agreement")
        expect(page.get_by_test_id("status")).to_have_text("17 steps traced")
        settled(page, 11)
        assert scroll_y(page) == 0, width


@pytest.fixture(scope="module")
def lessons(server_url):
    return [lesson["id"] for lesson in httpx2.get(f"{server_url}/api/lessons").json()["lessons"]]


def test_on_a_phone_no_lesson_is_wider_than_the_screen_and_none_scrolls_the_window(page, server_url, lessons):
    page.set_viewport_size({"width": 375, "height": 800})
    for query in ["", "lang=zh", *(f"lesson={lesson}" for lesson in lessons), "lang=zh&lesson=agreement"]:
        page.goto(f"{server_url}/?{query}")
        expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, query
        assert scroll_y(page) == 0, query

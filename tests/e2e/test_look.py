"""Language and theme everywhere: in the dark theme a pressed toggle stays apart from the
others, the chain's labels and the charts' text can be read; the Share dialog's embed builder works from
the keyboard, in both languages and both themes."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import axe  # noqa: F401  (the axe-core scan, a fixture)

# WCAG's contrast ratio of two CSS colours "rgb(r, g, b)".
CONTRAST = """([a, b]) => {
  const luminance = (css) => {
    const [r, g, b] = css.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}"""


def style(locator, prop: str) -> str:
    return locator.evaluate(f"(el) => getComputedStyle(el).{prop}")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_pressed_toggle_differs_from_the_others_and_the_chain_labels_read(page, server_url, theme):
    page.goto(f"{server_url}/?text=the%20sky&panels=walkthrough,chain&stage=1&theme={theme}")
    expect(page.get_by_test_id("status")).to_have_text("7 steps traced")
    pressed, unpressed = page.get_by_test_id("toggle-chain"), page.get_by_test_id("toggle-heatmap")
    expect(pressed).to_have_attribute("aria-pressed", "true")
    expect(unpressed).to_have_attribute("aria-pressed", "false")
    assert style(pressed, "backgroundColor") != style(unpressed, "backgroundColor")
    assert pressed.evaluate("(el) => getComputedStyle(el, '::before').content") != "none"  # a mark, not only a colour
    stage, other = page.get_by_test_id("stage-1"), page.get_by_test_id("stage-2")
    assert style(stage, "backgroundColor") != style(other, "backgroundColor")
    for button in (pressed, unpressed, stage, other):  # each one's text reads on its own background
        assert page.evaluate(CONTRAST, [style(button, "color"), style(button, "backgroundColor")]) >= 4.5
    paper = style(page.locator("body"), "backgroundColor")
    if paper == "rgba(0, 0, 0, 0)":
        paper = style(page.locator("html"), "backgroundColor")
    label = page.locator(".chain-token").first
    expect(label).to_have_text("t")
    assert page.evaluate(CONTRAST, [style(label, "fill"), paper]) >= 4.5


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_charts_text_reads_on_the_page_and_a_dark_page_has_no_white_card(page, server_url, theme):
    page.goto(f"{server_url}/?lesson=counter&panels=inspector&theme={theme}")
    chart = page.get_by_test_id("inspector")
    tick = chart.locator(".ytick text").first
    expect(tick).to_be_visible()  # plotly has drawn it
    paper = style(page.locator("body"), "backgroundColor")
    if paper == "rgba(0, 0, 0, 0)":
        paper = style(page.locator("html"), "backgroundColor")
    assert page.evaluate(CONTRAST, [style(tick, "fill"), paper]) >= 4.5  # the axis's numbers read on the page
    figure = style(chart.locator("svg.main-svg").first, "backgroundColor")
    assert figure == ("rgba(0, 0, 0, 0)" if theme == "dark" else "rgb(255, 255, 255)"), figure


def open_builder(page, server_url, query):
    page.goto(f"{server_url}/?{query}")
    expect(page.get_by_test_id("status")).to_have_attribute("data-state", "traced")
    page.get_by_test_id("share").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("share-dialog")).to_be_visible()


def test_the_embed_builder_works_from_the_keyboard_and_its_choices_reach_link_snippet_and_preview(page, server_url):
    open_builder(page, server_url, "lesson=counter")
    snippet = page.get_by_test_id("embed-code")
    expect(snippet).to_have_value(re.compile(r'<iframe src="[^"]*/embed\?lesson=counter" [^>]*height="720"'))
    preview = page.get_by_test_id("embed-preview")
    expect(preview).to_have_attribute("src", re.compile(r"/embed\?lesson=counter$"))

    page.get_by_test_id("builder-hide-controls").focus()
    page.keyboard.press("Space")
    page.get_by_test_id("builder-theme").focus()
    page.keyboard.press("ArrowDown")  # light -> dark
    page.get_by_test_id("builder-autoplay").focus()
    page.keyboard.press("Space")
    page.get_by_test_id("builder-speed").fill("200")
    page.get_by_test_id("builder-height").fill("640")
    page.get_by_test_id("builder-panel-chain").focus()
    page.keyboard.press("Space")

    expected = "lesson=counter&panels=walkthrough%2Cchain%2Cpredictions%2Cunit-text%2Cinspector&hide=controls&speed=200&autoplay=1&theme=dark"
    expect(page.get_by_test_id("share-link")).to_have_value(f"{server_url}/?{expected}")
    expect(snippet).to_have_value(re.compile(rf'src="{re.escape(server_url)}/embed\?{expected.replace("&", "&amp;")}"'))
    expect(snippet).to_have_value(re.compile(r'height="640"'))
    expect(preview).to_have_attribute("src", f"{server_url}/embed?{expected}")
    embed = page.frame_locator('[data-testid="embed-preview"]')
    expect(embed.locator("html")).to_have_attribute("data-theme", "dark")
    expect(embed.get_by_test_id("play")).to_be_hidden()
    expect(embed.locator('[data-panel="chain"]')).to_be_visible()
    assert page.url == f"{server_url}/?lesson=counter"  # choices for the embed are not the page's own

    page.keyboard.press("Escape")
    expect(page.get_by_test_id("share-dialog")).to_be_hidden()
    expect(preview).to_have_attribute("src", "about:blank")  # its trace ends with the dialog


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_share_dialog_in_each_language_and_theme(page, server_url, axe, screenshot, lang, theme):  # noqa: F811
    for width in (1440, 375):
        page.set_viewport_size({"width": width, "height": 900})
        open_builder(page, server_url, f"lesson=agreement&lang={lang}&theme={theme}")
        dialog = page.get_by_test_id("share-dialog")
        box = dialog.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # no sideways scrolling on a phone
        expect(page.frame_locator('[data-testid="embed-preview"]').get_by_test_id("status")).to_have_attribute(
            "data-state", "traced"
        )
        screenshot(f"share-{lang}-{theme}-{width}")
        page.keyboard.press("Escape")
    page.get_by_test_id("share").click()
    axe()  # (loads axe-core into the page)
    found = page.evaluate(
        """async () => (await axe.run('[data-testid="share-dialog"]', {resultTypes: ['violations']})).violations
            .map((v) => [v.id, v.impact, v.nodes.map((n) => n.target).slice(0, 3)])"""
    )
    assert [v for v in found if v[1] in ("serious", "critical")] == []

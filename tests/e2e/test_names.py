"""A student's names, not the code's: no vector appears under its name in the code
(c_tilde, tanh_c, "c 52") anywhere the page shows text, in either language: the diagram,
the Four steps, legends, axes, menus, tables, tooltips and chart labels all write it as
the article does (C̃ₜ, tanh(Cₜ), hₜ)."""

import re

import pytest
from playwright.sync_api import expect

PANELS = "walkthrough,chain,unit-text,inspector,saturation,heatmap,whatif"
CODE_NAME = re.compile(r"\b[a-z]+_[a-z_]+\b|\btanh\(c\)|\bc_?tilde\b")  # c_tilde, h_prev, weight_hh, tanh(c)

VISIBLE_TEXT = """() => {
  const shown = (element) => element && element.checkVisibility({ visibilityProperty: true, opacityProperty: false });
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.textContent.trim() && shown(node.parentElement) && !node.parentElement.closest('script, style')) texts.push(node.textContent);
  }
  for (const select of document.querySelectorAll('select')) if (shown(select)) texts.push(...[...select.options].map((o) => o.text));
  for (const element of document.querySelectorAll('[title]')) if (shown(element)) texts.push(element.title);
  return texts;
}"""


def plotly_labels(page, testid):
    """A chart's legend names and axis tick labels, as plotly was given them."""
    return page.get_by_test_id(testid).evaluate(
        "el => [...(el.data ?? []).map(d => d.name ?? ''), ...(el.data?.[0]?.y ?? []).filter(v => typeof v === 'string')]"
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    ("model", "layer"), [("lstm-demo", 0), ("gru-article-demo", 0), ("dglstm-demo", 1), ("cwrnn-demo", 0)]
)
def test_no_vector_is_shown_by_its_code_name(page, server_url, model, layer, lang):
    page.goto(f"{server_url}/?model={model}&layer={layer}&text=I%20grew%20up&t=5&panels={PANELS}&lang={lang}&stage=1")
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", "5")
    page.get_by_test_id("values-table").locator("xpath=ancestor::details").locator("summary").click()
    expect(page.get_by_test_id("values-table").locator("tbody tr").first).to_be_visible()
    expect(page.locator('[data-testid="heatmap"] .main-svg').first).to_be_visible()
    expect(page.locator('[data-testid="inspector"] .main-svg').first).to_be_visible()
    page.get_by_test_id("whatif-add").click()  # a clamp, listed under its name
    expect(page.get_by_test_id("whatif-item")).to_have_count(1)
    expect(page.get_by_test_id("diagram-container")).to_have_attribute("data-t", "5")
    page.locator('[data-testid="diagram"] rect.unit').first.hover()
    expect(page.get_by_test_id("tooltip")).to_be_visible()
    texts = page.evaluate(VISIBLE_TEXT) + [page.get_by_test_id("tooltip").inner_text()]
    texts += plotly_labels(page, "heatmap") + plotly_labels(page, "inspector") + plotly_labels(page, "saturation")
    raw = sorted({match for text in texts for match in CODE_NAME.findall(text)})
    assert raw == [], f"code names shown: {raw}"
    # Each heatmap row and inspector line is a vector as the article writes it, with its time index.
    rows = page.get_by_test_id("heatmap").evaluate("el => el.data[0].y")
    assert rows and all(re.fullmatch(r"\S*ₜ\S* \d+", row) for row in rows), rows[:5]
    lines = page.get_by_test_id("inspector").evaluate("el => el.data.map(d => d.name)")
    assert lines and all("ₜ" in line for line in lines), lines
    # and each token of the units-over-text view names the vector it is coloured by so
    titles = page.locator('[data-testid="unit-text"] .unit-token').evaluate_all("spans => spans.map(s => s.title)")
    assert titles and all(re.match(r"t = \d+: \S*ₜ\S*\[\d+\] = ", title) for title in titles), titles[:3]

"""The page in Simplified Chinese: every sentence a student sees is Chinese (model and token
names excepted), the terms' glossary opens from the keyboard, and a Chinese poem is read by
a model that knows its characters."""

import re
from pathlib import Path
from urllib.parse import quote

import httpx2
import pytest
from playwright.sync_api import expect

from tests.e2e.test_accessibility import axe  # noqa: F401 (a fixture)

ALL_PANELS = "walkthrough,chain,predictions,unit-text,inspector,saturation,heatmap,compare,gradients,whatif"
# Names a Chinese page writes in Latin letters: the cells' and libraries' names, people cited,
# math (tanh, mod, the weight matrices), the project, and the vectors' code names (f, c_tilde, ...).
NAMES = {
    "lstm", "rnn", "gru", "tanh", "mod", "gatescope", "olah", "karpathy", "pytorch", "keras", "plotly", "js",
    "w_hh", "w_ih", "w_h", "c_tilde", "h_tilde", "tanh_c", "html", "python", "france", "french", "unk",
    "english",  # the embed builder names each language in itself: English, 中文
    "were", "they",  # the agreement model's words, quoted in its Chinese description (was/were, he/she/they)
    "wh",  # W_h on the GRU diagram, its h a subscript <tspan>: text content "Wh"
}  # fmt: skip
SUBSCRIPTED = re.compile(r"^[A-Za-z]_[A-Za-z0-9]*$")  # x_t, h_T, h_{t-1}: math
WORD = re.compile(r"[A-Za-z][A-Za-z_-]*[A-Za-z_]")  # long-lag-rnn is one name

VISIBLE_TEXT = """() => {
  const seen = [];
  const shown = (el) => {
    if (el.closest('[hidden], [lang="en"], script, style, template, textarea')) return false;
    if (el.closest('dialog') && !el.closest('dialog').open) return false;
    const style = getComputedStyle(el);
    return style.display !== 'none' && style.visibility !== 'hidden' && el.getClientRects().length > 0;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el && walker.currentNode.textContent.trim() && shown(el)) seen.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder], option')) {
    const owner = el.tagName === 'OPTION' ? el.closest('select') : el;
    if (!owner || !shown(owner)) continue;
    for (const attribute of ['title', 'aria-label', 'placeholder']) if (el.getAttribute(attribute)) seen.push(el.getAttribute(attribute));
    if (el.tagName === 'OPTION') seen.push(el.textContent);
  }
  seen.push(document.title);
  return seen;
}"""


@pytest.fixture(scope="module")
def model_names(server_url):
    return {m["name"] for m in httpx2.get(f"{server_url}/api/models").json()["models"]}


def token_names(server_url, model, text):
    """The tokens the model reads and guesses, from the API: the page shows them as they are."""
    trace = httpx2.post(f"{server_url}/api/trace", json={"model": model, "text": text}).json()
    return {s["token"] for s in trace["steps"]} | {p["token"] for s in trace["steps"] for p in s.get("predictions", [])}


def cut_short(word, allowed):
    """A token name shortened to fit (the chain writes "Franc…" for "France")."""
    return len(word) >= 3 and any(name.startswith(word) for name in allowed)


def english_words(texts, allowed):
    """Latin words of two letters or more that are not names (case aside)."""
    allowed = {name.lower() for name in allowed}
    return sorted(
        {
            word
            for text in texts
            for word in WORD.findall(text)
            if word.lower() not in allowed and not SUBSCRIPTED.match(word) and not cut_short(word.lower(), allowed)
        }
    )


def show_everything(page):
    """Open every disclosure, put one what-if change in its list, and open the glossary."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.get_by_test_id("whatif-add").click()
    expect(page.get_by_test_id("whatif-list").locator("li")).to_have_count(1)
    expect(page.locator('[data-testid="inspector"] .main-svg').first).to_be_visible()
    expect(page.locator('[data-testid="heatmap"] .main-svg').first).to_be_visible()
    expect(page.locator('[data-testid="saturation"] .main-svg').first).to_be_visible()


CASES = [  # a model of each kind, with the compare panel's partner and a text it reads
    ("agreement", "the king , who met the queen , was tired so he"),
    ("poetry", "白日依山尽，黄河入海流。"),
    ("long-lag-lstm", "I grew up in France . I speak fluent"),
    ("code", "def f(x):\n    return [x]\n"),
    ("gru-demo", "the clouds"),
    ("cwrnn-demo", "the clouds"),
    ("dglstm-demo", "the clouds"),
]


@pytest.mark.parametrize("model,text", CASES, ids=[case[0] for case in CASES])
def test_the_chinese_page_shows_no_english_but_model_and_token_names(page, server_url, model_names, model, text):
    page.goto(f"{server_url}/?lang=zh&model={model}&panels={ALL_PANELS}&text={quote(text)}")
    expect(page.get_by_test_id("status")).to_have_text(re.compile("已追踪"))
    expect(page.get_by_test_id("compare-status")).not_to_be_empty()
    show_everything(page)
    compared = page.get_by_test_id("compare-select").input_value()
    # The "Try:" chip's sentence is data (the model's lesson text), read as the page reads it.
    examples = set(
        WORD.findall(" ".join(page.locator("[data-example]").evaluate_all("els => els.map(e => e.dataset.example)")))
    )
    allowed = (
        NAMES | model_names | examples | token_names(server_url, model, text) | token_names(server_url, compared, text)
    )
    shown = page.evaluate(VISIBLE_TEXT)
    assert any("细胞状态" in s or "隐状态" in s or "神经元" in s for s in shown)
    found = english_words(shown, allowed)
    assert found == [], " | ".join(found)
    page.get_by_test_id("glossary").click()
    expect(page.get_by_test_id("glossary-dialog")).to_be_visible()
    assert english_words(page.evaluate(VISIBLE_TEXT), allowed) == []
    page.keyboard.press("Escape")
    page.get_by_test_id("share").click()  # the share dialog: the link, the embed and its options
    expect(page.get_by_test_id("share-dialog")).to_be_visible()
    found = english_words(page.evaluate(VISIBLE_TEXT), allowed)
    assert found == [], " | ".join(found)


def test_a_refusal_from_the_server_is_told_in_chinese(page, server_url):
    page.goto(f"{server_url}/?lang=zh&text=ab")
    expect(page.get_by_test_id("status")).to_have_text(re.compile("已追踪"))
    page.get_by_test_id("text-input").fill("ab\u0001")  # a control character: the server's bad_text
    expect(page.get_by_test_id("error")).to_have_text("文字里有无法读取的字符（控制字符）。")
    page.goto(f"{server_url}/?lang=en&text=ab")
    page.get_by_test_id("text-input").fill("ab\u0001")
    expect(page.get_by_test_id("error")).to_contain_text("U+0001")  # English: the server's own detail


def test_every_error_code_the_server_sends_has_a_sentence_in_both_tables(page, server_url):
    root = Path(__file__).resolve().parents[2]
    source = "\n".join(p.read_text() for p in (root / "app").rglob("*.py"))
    codes = set(re.findall(r'code = "(\w+)"', source)) | set(re.findall(r'"code": "(\w+)"', source))
    codes |= set(re.findall(r'ProtocolError\(\s*"(\w+)"', source))
    assert {"bad_text", "too_long", "unknown_model", "bad_json", "too_many_sessions"} <= codes
    page.goto(server_url)
    tables = page.evaluate("""async () => {
      const en = (await import('/static/js/i18n/index.js')).LANGUAGES.en;
      const zh = (await import('/static/js/i18n/index.js')).LANGUAGES.zh;
      return [Object.keys(en), Object.keys(zh)];
    }""")
    for keys in tables:
        assert {f"error_{code}" for code in codes - {"not_ours"}} <= set(keys)


def test_the_glossary_opens_and_closes_from_the_keyboard(page, server_url, screenshot):
    page.goto(f"{server_url}/?lang=zh")
    expect(page.get_by_test_id("glossary")).to_have_text("术语对照")
    for _ in range(30):  # Tab from the top of the page until the glossary button has the focus
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.dataset.testid") == "glossary":
            break
    expect(page.get_by_test_id("glossary")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = page.get_by_test_id("glossary-dialog")
    expect(dialog).to_be_visible()
    table = page.get_by_test_id("glossary-table")
    for page_term, article_term in (("细胞状态", "单元状态"), ("门", "门限"), ("遗忘门（层）", "遗忘门限层")):
        expect(table.locator("tr", has=page.get_by_text(article_term, exact=True))).to_contain_text(page_term)
    expect(table).to_contain_text("神经元")
    screenshot("glossary-zh")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("glossary")).to_be_focused()


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_open_glossary_has_no_serious_accessibility_violations(page, server_url, axe, theme):  # noqa: F811
    page.goto(f"{server_url}/?lang=zh&theme={theme}")
    page.get_by_test_id("glossary").click()
    expect(page.get_by_test_id("glossary-table").locator("tbody tr").first).to_be_visible()
    assert [v for v in axe() if v[1] in ("serious", "critical")] == []


def test_the_poetry_lesson_reads_a_held_out_poem_on_the_unit_that_counts_the_line(page, server_url, screenshot):
    models = {m["name"]: m for m in httpx2.get(f"{server_url}/api/models").json()["models"]}
    label = max((u for u in models["poetry"]["units"] if u["feature"] == "position in line"), key=lambda u: abs(u["r"]))
    page.goto(f"{server_url}/?lesson=poetry&lang=zh")
    expect(page.get_by_test_id("status")).to_have_text("已追踪 24 步")
    expect(page.get_by_test_id("lesson-poetry")).to_have_text(re.compile("逐字读唐诗"))
    expect(page.get_by_test_id("token")).to_have_count(24)
    expect(page.locator('[data-testid="token"].unk')).to_have_count(0)
    expect(page.get_by_test_id("unit-input")).to_have_value(str(label["unit"]))
    expect(page.get_by_test_id("labelled-units")).to_contain_text("句中第几字")
    expect(page.get_by_test_id("model-info")).to_contain_text("唐宋近体诗")
    # the unit's value moves one way through each line: the first character against the fifth
    spans = page.get_by_test_id("unit-text").locator("[data-t]")
    expect(spans).to_have_count(24)
    values = [float(spans.nth(t).get_attribute("data-value")) for t in range(24)]
    sign = 1 if label["r"] > 0 else -1
    for start in (0, 6, 12, 18):
        assert sign * values[start + 4] > sign * values[start], (start, values)
    screenshot("lesson-poetry-zh")

"""What a phone or a Chinese input method types: curly quotes read as the straight ones
the prose model knows, each marked on the token strip with the form it was read as."""

import re

import httpx2
import pytest
from playwright.sync_api import expect

CURLY = "She said, \u201cI cannot come today,\u201d and smiled."
STRAIGHT = 'She said, "I cannot come today," and smiled.'
OPENING, CLOSING = CURLY.index("\u201c"), CURLY.index("\u201d")


@pytest.fixture(scope="module")
def quote_unit(server_url):
    models = httpx2.get(f"{server_url}/api/models").json()["models"]
    units = [u for u in next(m for m in models if m["name"] == "prose")["units"] if "inside quotes" in u["feature"]]
    return max(units, key=lambda u: abs(u["r"]))


def open_prose(page, server_url, label, lang="en"):
    page.goto(f"{server_url}/?model=prose&panels=unit-text&unit={label['unit']}&vector=tanh_c&lang={lang}")
    expect(page.get_by_test_id("model-select")).to_have_value("prose")
    expect(page.get_by_test_id("unit-input")).to_have_value(str(label["unit"]))


def type_text(page, text):
    box = page.get_by_test_id("text-input")
    box.press("Control+a")
    box.press("Delete")
    box.press_sequentially(text, delay=10)
    expect(page.get_by_test_id("status")).to_have_text(re.compile(rf"(^| ){len(text)} (steps traced|步)$"))
    spans = page.get_by_test_id("unit-text").locator("[data-t]")
    expect(spans).to_have_count(len(text))
    return [float(v) for v in spans.evaluate_all("spans => spans.map(s => s.dataset.value)")]


def test_curly_quotes_move_the_prose_quote_unit_as_straight_quotes_do(page, server_url, quote_unit, screenshot):
    open_prose(page, server_url, quote_unit)
    curly = type_text(page, CURLY)
    marked = page.locator('[data-testid="token"].read-as')
    expect(marked).to_have_count(2)
    expect(marked.first).to_have_text("\u201c")  # what was typed stays on the strip
    expect(marked.first).to_have_attribute("data-read-as", '"')
    expect(marked.first).to_have_attribute("title", re.compile("“ is read as \": the model's vocabulary has no “"))
    expect(page.locator('[data-testid="token"].unk')).to_have_count(0)
    marked.first.click()
    screenshot("typographic-curly-quotes")

    straight = type_text(page, STRAIGHT)
    expect(page.locator('[data-testid="token"].read-as')).to_have_count(0)
    assert curly == straight  # the same unit, step for step: the quotes were read as straight ones
    sign = 1 if quote_unit["r"] > 0 else -1
    inside = [sign * v for v in curly[OPENING + 1 : CLOSING]]
    outside = [sign * v for v in curly[:OPENING] + curly[CLOSING + 1 :]]
    assert min(inside) > max(outside)  # and it is the quote unit's pattern, not a flat line


def test_the_mark_reads_in_chinese_too(page, server_url, quote_unit):
    open_prose(page, server_url, quote_unit, lang="zh")
    type_text(page, "\u2018ok\u2019\uff0c")
    marked = page.locator('[data-testid="token"].read-as')
    expect(marked).to_have_count(3)
    expect(marked.nth(2)).to_have_attribute("data-read-as", ",")
    expect(marked.first).to_have_attribute("title", re.compile("‘ 按 ' 读取：模型的词表中没有 ‘"))

"""English and Simplified Chinese: every string from one table per language."""

from playwright.sync_api import expect

KEYS = """async () => {
  const en = (await import('/static/js/i18n/index.js')).LANGUAGES.en;
  const zh = (await import('/static/js/i18n/index.js')).LANGUAGES.zh;
  return [Object.keys(en).sort(), Object.keys(zh).sort()];
}"""

UNTRANSLATED = """async () => {
  const zh = (await import('/static/js/i18n/index.js')).LANGUAGES.zh;
  const wrong = [];
  for (const el of document.querySelectorAll('[data-i18n]')) {
    const key = el.dataset.i18n;
    if (typeof zh[key] !== 'string' || el.textContent !== zh[key]) wrong.push(key);
  }
  for (const el of document.querySelectorAll('[data-i18n-aria-label], [data-i18n-placeholder], [data-i18n-title]')) {
    for (const [data, attr] of [['i18nAriaLabel', 'aria-label'], ['i18nPlaceholder', 'placeholder'], ['i18nTitle', 'title']]) {
      const key = el.dataset[data];
      if (key && el.getAttribute(attr) !== zh[key]) wrong.push(key);
    }
  }
  return wrong;
}"""


def test_both_tables_have_the_same_strings(page, server_url):
    page.goto(server_url)
    en, zh = page.evaluate(KEYS)
    assert en == zh and len(en) > 100


def test_the_page_in_chinese_has_no_missing_strings(page, server_url, screenshot):
    page.goto(f"{server_url}/?lang=zh&text=I%20grew%20up&stage=2")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    expect(page.get_by_test_id("status")).to_have_text("已追踪 9 步")
    assert page.evaluate(UNTRANSLATED) == []
    expect(page.get_by_test_id("toggle-walkthrough")).to_have_text("四个步骤")
    expect(page.get_by_test_id("stage-title")).to_have_text("3. 更新细胞状态：丢掉旧的，加入新的")
    expect(page.get_by_test_id("stage-story")).to_contain_text("神经元 0 的细胞状态从")
    expect(page.get_by_test_id("position")).to_have_text("t = 8（共 8）")
    expect(page.get_by_test_id("model-shape")).to_have_text("LSTM · 1 层 × 16 个神经元 · 字符级词元")
    screenshot("lang-zh")


def test_the_browser_language_chooses_when_the_link_does_not(browser, server_url):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(server_url)
    expect(page.get_by_test_id("toggle-heatmap")).to_have_text("热图")
    page.goto(f"{server_url}/?lang=en")
    expect(page.get_by_test_id("toggle-heatmap")).to_have_text("Heatmap")
    context.close()

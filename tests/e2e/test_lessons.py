"""The trained demo models, opened from the page's lesson links, tell the article's stories."""

import re

from playwright.sync_api import expect


def top_prediction(panel):
    first = panel.get_by_test_id("prediction").first
    token = first.locator(".prediction-token").inner_text()
    p = float(first.locator(".prediction-p").inner_text().rstrip("%")) / 100
    return token, p


def open_lesson(page, server_url, lesson: str, model: str) -> None:
    page.goto(server_url)
    page.get_by_test_id(f"lesson-{lesson}").click()
    expect(page.get_by_test_id("model-select")).to_have_value(model)


def cell_state_at(page, t: int, unit: int) -> float:
    """Unit's C after token t, as the C strip's tooltip shows it."""
    page.get_by_test_id("token").nth(t).click()
    expect(page.get_by_test_id("position")).to_have_text(re.compile(rf"t = {t} of "))
    page.locator(f'[data-testid="strip-c"] rect[data-unit="{unit}"]').hover()
    return float(re.search(r"= (-?\d+\.\d+)", page.get_by_test_id("tooltip").inner_text()).group(1))


def test_france_to_french_the_lstm_remembers_what_the_rnn_does_not(page, server_url, screenshot):
    open_lesson(page, server_url, "french", "long-lag-lstm")
    expect(page.get_by_test_id("compare-select")).to_have_value("long-lag-rnn")
    expect(page.get_by_test_id("compare-status")).to_have_text(re.compile(r"\d+ steps traced"))
    expect(page.get_by_test_id("token").last).to_have_text("fluent")
    lstm_token, lstm_p = top_prediction(page.locator(".stage").first)
    assert (lstm_token, lstm_p > 0.9) == ("french", True)
    expect(page.get_by_test_id("compare-predictions").get_by_test_id("prediction")).to_have_count(5)
    rnn = page.get_by_test_id("compare-predictions").locator("li").evaluate_all(
        "rows => rows.map(r => [r.children[0].textContent, parseFloat(r.children[2].textContent) / 100])")
    assert dict(rnn).get("french", 0.0) < lstm_p - 0.3  # the plain RNN has lost France
    expect(page.get_by_test_id("gradients")).to_have_attribute("data-models", "long-lag-lstm,long-lag-rnn")
    screenshot("lesson-french")


def test_the_agreement_unit_holds_the_subject_and_the_pronoun_follows_it(page, server_url):
    open_lesson(page, server_url, "agreement", "agreement")
    expect(page.get_by_test_id("labelled-units-picker")).to_be_visible()
    expect(page.get_by_test_id("labelled-units")).to_contain_text("subject gender")
    expect(page.get_by_test_id("status")).to_have_text("18 steps traced")
    page.get_by_test_id("token").nth(10).click()  # "so", after "the queen , who met the king , was tired"
    expect(page.get_by_test_id("position")).to_have_text("t = 10 of 17")
    token, p = top_prediction(page.locator(".stage").first)
    assert token == "she" and p > 0.5


def test_the_counter_unit_counts_bracket_depth(page, server_url):
    open_lesson(page, server_url, "counter", "counter")
    expect(page.get_by_test_id("unit-input")).to_have_value("2")
    depth, cells = 0, []
    expect(page.get_by_test_id("status")).to_have_text("9 steps traced")
    for t, char in enumerate("(()(()))("):
        depth += 1 if char == "(" else -1
        cells.append((depth, cell_state_at(page, t, unit=2)))
    # C of unit 2 orders the steps by depth: deeper brackets, larger (or smaller) cell state.
    by_depth = {}
    for d, c in cells:
        by_depth.setdefault(d, []).append(c)
    means = [sum(v) / len(v) for _, v in sorted(by_depth.items())]
    assert means == sorted(means) or means == sorted(means, reverse=True)


def test_the_lag_curve_shows_the_lstm_right_at_every_gap_and_the_rnn_not(page, server_url):
    page.goto(server_url)
    page.get_by_test_id("lesson-french").click()
    curve = page.get_by_test_id("lag-curve")
    expect(curve).to_have_attribute("data-models", "long-lag-lstm,long-lag-rnn")
    lstm, rnn = curve.evaluate("el => el.data.map(d => d.y)")
    assert min(lstm) > 0.95 and max(rnn) < 0.6


def test_the_code_model_reads_python_and_guesses_its_next_character(page, server_url):
    open_lesson(page, server_url, "code", "code")
    expect(page.get_by_test_id("untrained-badge")).to_be_hidden()
    expect(page.get_by_test_id("status")).to_contain_text("steps traced")
    page.get_by_test_id("token").nth(8).click()  # "def area(": an empty argument list is its best guess
    expect(page.get_by_test_id("position")).to_have_text(re.compile(r"t = 8 of "))
    token, p = top_prediction(page.locator(".stage").first)
    assert token == ")" and p > 0.3


def test_the_prose_unit_follows_dialogue_and_the_model_finishes_austens_words(page, server_url):
    open_lesson(page, server_url, "prose", "prose")
    expect(page.get_by_test_id("untrained-badge")).to_be_hidden()
    expect(page.get_by_test_id("unit-input")).to_have_value("39")
    expect(page.get_by_test_id("labelled-units")).to_contain_text("inside quotes")
    expect(page.get_by_test_id("status")).to_contain_text("steps traced")
    # '"I cannot agree with you, papa; you know I cannot." She smiled, and said nothing more.'
    inside = [cell_state_at(page, t, unit=39) for t in (5, 30, 45)]
    outside = [cell_state_at(page, t, unit=39) for t in (60, 75)]
    assert max(inside) < min(outside) - 0.5  # unit 39's C sits apart while the quotation is open
    page.get_by_test_id("token").nth(18).click()  # '"I cannot agree wit': "h" comes next
    expect(page.get_by_test_id("position")).to_have_text(re.compile(r"t = 18 of "))
    token, p = top_prediction(page.locator(".stage").first)
    assert token == "h" and p > 0.5

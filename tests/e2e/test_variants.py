"""The §6 variants, trained alike and compared as a student sees them: one held-out loss
curve per model, labelled with its cell's name in English and Chinese, a table of their
held-out numbers, each model's diagram a click away; and a Compare view whose partner,
title, lag curve and badges fit the pair shown."""

import re

import httpx2
import pytest
from playwright.sync_api import expect

# Each shipped variant and the name its curve carries, as a student reads it.
LABELS = {
    "variants-rnn": ("Plain RNN", "普通 RNN"),
    "variants-lstm": ("LSTM", "LSTM"),
    "variants-lstm-bf0": ("LSTM · forget bias starts at 0", "LSTM · 遗忘门偏置从 0 开始"),
    "variants-peephole": ("Peephole LSTM", "窥视孔 LSTM"),
    "variants-cifg": ("Coupled gates (CIFG)", "耦合门 LSTM（CIFG）"),
    "variants-gru": ("GRU (PyTorch's form)", "GRU（PyTorch 的形式）"),
    "variants-gru-article": ("GRU (the article's form)", "GRU（文章的形式）"),
    "variants-dglstm": ("Depth-gated LSTM · 2 layers", "深度门控 LSTM · 2 层"),
    "variants-lstm2": ("LSTM · 2 layers", "LSTM · 2 层"),
    "variants-cwrnn": ("Clockwork RNN", "时钟 RNN"),
}


@pytest.fixture(scope="module")
def models(server_url):
    return {model["name"]: model for model in httpx2.get(f"{server_url}/api/models").json()["models"]}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_lesson_draws_one_held_out_curve_per_variant_named_by_its_cell(page, server_url, models, lang):
    page.goto(f"{server_url}/?lesson=variants&lang={lang}")
    expect(page.get_by_test_id("model-select")).to_have_value("variants-lstm")
    chart = page.get_by_test_id("loss-curves")
    expect(chart).to_have_attribute("data-models", re.compile("^variants-lstm,"))  # plotly loads first
    names = chart.get_attribute("data-models").split(",")
    assert sorted(names) == sorted(LABELS)  # every variant, each once
    drawn = chart.evaluate("el => el.data.map(d => ({name: d.name, x: d.x, y: d.y}))")
    language = 0 if lang == "en" else 1
    for name, curve in zip(names, drawn, strict=True):
        assert curve["name"] == LABELS[name][language]
        recorded = models[name]["metrics"]["validation_curve"]  # the file's own held-out numbers, drawn as they are
        assert curve["x"] == [p["epoch"] for p in recorded] and curve["y"] == [p["bits_per_token"] for p in recorded]
    rows = page.get_by_test_id("loss-row")
    expect(rows).to_have_count(len(LABELS))
    tested = [models[name]["metrics"]["test"]["bits_per_token"] for name in LABELS]
    shown = [float(row.locator("td").nth(2).inner_text()) for row in rows.all()]
    assert shown == sorted(round(bits, 3) for bits in tested)  # best first
    for row in rows.all():
        name = row.get_attribute("data-model")
        expect(row.locator("th")).to_have_text(LABELS[name][language])
        accuracy = models[name]["metrics"]["test"]["accuracy"]
        expect(row.locator("td").nth(3)).to_have_text(f"{accuracy * 100:.1f}%")


def test_a_row_opens_its_model_with_its_diagram_beside_its_partner(page, server_url):
    page.goto(f"{server_url}/?lesson=variants")
    expect(page.get_by_test_id("compare-select")).to_have_value("variants-gru")  # the lesson's pair
    expect(page.get_by_test_id("compare-title")).to_have_text(
        "Trained alike, another cell: LSTM beside GRU (PyTorch's form)"
    )
    page.locator('[data-testid="loss-row"][data-model="variants-cwrnn"]').get_by_test_id("loss-open").click()
    expect(page.get_by_test_id("model-select")).to_have_value("variants-cwrnn")
    expect(page.get_by_test_id("diagram")).to_have_attribute("data-cell", "cwrnn")
    expect(page.get_by_test_id("compare-select")).to_have_value("variants-rnn")  # the RNN it splits into modules
    expect(page.get_by_test_id("compare-diagram")).to_have_attribute("data-cell", "rnn")
    expect(page.get_by_test_id("compare-title")).to_have_text(
        "Trained alike, another cell: Clockwork RNN beside Plain RNN"
    )
    expect(page.get_by_test_id("loss-curves")).to_have_attribute("data-models", re.compile("^variants-cwrnn,"))
    expect(page.locator('[data-testid="loss-row"][aria-current]')).to_have_attribute("data-model", "variants-cwrnn")


@pytest.mark.parametrize("main,partner,cell", [
    ("variants-gru", "variants-lstm", "lstm"),  # the GRU beside the LSTM it simplifies
    ("variants-gru-article", "variants-gru", "gru"),  # one GRU form beside the other
    ("variants-peephole", "variants-lstm", "lstm"),
    ("variants-lstm-bf0", "variants-lstm", "lstm"),  # what the forget gate's bias does
    ("variants-dglstm", "variants-lstm2", "lstm"),  # the depth gate, against a stack without it
])  # fmt: skip
def test_compare_picks_each_variants_partner_and_titles_the_pair(page, server_url, main, partner, cell):
    page.goto(f"{server_url}/?model={main}&panels=compare")
    expect(page.get_by_test_id("compare-select")).to_have_value(partner)
    expect(page.get_by_test_id("compare-diagram")).to_have_attribute("data-cell", cell)
    title = f"Trained alike, another cell: {LABELS[main][0]} beside {LABELS[partner][0]}"
    expect(page.get_by_test_id("compare-title")).to_have_text(title)
    expect(page.get_by_test_id("lag-curve")).to_be_hidden()  # no lag task here
    expect(page.get_by_test_id("compare-untrained-badge")).to_be_hidden()


def test_the_lag_pair_keeps_its_title_and_curve(page, server_url):
    page.goto(f"{server_url}/?lesson=french")
    expect(page.get_by_test_id("compare-title")).to_have_text(
        "The long-term dependency problem: the same text, another model"
    )
    expect(page.get_by_test_id("lag-curve")).to_have_attribute("data-models", "long-lag-lstm,long-lag-rnn")
    expect(page.get_by_test_id("loss-curves")).to_be_hidden()


def test_a_model_with_no_partner_gets_none_and_no_lag_curve(page, server_url):
    """The agreement model reads words no other model was trained on: nothing is set
    beside it (once, the lag task's RNN was, with its lag curve), until the student picks."""
    page.goto(f"{server_url}/?model=agreement&panels=compare&lang=zh")
    expect(page.get_by_test_id("compare-select")).to_have_value("")
    expect(page.get_by_test_id("compare-title")).to_have_text("同一段文字，另一个模型")
    expect(page.get_by_test_id("compare-status")).to_have_text(re.compile("没有别的模型在这个任务上训练过"))
    expect(page.get_by_test_id("lag-curve")).to_be_hidden()
    page.get_by_test_id("compare-select").select_option("long-lag-rnn")  # the student's own choice is kept
    expect(page.get_by_test_id("compare-diagram")).to_have_attribute("data-cell", "rnn")
    expect(page.get_by_test_id("compare-title")).to_have_text(re.compile("^同一段文字，另一个模型："))
    expect(page.get_by_test_id("lag-curve")).to_be_hidden()  # agreement has no lag curve to set it against


def test_an_untrained_partner_shows_its_badge(page, server_url):
    page.goto(f"{server_url}/?model=lstm-demo&panels=compare")
    expect(page.get_by_test_id("compare-select")).to_have_value("rnn-demo")
    expect(page.get_by_test_id("compare-untrained-badge")).to_be_visible()
    expect(page.get_by_test_id("compare-untrained-badge")).to_have_text("untrained")
    page.goto(f"{server_url}/?model=variants-lstm&compare=cwrnn-demo&panels=compare&lang=zh")
    expect(page.get_by_test_id("compare-diagram")).to_have_attribute("data-cell", "cwrnn")
    expect(page.get_by_test_id("compare-untrained-badge")).to_have_text("未训练")
    expect(page.get_by_test_id("compare-title")).to_have_text("同一段文字，另一个模型：LSTM 与 时钟 RNN 并排")
    page.get_by_test_id("compare-select").select_option("variants-rnn")
    expect(page.get_by_test_id("compare-untrained-badge")).to_be_hidden()


def test_the_partner_follows_the_main_model_until_the_student_picks_one(page, server_url):
    page.goto(f"{server_url}/?model=variants-lstm&panels=compare")
    expect(page.get_by_test_id("compare-select")).to_have_value("variants-rnn")  # the article's §2 contrast
    page.get_by_test_id("model-select").select_option("variants-cifg")
    expect(page.get_by_test_id("compare-select")).to_have_value("variants-lstm")
    page.get_by_test_id("compare-select").select_option("variants-gru")
    page.get_by_test_id("model-select").select_option("variants-peephole")
    expect(page.get_by_test_id("diagram")).to_have_attribute("data-cell", "peephole")
    expect(page.get_by_test_id("compare-select")).to_have_value("variants-gru")  # picked: it stays

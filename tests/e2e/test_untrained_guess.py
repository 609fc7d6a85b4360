"""Guesses a model was never trained to make: a model file that records where it was
trained to guess (info.guesses_after) has its guesses elsewhere marked, in the guesses
panel, the token strip and the unrolled chain, in English and Chinese."""

from __future__ import annotations

import dataclasses
import re

import pytest
from playwright.sync_api import expect

from app.models.format import save_model
from tests.helpers import tiny_model
from tests.live_server import live_server

TEXT = "i grew up in france"


@pytest.fixture(scope="module")
def marked_server(tmp_path_factory):
    models = tmp_path_factory.mktemp("models")
    model = tiny_model(word=True, name="marked")
    save_model(dataclasses.replace(model, info={"guesses_after": ["in"]}), models / "marked.npz")
    with live_server({"GATESCOPE_MODELS": str(models)}) as server:
        yield server.url


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_guesses_after_tokens_it_never_learnt_to_guess_after_are_marked(page, marked_server, lang, screenshot):
    page.goto(f"{marked_server}/?model=marked&text={TEXT.replace(' ', '+')}&panels=predictions,chain&lang={lang}")
    expect(page.get_by_test_id("status")).to_contain_text("5")
    note = page.get_by_test_id("untrained-guess")
    expect(page.get_by_test_id("token").last).to_have_text("france")
    expect(note).to_have_count(1)  # the last step, after "france": never trained to guess there
    expect(note).to_contain_text("“in”")
    expect(note).to_contain_text("not trained to guess here" if lang == "en" else "此处未训练猜测")
    marks = page.get_by_test_id("token").evaluate_all("els => els.map(e => e.classList.contains('untrained-guess'))")
    assert marks == [True, True, True, False, True]
    chain = page.get_by_test_id("chain-module").evaluate_all(
        "els => els.map(e => e.classList.contains('untrained-guess'))"
    )
    assert chain == [True, True, True, False, True]
    screenshot(f"untrained-guess-{lang}")
    page.get_by_test_id("token").nth(3).click()  # "in": where it was trained to guess
    expect(page.get_by_test_id("position")).to_have_text(re.compile(r"^t = 3\b"))
    expect(note).to_have_count(0)
    expect(page.get_by_test_id("prediction")).to_have_count(5)

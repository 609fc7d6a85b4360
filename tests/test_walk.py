"""The guided walk's beat files (static/walk/): the views are ones the page can show with
the models that exist, the words say the same thing in both languages with the page's
Chinese terms, and every question's answer is what the model does."""

import re
from functools import cache
from urllib.parse import parse_qs

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.lessons import available_lessons
from app.main import create_app
from app.models.registry import ModelRegistry
from app.settings import Settings
from app.ui import LANGUAGES, PANELS, served_contract
from app.walk import Evidence, home_query, load_walk, load_words, walk_view

SETTINGS = Settings()
WALK = load_walk(SETTINGS.static_dir)
REGISTRY = ModelRegistry()
SUMMARIES = REGISTRY.summaries()
LESSONS = available_lessons(SUMMARIES)
BEATS = walk_view(WALK, LESSONS, SUMMARIES)
WORDS = {language: load_words(SETTINGS.static_dir, language) for language in LANGUAGES}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def query_of(query: str) -> dict:
    return {k: v[0] for k, v in parse_qs(query, keep_blank_values=True).items()}


def view_of(beat: dict, reveal: bool = False) -> dict:
    view = query_of(beat["query"])
    if reveal and beat["question"]:
        view.update(query_of(beat["question"]["reveal"]))
    return view


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(SETTINGS)) as client:
        yield client


def test_every_beat_is_offered_with_the_bundled_models_in_the_articles_order():
    assert [beat["id"] for beat in BEATS] == [beat.id for beat in WALK.beats]
    sections = [float(beat["section"]) for beat in BEATS]
    assert sections == sorted(sections) and sections[0] == 1 and sections[-1] == 7
    assert {1, 2, 4, 5, 6, 7} <= {int(section) for section in sections}  # §3 is the diagrams' notation
    assert sum(beat["question"] is not None for beat in BEATS) >= 5


def test_a_beat_whose_lesson_or_model_is_missing_is_left_out():
    without_prose = [summary for summary in SUMMARIES if summary["name"] != "prose"]
    beats = walk_view(WALK, available_lessons(without_prose), without_prose)
    assert "output" not in [beat["id"] for beat in beats] and len(beats) == len(BEATS) - 1
    broken = [
        {**summary, "error": "bad file"} if summary["name"] == "long-lag-rnn" else summary for summary in SUMMARIES
    ]
    ids = [beat["id"] for beat in walk_view(WALK, available_lessons(broken), broken)]
    assert not {"unrolled", "short-gap", "long-gap", "belt", "attention"} & set(ids)  # the RNN, or its lesson
    assert home_query(WALK, broken) == home_query(WALK, SUMMARIES)  # the LSTM is still here
    assert home_query(WALK, [s for s in SUMMARIES if s["name"] != "long-lag-lstm"]) is None


def test_the_first_visit_opens_on_a_trained_model():
    home = query_of(home_query(WALK, SUMMARIES))
    summary = next(s for s in SUMMARIES if s["name"] == home["model"])
    assert summary["trained"] and home["text"]


def test_each_beats_view_is_one_the_page_can_show():
    panels = {panel.name for panel in PANELS}
    lessons = {lesson["id"] for lesson in LESSONS}
    for beat in BEATS:
        for reveal in (False, True):
            view = view_of(beat, reveal)
            model = REGISTRY.get(view["model"])
            assert set(view["panels"].split(",")) <= panels, beat["id"]
            tokens = model.tokenizer.encode(view["text"])
            if view.get("t"):
                assert int(view["t"]) < len(tokens), beat["id"]
            figure = model.cell.figures(model.cell_options)[-1]
            if view.get("stage"):
                assert int(view["stage"]) < len(figure.stages), beat["id"]
            if "unit" in view:
                assert int(view["unit"]) < model.hidden_size
        if beat["highlight"]:
            figure = model.cell.figures(model.cell_options)[-1]
            assert set(beat["highlight"]["parts"]) <= set(figure.parts), beat["id"]
            strips = {name for stage in figure.stages for name in stage.vectors}
            assert set(beat["highlight"]["vectors"]) <= strips, beat["id"]
        assert set(beat["lessons"]) <= lessons
        if beat["question"]:
            assert 0 <= beat["question"]["answer"] < beat["question"]["choices"]


def test_the_beats_that_need_a_labelled_unit_take_it_from_a_lesson():
    by_id = {beat.id: beat for beat in WALK.beats}
    for beat_id, feature in (("counter", "bracket depth"), ("output", "inside quotes"), ("forget", "subject gender")):
        lesson = next(lesson for lesson in LESSONS if lesson["id"] == by_id[beat_id].lesson)
        assert feature in lesson["label"]["feature"]
        beat = next(beat for beat in BEATS if beat["id"] == beat_id)
        assert query_of(beat["query"])["unit"] == str(lesson["label"]["unit"])


def test_the_page_carries_the_walk_and_the_first_visits_view(client):
    page = client.get("/").text
    assert '"walk": [' in page and '"home": "model=' in page
    ui = served_contract(SETTINGS, SUMMARIES)
    assert ui["walk"] == BEATS and ui["home"] == home_query(WALK, SUMMARIES)


def test_both_languages_have_the_same_words_for_every_beat():
    english = WORDS["en"]
    for language, words in WORDS.items():
        assert words["ui"].keys() == english["ui"].keys(), language
        for key, text in words["ui"].items():
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(english["ui"][key])), (language, key)
        assert words["beats"].keys() == {beat.id for beat in WALK.beats}, language
        for beat in WALK.beats:
            said = words["beats"][beat.id]
            assert said["title"] and said["text"] and all(said["text"]), (language, beat.id)
            assert len(said["text"]) == len(english["beats"][beat.id]["text"]), (language, beat.id)
            assert ("question" in said) == (beat.question is not None), (language, beat.id)
            if beat.question:
                assert said["question"]["prompt"] and said["question"]["after"], (language, beat.id)
                assert len(said["question"]["choices"]) == beat.question.choices, (language, beat.id)


def test_the_chinese_words_use_the_pages_terms():
    chinese = WORDS["zh"]
    every = " ".join(
        [*chinese["ui"].values()]
        + [
            " ".join([said["title"], *said["text"], *(said.get("question", {}).get("choices", []))])
            + " ".join([said.get("question", {}).get("prompt", ""), *said.get("question", {}).get("after", [])])
            for said in chinese["beats"].values()
        ]
    )
    assert "神经元" in every and "细胞状态" in every and "遗忘门" in every
    for translations_term in ("单元状态", "门限"):  # the translation's words, which the page's glossary sets aside
        assert translations_term not in every
    assert not re.search(r"(?<!循环)单元", every)  # a hidden unit is 神经元; 单元 alone only in the GRU's name


@cache
def trace(client, model: str, text: str) -> list[dict]:
    return client.post("/api/trace", json={"model": model, "text": text}).json()["steps"]


@cache
def gradients(client, model: str, text: str) -> dict:
    return client.post("/api/gradients", json={"model": model, "text": text}).json()


def unit_series(steps: list[dict], vector: str, unit: int) -> np.ndarray:
    if vector == "tanh_c":
        return np.tanh([step["c"][unit] for step in steps])
    return np.array([(step["gates"] if vector in step["gates"] else step)[vector][unit] for step in steps])


def measure(client, evidence: Evidence, view: dict) -> float | bool:
    """The number (or, for `top`, the fact) an evidence names, from the real trace."""
    model = evidence.model or view["model"]
    steps = trace(client, model, view["text"])
    t = len(steps) - 1 if evidence.t is None else evidence.t
    if evidence.kind == "top":
        return steps[t]["predictions"][0]["token"] == evidence.token
    if evidence.kind in ("gradient", "carried"):
        flow = gradients(client, model, view["text"])
        norms = flow["input_norms"] if evidence.kind == "gradient" else flow["state_norms"]
        return norms[t] / norms[-1]
    if evidence.kind == "median":
        rows = [(step["gates"] if evidence.vector in step["gates"] else step)[evidence.vector] for step in steps]
        return float(np.median(rows[evidence.start : evidence.end]))
    series = unit_series(steps, evidence.vector, int(view["unit"]))
    return {
        "value": lambda: series[t],
        "magnitude": lambda: abs(series[t]),
        "change": lambda: series[t] - series[t - 1],
        "spread": lambda: np.ptp(series[evidence.start : evidence.end]),
    }[evidence.kind]()


def test_every_questions_answer_is_what_the_model_does(client):
    by_id = {beat.id: beat for beat in WALK.beats}
    checked = 0
    for beat in BEATS:
        question = by_id[beat["id"]].question
        if not question:
            continue
        view = view_of(beat)
        for evidence in question.evidence:
            value = measure(client, evidence, view)
            if evidence.kind == "top":
                assert value == evidence.is_top, (beat["id"], evidence)
            else:
                holds = value < evidence.than if evidence.op == "<" else value > evidence.than
                assert holds, (beat["id"], evidence, value)
            checked += 1
    assert checked >= 10

"""The lessons table: every lesson's models exist or the lesson is hidden, and each
lesson's unit comes from its model's labels, never from a number written down."""

import dataclasses
import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fastapi.testclient import TestClient

from app.lessons import LESSONS, available_lessons, labelled_unit
from app.main import create_app
from app.models.format import save_model
from app.models.registry import BUNDLED_DIR, ModelRegistry
from app.settings import Settings
from app.ui import PANELS
from tests.helpers import tiny_model

I18N = Path(__file__).parents[1] / "static" / "js" / "i18n"


def query_of(lesson: dict) -> dict:
    return {k: v[0] for k, v in parse_qs(lesson["query"]).items()}


@pytest.fixture(scope="module")
def bundled_client():
    with TestClient(create_app(Settings())) as client:
        yield client


def test_every_lesson_shown_has_its_models_and_every_bundled_lesson_is_shown(bundled_client):
    models = {m["name"]: m for m in bundled_client.get("/api/models").json()["models"]}
    shown = {lesson["id"]: lesson for lesson in bundled_client.get("/api/lessons").json()["lessons"]}
    for lesson in LESSONS:
        installed = lesson.model in models and (lesson.compare is None or lesson.compare in models)
        assert (lesson.id in shown) == installed, lesson.id
    assert {
        "chain",
        "french",
        "longgap",
        "code",
        "counter",
        "agreement",
        "peephole",
        "coupled",
        "gru",
        "depth",
        "clockwork",
        "variants",
        "poetry",
    } <= set(shown)
    for lesson in shown.values():
        query = query_of(lesson)
        assert query["model"] == lesson["model"] and not models[lesson["model"]].get("error")
        assert query.get("compare") == lesson["compare"]
        assert lesson["trained"] == models[lesson["model"]]["trained"]
        assert set(query["panels"].split(",")) <= {panel.name for panel in PANELS}


def test_each_labelled_lesson_takes_its_unit_from_its_models_labels(bundled_client):
    models = {m["name"]: m for m in bundled_client.get("/api/models").json()["models"]}
    shown = {lesson["id"]: lesson for lesson in bundled_client.get("/api/lessons").json()["lessons"]}
    for lesson_id in ("counter", "agreement", "code"):
        lesson = shown[lesson_id]
        label = lesson["label"]
        assert label in models[lesson["model"]]["units"], lesson_id  # one of the model's own labels
        assert query_of(lesson)["unit"] == str(label["unit"]) and query_of(lesson)["vector"] == label["vector"]
    assert shown["counter"]["label"]["feature"] == "bracket depth"
    assert "subject gender" in shown["agreement"]["label"]["feature"] and shown["agreement"]["label"]["vector"] in {
        "c",
        "tanh_c",
    }
    assert {u["unit"] for u in models["counter"]["units"] if abs(u["r"]) > 0.95} == {shown["counter"]["label"]["unit"]}
    for lesson in shown.values():  # a lesson without features picks no unit
        assert (lesson["label"] is None) == (not lesson["features"])


def test_a_retrained_model_moves_the_lessons_unit_with_its_labels(tmp_path):
    counter = next(lesson for lesson in LESSONS if lesson.id == "counter")
    model = tiny_model(name="counter", hidden=6, options={})
    labels = [
        {"unit": 5, "layer": 0, "vector": "tanh_c", "feature": "bracket depth", "r": -0.97},
        {"unit": 1, "layer": 0, "vector": "c", "feature": "bracket depth", "r": 0.6},
    ]
    save_model(dataclasses.replace(model, info={"units": labels}), tmp_path / "counter.npz")
    shown = available_lessons(ModelRegistry(bundled_dir=tmp_path).summaries())
    assert [lesson["id"] for lesson in shown] == [counter.id]  # only the lesson whose model is here
    assert query_of(shown[0])["unit"] == "5" and query_of(shown[0])["vector"] == "tanh_c"


def test_the_prose_lesson_appears_only_once_a_prose_model_exists(tmp_path):
    assert "prose" not in [
        lesson["id"] for lesson in available_lessons(ModelRegistry(bundled_dir=tmp_path).summaries())
    ]
    labels = [{"unit": 3, "layer": 0, "vector": "tanh_c", "feature": "inside quotes", "r": 0.8}]
    save_model(
        dataclasses.replace(tiny_model(name="prose"), info={"units": labels}, trained=True), tmp_path / "prose.npz"
    )
    (prose,) = available_lessons(ModelRegistry(bundled_dir=tmp_path).summaries())
    assert prose["id"] == "prose" and prose["label"]["unit"] == 3 and prose["trained"]


def test_a_lesson_is_hidden_when_its_compare_model_is_missing(tmp_path):
    (tmp_path / "long-lag-lstm.npz").write_bytes((BUNDLED_DIR / "long-lag-lstm.npz").read_bytes())
    shown = [lesson["id"] for lesson in available_lessons(ModelRegistry(bundled_dir=tmp_path).summaries())]
    assert "french" not in shown and "longgap" not in shown
    (tmp_path / "long-lag-rnn.npz").write_bytes((BUNDLED_DIR / "long-lag-rnn.npz").read_bytes())
    shown = [lesson["id"] for lesson in available_lessons(ModelRegistry(bundled_dir=tmp_path).summaries())]
    assert "french" in shown and "longgap" in shown


def test_a_label_is_picked_by_feature_order_then_strength_then_vector():
    labels = [
        {"unit": 1, "vector": "h", "feature": "bracket depth", "r": 0.9},
        {"unit": 2, "vector": "c", "feature": "bracket depth", "r": -0.8},
        {"unit": 3, "vector": "c", "feature": "inside a string", "r": 0.7},
    ]
    assert labelled_unit(("inside a string", "bracket depth"), labels)["unit"] == 3
    assert labelled_unit(("bracket depth",), labels)["unit"] == 1
    assert labelled_unit(("bracket depth",), labels, ("c", "tanh_c"))["unit"] == 2
    assert labelled_unit(("Bracket",), labels)["unit"] == 1  # a case-insensitive part of the name
    assert labelled_unit(("quotes",), labels) is None


def test_the_page_offers_the_lessons_marks_the_open_one_and_escapes_labels(tmp_path):
    hostile = [
        {"unit": 0, "layer": 0, "vector": "c", "feature": "bracket depth</script><script>alert(1)</script>", "r": 0.9}
    ]
    save_model(dataclasses.replace(tiny_model(name="counter"), info={"units": hostile}), tmp_path / "counter.npz")
    app = create_app(Settings())
    with TestClient(app) as client:
        app.state.registry = ModelRegistry(bundled_dir=tmp_path)
        page = client.get("/?lesson=counter").text
        assert "<script>alert(1)" not in page
        data = json.loads(re.search(r'id="gatescope-ui">(.*?)</script>', page, re.S).group(1))
        assert data["lessons"] == client.get("/api/lessons").json()["lessons"]
        link = re.search(r'<a class="lesson"[^>]*data-testid="lesson-counter"[^>]*>', page).group(0)
        assert 'href="?lesson=counter"' in link and 'aria-current="page"' in link
        assert 'aria-current="page"' not in client.get("/").text


def test_every_lesson_has_a_title_in_every_language():
    for table in ("en.js", "zh.js"):
        keys = set(re.findall(r"^\s+(lesson_[a-z]+):", (I18N / table).read_text(), re.M))
        assert {f"lesson_{lesson.id}" for lesson in LESSONS} <= keys, table

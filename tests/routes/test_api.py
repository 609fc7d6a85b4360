import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models.format import save_model
from app.settings import Settings
from tests.helpers import CELL_NAMES, bundled_names, tiny_model


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_models_lists_bundled_and_user_models_with_their_shape(client):
    models = {m["name"]: m for m in client.get("/api/models").json()["models"]}
    assert set(models) == {*bundled_names(), "tiny", "deep", "words"}
    assert models["deep"]["layers"] == 2 and models["deep"]["hidden_size"] == 5
    assert models["words"]["tokenizer"] == "word"
    assert models["lstm-demo"]["trained"] is False


def test_labelled_units_name_the_vector_they_were_found_in_tanh_c_included(client):
    models = {m["name"]: m for m in client.get("/api/models").json()["models"]}
    units = [u for name in ("counter", "agreement", "code", "prose") for u in models[name]["units"]]
    assert {u["vector"] for u in units} == {"c", "h", "tanh_c"}
    code = models["code"]["units"]
    assert {u["feature"] for u in code} >= {"bracket depth", "indentation"}
    assert all(abs(u["r"]) >= 0.5 and abs(u["r"]) - u["untrained_r"] >= 0.2 for u in code)


def test_trace_returns_meta_and_one_step_per_token(client):
    body = client.post("/api/trace", json={"model": "tiny", "text": "i grew"}).json()
    assert body["meta"]["model"] == "tiny" and body["meta"]["cell"] == "lstm"
    assert [s["token"] for s in body["steps"]] == list("i grew")
    assert [s["t"] for s in body["steps"]] == list(range(6))


def test_trace_uses_the_default_model_when_none_is_named(client):
    body = client.post("/api/trace", json={"text": "Hi"}).json()
    assert body["meta"]["model"] == "lstm-demo" and body["meta"]["hidden_size"] == 16


def test_frames_obey_the_article_equations_to_their_precision(client):
    steps = client.post("/api/trace", json={"model": "lstm-demo", "text": "I grew up in France"}).json()["steps"]
    c_prev = np.zeros(16)
    for step in steps:
        g = {k: np.array(v) for k, v in step["gates"].items()}
        c, h = np.array(step["c"]), np.array(step["h"])
        for gate in ("f", "i", "o"):
            assert ((g[gate] >= 0) & (g[gate] <= 1)).all()
        # Each value carries 5 decimals (±5e-6); products and sums of them stay within these bounds.
        bound = 5e-6 * (1 + np.abs(c_prev) + g["f"] + np.abs(g["c_tilde"]) + g["i"] + 1)
        assert (np.abs(c - (g["f"] * c_prev + g["i"] * g["c_tilde"])) <= bound).all()
        assert (np.abs(h - g["o"] * np.tanh(c)) <= 5e-6 * (2 + np.abs(g["o"]))).all()
        c_prev = c


def test_unknown_model_is_a_404_naming_the_available_ones(client):
    response = client.post("/api/trace", json={"model": "../../etc/passwd", "text": "a"})
    assert response.status_code == 404
    assert response.json()["detail"]["code"] == "unknown_model"
    assert "lstm-demo" in response.json()["detail"]["message"]


def test_empty_text_is_refused(client):
    assert client.post("/api/trace", json={"model": "tiny", "text": ""}).status_code == 422


def test_text_over_the_token_limit_is_a_413(client):
    response = client.post("/api/trace", json={"model": "tiny", "text": "a" * 301})
    assert response.status_code == 413
    assert "at most 300 per message" in response.json()["detail"]["message"]


def test_the_page_and_its_scripts_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and 'data-testid="diagram-container"' in page.text
    assert client.get("/static/js/main.js").status_code == 200
    plotly = client.get("/vendor/plotly.min.js")
    assert plotly.status_code == 200 and len(plotly.content) > 1_000_000


def test_openapi_docs_are_there(client):
    assert "/api/trace" in client.get("/openapi.json").json()["paths"]
    assert client.get("/docs").status_code == 200


EXPECTED_VECTORS = {  # cell: (gates, states and extras at the top level of a step)
    "rnn": ([], ["h"]),
    "lstm": (["f", "i", "c_tilde", "o"], ["c", "h"]),
    "peephole": (["f", "i", "c_tilde", "o"], ["c", "h"]),
    "cifg": (["f", "i", "c_tilde", "o"], ["c", "h"]),
    "gru": (["z", "r", "h_tilde"], ["h"]),
    "dglstm": (["f", "i", "c_tilde", "o", "d"], ["c", "h"]),
    "cwrnn": ([], ["h", "active"]),
}


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_cell_traces_over_http_with_its_own_vectors(every_cell_client, cell):
    response = every_cell_client.post("/api/trace", json={"model": cell, "text": "i grew up"})
    assert response.status_code == 200
    meta, steps = response.json()["meta"], response.json()["steps"]
    gates, top_level = EXPECTED_VECTORS[cell]
    assert (meta["cell"], meta["layers"], meta["hidden_size"]) == (cell, 2, 4)
    assert meta["gates"] == gates and meta["states"] + meta["extras"] == top_level
    assert isinstance(meta["cell_options"], dict)
    assert len(steps) == 9
    for step in steps:
        assert list(step["gates"]) == gates
        assert all(len(step[name]) == 4 for name in top_level)
        assert step["layers"][-1]["h"] == step["h"] and len(step["predictions"]) == 5


def test_the_model_list_carries_each_cells_options(every_cell_client):
    models = {m["name"]: m for m in every_cell_client.get("/api/models").json()["models"]}
    assert models["peephole"]["cell_options"] == {"peepholes": ["f", "i", "o"]}
    assert models["gru"]["cell_options"]["gru_variant"] == "pytorch"
    assert "kept" in models["gru"]["cell_options"]["update_meaning"]
    assert models["cwrnn"]["cell_options"] == {"periods": [1, 2, 4, 8]} and models["cwrnn"]["extras"] == ["active"]
    assert all(models[name]["cell_options"] == {} for name in ("rnn", "lstm", "cifg", "dglstm"))


def test_a_model_named_with_spaces_and_any_letters_is_listed_traced_streamed_and_exported(tmp_path):
    name = "my model «ü»"
    save_model(tiny_model(name=name), tmp_path / f"{name}.npz")
    with TestClient(create_app(Settings(models=tmp_path))) as client:
        assert name in [m["name"] for m in client.get("/api/models").json()["models"]]
        assert client.post("/api/trace", json={"model": name, "text": "ab"}).json()["meta"]["model"] == name
        with client.websocket_connect("/ws/trace") as ws:
            ws.send_json({"type": "start", "model": name, "text": "a"})
            assert ws.receive_json()["name"] == name
        export = client.get("/api/export", params={"model": name, "text": "ab"})
        assert export.status_code == 200
        assert export.headers["content-disposition"] == (
            'attachment; filename="gatescope-my_model____.html"; '
            "filename*=UTF-8''gatescope-my%20model%20%C2%AB%C3%BC%C2%BB.html"
        )

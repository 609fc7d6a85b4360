"""One bad file never takes anything down: each hostile model file (tests/models/hostile.py)
sits in the models folder beside good ones; every page and list keeps serving, the file is
listed with its error, and every use of it gets a clear 4xx or error frame. Every answer
is JSON a strict reader accepts (no NaN, no Infinity)."""

import json
import os

import numpy as np
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models import registry as registry_module
from app.models.format import save_model
from app.settings import Settings
from tests.helpers import tiny_model
from tests.models.hostile import HOSTILE, write_hostile_files
from tests.routes.stream_client import assert_still_usable
from tests.tracing.test_session import overflowing


def strict_json(text: str):
    """json.loads that refuses NaN and Infinity, as browsers' JSON.parse does."""

    def refuse(constant):
        raise AssertionError(f"{constant} on the wire")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models")
    save_model(tiny_model(name="tiny"), folder / "tiny.npz")
    mentions = write_hostile_files(folder)
    with TestClient(create_app(Settings(models=folder, stream_chunk=4))) as client:
        yield client, mentions


def test_every_page_and_list_keeps_serving_and_lists_each_bad_file_with_its_error(hostile_client):
    client, mentions = hostile_client
    for path in ("/", "/embed", "/embed?model=header-100-gb", "/api/lessons", "/healthz"):
        assert client.get(path).status_code == 200, path
    models = {m["name"]: m for m in strict_json(client.get("/api/models").text)["models"]}
    for name, mention in mentions.items():
        assert set(models[name]) == {"name", "bundled", "error"} and mention in models[name]["error"], name
    assert "error" not in models["tiny"] and "error" not in models["lstm-demo"]


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_every_use_of_a_bad_file_is_a_clear_refusal_and_the_rest_go_on(hostile_client, name):
    client, mentions = hostile_client
    for path, body in (
        ("/api/trace", {"model": name, "text": "ab"}),
        ("/api/gradients", {"model": name, "text": "ab"}),
    ):
        response = client.post(path, json=body)
        detail = strict_json(response.text)["detail"]
        assert (response.status_code, detail["code"]) == (422, "bad_model") and mentions[name] in detail["message"]
    export = client.get("/api/export", params={"model": name, "text": "ab"})
    assert export.status_code == 422 and strict_json(export.text)["detail"]["code"] == "bad_model"
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": name, "text": "ab"})
        error = strict_json(ws.receive_text())
        assert (error["type"], error["code"]) == ("error", "bad_model") and mentions[name] in error["message"]
        assert_still_usable(ws)
    assert client.post("/api/trace", json={"model": "tiny", "text": "ab"}).status_code == 200


def test_a_failed_load_is_remembered_not_parsed_again_per_page(hostile_client, monkeypatch):
    client, _ = hostile_client
    client.get("/api/models")
    parsed = []
    original = registry_module.load_model
    monkeypatch.setattr(registry_module, "load_model", lambda *a, **k: parsed.append(a[0]) or original(*a, **k))
    for _ in range(3):
        client.get("/")
        client.post("/api/trace", json={"model": "garbage", "text": "a"})
    assert parsed == []


def test_a_replaced_file_is_noticed_even_with_the_same_size_and_time(tmp_path):
    client = TestClient(create_app(Settings(models=tmp_path)))
    path = tmp_path / "m.npz"
    save_model(tiny_model(seed=1), path)
    first = client.post("/api/trace", json={"model": "m", "text": "ab"}).json()["steps"][-1]["h"]
    stat = path.stat()
    save_model(tiny_model(seed=2), tmp_path / "new.npz")  # same shapes, so the same size
    data = (tmp_path / "new.npz").read_bytes()
    (tmp_path / "new.npz").unlink()
    assert len(data) == stat.st_size
    with open(path, "r+b") as file:  # rewritten in place: the same inode
        file.write(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time
    assert path.stat().st_mtime_ns == stat.st_mtime_ns and path.stat().st_size == stat.st_size
    second = client.post("/api/trace", json={"model": "m", "text": "ab"}).json()["steps"][-1]["h"]
    assert second != first


@pytest.mark.parametrize("encoding", ["json", "binary"])
def test_a_model_that_computes_infinities_is_refused_never_sent(tmp_path, encoding):
    save_model(overflowing(tiny_model(name="loud"), "a"), tmp_path / "loud.npz")
    save_model(tiny_model(name="tiny"), tmp_path / "tiny.npz")
    with TestClient(create_app(Settings(models=tmp_path, stream_chunk=4))) as client:
        response = client.post("/api/trace", json={"model": "loud", "text": "ab"})
        detail = strict_json(response.text)["detail"]
        assert (response.status_code, detail["code"]) == (422, "bad_model") and "overflow" in detail["message"]
        with client.websocket_connect("/ws/trace") as ws:
            ws.send_json({"type": "start", "model": "loud", "text": "ab", "encoding": encoding})
            frames = [strict_json(ws.receive_text()) for _ in range(2)]
            assert [f["type"] for f in frames] == ["meta", "error"] and frames[1]["code"] == "bad_model"
            assert_still_usable(ws)


def test_weights_that_are_finite_only_in_float64_are_refused_at_load(tmp_path):
    arrays = HOSTILE["weights-1e300"]
    arrays[0](tmp_path / "w.npz")
    with np.load(tmp_path / "w.npz") as npz:
        assert np.isfinite(npz["rnn.weight_hh_l0"]).all()  # the file itself holds only finite numbers
    response = TestClient(create_app(Settings(models=tmp_path))).post("/api/trace", json={"model": "w", "text": "a"})
    assert response.status_code == 422 and "beyond float32's range" in response.json()["detail"]["message"]

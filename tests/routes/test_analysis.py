import dataclasses

from app.models.registry import ModelRegistry


def test_gradients_give_one_norm_per_step(client):
    body = client.post("/api/gradients", json={"model": "tiny", "text": "i grew"}).json()
    assert (body["model"], body["cell"], body["layer"], body["state"]) == ("tiny", "lstm", 0, "c")
    assert len(body["input_norms"]) == len(body["state_norms"]) == 6
    assert body["state_norms"][-1] == 5**0.5  # ∂C_{T-1}/∂C_{T-1} = I for 5 units


def test_gradients_of_a_lower_layer(client):
    assert client.post("/api/gradients", json={"model": "deep", "text": "ab", "layer": 0}).json()["layer"] == 0
    bad = client.post("/api/gradients", json={"model": "deep", "text": "ab", "layer": 5})
    assert bad.status_code == 422 and bad.json()["detail"]["code"] == "bad_layer"


def test_gradients_refuse_unknown_models_and_cells_without_jacobians(client, monkeypatch):
    assert client.post("/api/gradients", json={"model": "nope", "text": "a"}).status_code == 404
    assert client.post("/api/gradients", json={"model": "cwrnn-demo", "text": "a"}).status_code == 200
    loaded = ModelRegistry.get  # every cell declares its Jacobian now; one passed None would be refused so:
    without = lambda self, name: dataclasses.replace(  # noqa: E731
        loaded(self, name), cell=dataclasses.replace(loaded(self, name).cell, jacobian=None)
    )
    monkeypatch.setattr(ModelRegistry, "get", without)
    response = client.post("/api/gradients", json={"model": "cwrnn-demo", "text": "a"})
    assert response.status_code == 422 and response.json()["detail"]["code"] == "unavailable"


def test_gradients_of_the_depth_gated_lstm_above_its_bottom_layer(client):
    body = client.post("/api/gradients", json={"model": "dglstm-demo", "text": "a belt", "layer": 1}).json()
    assert (body["cell"], body["layer"], body["state"]) == ("dglstm", 1, "c") and len(body["input_norms"]) == 6


def test_gradients_have_a_token_limit(client):
    response = client.post("/api/gradients", json={"model": "tiny", "text": "a" * 2001})
    assert response.status_code == 413 and "at most 2000 tokens" in response.json()["detail"]["message"]

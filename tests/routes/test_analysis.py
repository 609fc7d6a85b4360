import concurrent.futures
import dataclasses
import json
import threading
import time

import anyio
import pytest

from app.analysis.gradient_flow import gradient_flow, work_per_token
from app.main import create_app
from app.models.registry import ModelRegistry
from app.routes import analysis as analysis_route
from tests.helpers import tiny_model


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
    resolved = ModelRegistry.resolve  # every cell declares its Jacobian now; one passed None would be refused so:

    def without_jacobian(self, name, paths=False):
        model, entry = resolved(self, name, paths)
        return dataclasses.replace(model, cell=dataclasses.replace(model.cell, jacobian=None)), entry

    monkeypatch.setattr(ModelRegistry, "resolve", without_jacobian)
    response = client.post("/api/gradients", json={"model": "cwrnn-demo", "text": "a"})
    assert response.status_code == 422 and response.json()["detail"]["code"] == "unavailable"


def test_gradients_of_the_depth_gated_lstm_above_its_bottom_layer(client):
    body = client.post("/api/gradients", json={"model": "dglstm-demo", "text": "a belt", "layer": 1}).json()
    assert (body["cell"], body["layer"], body["state"]) == ("dglstm", 1, "c") and len(body["input_norms"]) == 6


def test_a_text_over_the_work_budget_is_refused_at_once_saying_how_many_tokens_fit(client_with):
    model = ModelRegistry().get("lstm-demo")  # H = 16, X = 8: S = 32, so 32³ + 16·32·8 = 36,864 a token
    assert work_per_token(model, 0) == 32**3 + 16 * 32 * 8
    client = client_with(max_gradient_work=100 * work_per_token(model, 0))
    assert client.post("/api/gradients", json={"model": "lstm-demo", "text": "a" * 100}).status_code == 200
    response = client.post("/api/gradients", json={"model": "lstm-demo", "text": "a" * 101})
    detail = response.json()["detail"]
    assert response.status_code == 413 and (detail["code"], detail["limit"]) == ("too_long", "max_gradient_work")
    assert "at most 100 tokens here" in detail["message"] and detail["message"].endswith("the text has 101")


def test_the_token_limits_of_a_trace_hold_too(client):
    response = client.post("/api/gradients", json={"model": "tiny", "text": "a" * 301})
    assert response.status_code == 413 and response.json()["detail"]["limit"] == "max_tokens_per_message"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"model": "tiny", "text": "a\u0001b"}, 422, "bad_text"),
        ({"model": "tiny", "text": "a\ud800"}, 422, "bad_request"),  # refused by the body's schema, as for a trace
        ({"model": "broken", "text": "ab"}, 422, "bad_model"),
        ({"model": "../tiny", "text": "ab"}, 404, "unknown_model"),
        ({"model": "tiny", "text": "ab", "Layer": 0}, 422, "bad_request"),
    ],
)
def test_gradients_refuse_what_a_trace_refuses_with_the_same_answer(client, models_dir, body, status, code):
    (models_dir / "broken.npz").write_bytes(b"PK\x03\x04 not really a zip")
    raw = json.dumps(body)  # \u escapes: a lone surrogate can be sent
    gradients = client.post("/api/gradients", content=raw, headers={"content-type": "application/json"})
    assert (gradients.status_code, gradients.json()["detail"]["code"]) == (status, code)
    if "Layer" not in body:  # the same answer as a trace gives
        trace = client.post("/api/trace", content=raw, headers={"content-type": "application/json"})
        assert trace.json() == gradients.json()
    else:
        assert gradients.json()["detail"]["message"] == "body.Layer: unknown field"


def test_when_every_slot_is_taken_a_request_is_refused_at_once(client_with):
    client = client_with(gradient_threads=1, max_gradient_waiting=0)
    with client.app.state.gradients.slot():  # as if one request were computing
        response = client.post("/api/gradients", json={"model": "tiny", "text": "ab"})
    detail = response.json()["detail"]
    assert response.status_code == 503 and (detail["code"], detail["limit"]) == ("busy", "max_gradient_waiting")
    assert client.post("/api/gradients", json={"model": "tiny", "text": "ab"}).status_code == 200


@pytest.fixture
def held_gradient_flow(monkeypatch):
    """Gradient flow that, at its third step, waits until it is told to stop (or released)."""
    reached, release, steps = threading.Event(), threading.Event(), []

    def held(model, ids, layer, stopped):
        def checked() -> bool:
            steps.append(len(steps))
            if len(steps) == 3:
                reached.set()
                deadline = time.monotonic() + 30
                while not (stopped() or release.is_set()) and time.monotonic() < deadline:
                    time.sleep(0.005)
            return stopped()

        return gradient_flow(model, ids, layer, checked)

    monkeypatch.setattr(analysis_route, "gradient_flow", held)
    return reached, release, steps


def test_a_trace_never_waits_for_gradient_flow(client_with, held_gradient_flow):
    reached, release, _ = held_gradient_flow
    client = client_with(compute_threads=1, gradient_threads=1)
    answers = []
    asking = threading.Thread(
        target=lambda: answers.append(client.post("/api/gradients", json={"model": "tiny", "text": "abcdef"}))
    )
    asking.start()
    try:
        assert reached.wait(30)  # gradient flow holds its one thread
        assert client.post("/api/trace", json={"model": "tiny", "text": "ab"}).status_code == 200
    finally:
        release.set()
        asking.join(30)
    assert answers[0].status_code == 200 and len(answers[0].json()["input_norms"]) == 6


def test_gradient_flow_stops_between_steps_when_its_client_leaves(settings, held_gradient_flow):
    reached, _, steps = held_gradient_flow
    app = create_app(settings)
    body = json.dumps({"model": "tiny", "text": "abcdefghij"}).encode()
    sent = []

    async def receive():
        if not sent:
            sent.append(body)
            return {"type": "http.request", "body": body, "more_body": False}
        await anyio.to_thread.run_sync(reached.wait, 30)  # the client leaves during the third step
        return {"type": "http.disconnect"}

    answered = []

    async def send(message):
        answered.append(message)

    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "POST",
        "path": "/api/gradients",
        "raw_path": b"/api/gradients",
        "query_string": b"",
        "headers": [
            (b"host", b"testserver"),
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "scheme": "http",
        "root_path": "",
        "app": app,
        "state": {},
    }

    # In a thread of its own: an event loop may run in this one already (the browser tests'),
    # and the app's state is made by create_app, so no lifespan is needed.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        thread.submit(anyio.run, app, scope, receive, send).result(timeout=60)
    assert len(steps) == 3  # of 10: the rest was never computed
    assert answered[0]["status"] == 499


def test_a_text_over_the_budget_is_refused_while_another_computes_not_after_it(client_with, held_gradient_flow):
    reached, release, _ = held_gradient_flow
    client = client_with(gradient_threads=1, max_gradient_work=10 * work_per_token(tiny_model(), 0))
    answers = []
    asking = threading.Thread(
        target=lambda: answers.append(client.post("/api/gradients", json={"model": "tiny", "text": "abcdef"}))
    )
    asking.start()
    try:
        assert reached.wait(30)  # the one gradient thread is taken, and held until released
        refused = client.post("/api/gradients", json={"model": "tiny", "text": "a" * 11})
        assert refused.status_code == 413 and not answers  # answered while the other still computes
    finally:
        release.set()
        asking.join(30)
    assert answers[0].status_code == 200

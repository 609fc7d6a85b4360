"""POST /api/layer: one yellow box opened for one unit at one step, against the sum worked
out by hand from the model file's own arrays and the trace's numbers (POST /api/trace)."""

import json

import numpy as np
import pytest

from app.models.registry import BUNDLED_DIR

TEXT = "I grew up"
T, UNIT = 5, 3
TRACE_BOUND = 1e-5  # the trace's numbers are rounded to 5 decimals


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def arrays(model):
    """The model file read as plain arrays: the hand computation's own source."""
    with np.load(BUNDLED_DIR / f"{model}.npz") as file:
        return {key: file[key].astype(np.float64) for key in file if key.startswith(("rnn.", "encoder."))}


def trace(client, model, text=TEXT):
    return client.post("/api/trace", json={"model": model, "text": text}).json()["steps"]


def opened(client, **request):
    response = client.post("/api/layer", json={"text": TEXT, "t": T, "unit": UNIT, **request})
    assert response.status_code == 200, response.json()
    return response.json()


def block_row(a, block, hidden, unit=UNIT):
    """Row `unit` of gate block `block` (its index among W's row blocks) of W_ih, W_hh and b_ih + b_hh."""
    row = block * hidden + unit
    return a["rnn.weight_ih_l0"][row], a["rnn.weight_hh_l0"][row], a["rnn.bias_ih_l0"][row] + a["rnn.bias_hh_l0"][row]


def assert_parts_are(body, expected):
    """The parts sent are the vectors read and the unit's weights on them (to the sent rounding)."""
    assert [part["reads"] for part in body["parts"]] == [reads for reads, *_ in expected]
    for part, (_, values, weights) in zip(body["parts"], expected, strict=True):
        np.testing.assert_allclose(part["values"], values, atol=TRACE_BOUND)
        np.testing.assert_allclose(part["weights"], weights, atol=0.6e-5)


def test_the_forget_gate_of_an_lstm_is_the_sigmoid_of_its_row_of_w_times_h_and_x_plus_b(client):
    a, steps = arrays("lstm-demo"), trace(client, "lstm-demo")
    hidden = a["rnn.weight_hh_l0"].shape[1]
    h_prev, x = np.array(steps[T - 1]["h"]), np.array(steps[T]["x"])
    w_x, w_h, b = block_row(a, 1, hidden)  # nn.LSTM's rows: i, f, g, o
    z = w_h @ h_prev + w_x @ x + b  # W_f · [h_{t-1}, x_t] + b_f
    body = opened(client, model="lstm-demo", box="forget")
    assert (body["vector"], body["activation"], body["token"], body["x_kind"]) == ("f", "sigmoid", "w", "embedding")
    assert body["boxes"] == ["input", "forget", "candidate", "output"]
    assert abs(body["preactivation"] - z) < 1e-4
    assert abs(body["bias"] - b) < 1e-6
    assert_parts_are(body, [("h_prev", h_prev, w_h), ("x", x, w_x)])
    assert abs(body["output"] - sigmoid(body["preactivation"])) < 1e-12
    assert abs(body["output"] - steps[T]["gates"]["f"][UNIT]) < TRACE_BOUND  # the gate value the page shows
    assert body["value"] == pytest.approx(steps[T]["gates"]["f"][UNIT], abs=TRACE_BOUND) and body["used"]


def test_a_peephole_gate_adds_its_per_unit_weight_times_the_cell_state(client):
    a, steps = arrays("peephole-demo"), trace(client, "peephole-demo")
    hidden = a["rnn.weight_hh_l0"].shape[1]
    h_prev, x, c_prev = (np.array(v) for v in (steps[T - 1]["h"], steps[T]["x"], steps[T - 1]["c"]))
    w_x, w_h, b = block_row(a, 1, hidden)
    p_f = a["rnn.peephole_f_l0"][UNIT]
    z = w_h @ h_prev + w_x @ x + p_f * c_prev[UNIT] + b  # σ(W_f · [h_{t-1}, x_t] + p_f * C_{t-1} + b_f)
    body = opened(client, model="peephole-demo", box="forget")
    assert abs(body["preactivation"] - z) < 1e-4
    assert_parts_are(body, [("h_prev", h_prev, w_h), ("x", x, w_x), ("c_prev", [c_prev[UNIT]], [p_f])])
    assert body["parts"][2]["index"] == [UNIT]
    assert abs(body["output"] - steps[T]["gates"]["f"][UNIT]) < TRACE_BOUND
    # the output gate's peephole reads the new C_t
    output = opened(client, model="peephole-demo", box="output")
    assert output["parts"][2]["reads"] == "c" and abs(output["parts"][2]["values"][0] - steps[T]["c"][UNIT]) < 1e-5


def test_pytorchs_gru_candidate_scales_w_h_times_h_plus_b_h_by_the_reset_gate(client):
    a, steps = arrays("gru-demo"), trace(client, "gru-demo")
    hidden = a["rnn.weight_hh_l0"].shape[1]
    h_prev, x = np.array(steps[T - 1]["h"]), np.array(steps[T]["x"])
    row = 2 * hidden + UNIT  # nn.GRU's rows: r, z, n
    w_x, w_h = a["rnn.weight_ih_l0"][row], a["rnn.weight_hh_l0"][row]
    b_x, b_h = a["rnn.bias_ih_l0"][row], a["rnn.bias_hh_l0"][row]
    r = steps[T]["gates"]["r"][UNIT]
    z = w_x @ x + b_x + r * (w_h @ h_prev + b_h)  # h̃ = tanh(W_x·x_t + b_x + r_t * (W_h·h_{t-1} + b_h))
    body = opened(client, model="gru-demo", box="candidate")
    assert body["boxes"] == ["update", "reset", "candidate", "w-h"]
    assert abs(body["preactivation"] - z) < 1e-4
    assert_parts_are(body, [("x", x, w_x), ("h_prev", h_prev, w_h)])
    reset_part = body["parts"][1]
    assert reset_part["scaled_by"] == "r" and abs(reset_part["scale"] - r) < TRACE_BOUND
    assert abs(reset_part["bias"] - b_h) < 1e-6 and abs(body["bias"] - b_x) < 1e-6
    assert abs(body["output"] - np.tanh(z)) < 1e-4 and abs(body["output"] - steps[T]["gates"]["h_tilde"][UNIT]) < 1e-5
    linear = opened(client, model="gru-demo", box="w-h")  # the W_h box: no activation, no frame vector
    assert (linear["activation"], linear["vector"]) == ("linear", None)
    assert abs(linear["output"] - (w_h @ h_prev + b_h)) < 1e-4


def test_a_one_hot_input_sends_only_the_tokens_column(client):
    a, steps = arrays("code"), trace(client, "code", "x = (1)")
    hidden = a["rnn.weight_hh_l0"].shape[1]
    w_x, w_h, b = block_row(a, 3, hidden)  # o
    token_id = steps[T]["token_id"]
    z = w_h @ np.array(steps[T - 1]["h"]) + w_x[token_id] + b  # one-hot x_t: W_o's column of the token
    response = client.post(
        "/api/layer", json={"model": "code", "text": "x = (1)", "t": T, "unit": UNIT, "box": "output"}
    )
    body = response.json()
    assert body["x_kind"] == "one-hot" and body["token"] == "1"
    x_part = body["parts"][1]
    assert (x_part["index"], x_part["values"]) == ([token_id], [1.0])
    assert abs(x_part["weights"][0] - w_x[token_id]) < 1e-5
    assert abs(body["preactivation"] - z) < 1e-4
    assert abs(body["output"] - steps[T]["gates"]["o"][UNIT]) < TRACE_BOUND
    assert len(response.content) < 16_000  # 256 units and one column, not the vocabulary


def test_a_layer_above_reads_the_layer_belows_output_and_the_depth_gate_its_cell(client):
    steps = trace(client, "dglstm-demo")
    body = opened(client, model="dglstm-demo", layer=1, box="depth")
    assert body["x_kind"] == "below" and [p["reads"] for p in body["parts"]] == ["x", "c_below", "c_prev"]
    np.testing.assert_allclose(body["parts"][0]["values"], steps[T]["layers"][0]["h"], atol=TRACE_BOUND)
    assert abs(body["parts"][1]["values"][0] - steps[T]["layers"][0]["c"][UNIT]) < TRACE_BOUND
    assert abs(body["output"] - steps[T]["layers"][1]["gates"]["d"][UNIT]) < TRACE_BOUND
    assert (
        client.post(
            "/api/layer", json={"model": "dglstm-demo", "text": TEXT, "t": 1, "unit": 0, "layer": 0, "box": "depth"}
        ).json()["detail"]["code"]
        == "out_of_range"
    )


def test_the_numbers_are_those_of_the_trace_read_with_the_pages_what_if_changes(client):
    whatif = {
        "clamps": [{"vector": "f", "value": 1.0, "unit": UNIT, "start": 2}],
        "weights": [{"layer": 0, "matrix": "weight_hh", "row": 16 + UNIT, "column": 0, "value": 2.5, "start": 4}],
    }
    body = opened(client, model="lstm-demo", box="forget", whatif=whatif)
    assert body["value"] == 1.0 and body["output"] != 1.0  # held by the clamp: the sum is not what the trace shows
    assert body["parts"][0]["weights"][0] == 2.5  # the edited weight, started at step 4
    steps = client.post("/api/trace", json={"model": "lstm-demo", "text": TEXT, "whatif": whatif}).json()["steps"]
    np.testing.assert_allclose(body["parts"][0]["values"], steps[T - 1]["h"], atol=TRACE_BOUND)
    before = opened(client, model="lstm-demo", box="forget", whatif=whatif, t=3)
    assert before["parts"][0]["weights"][0] != 2.5  # not yet started


@pytest.mark.parametrize(
    "change,status,code",
    [
        ({"t": 9}, 422, "out_of_range"),  # 9 tokens: steps 0–8
        ({"unit": 16}, 422, "out_of_range"),  # 16 units
        ({"layer": 1}, 422, "out_of_range"),
        ({"box": "update"}, 422, "out_of_range"),  # a GRU's, not an LSTM's
        ({"model": "nope"}, 404, "unknown_model"),
        ({"text": "a\x00b"}, 422, "bad_text"),
        ({"t": "3"}, 422, "bad_request"),  # strict: a string is no step
        ({"text": ""}, 422, "bad_request"),
        ({"box": "x" * 33}, 422, "bad_request"),
        ({"whatif": {"clamps": [{"vector": "z", "value": 1.0}]}}, 422, "bad_whatif"),
    ],
)
def test_what_the_model_or_text_lacks_is_refused_by_name(client, change, status, code):
    request = {"model": "lstm-demo", "text": TEXT, "t": 1, "unit": 0, "box": "forget", **change}
    response = client.post("/api/layer", json=request)
    assert (response.status_code, response.json()["detail"]["code"]) == (status, code)


def test_the_text_is_bounded_by_the_trace_limits(client):
    response = client.post("/api/layer", json={"model": "tiny", "text": "a" * 301, "t": 0, "unit": 0, "box": "forget"})
    assert response.status_code == 413 and response.json()["detail"]["limit"] == "max_tokens_per_message"
    body = json.dumps({"model": "tiny", "text": "a" * 70_000, "t": 0, "unit": 0, "box": "forget"})
    too_large = client.post("/api/layer", content=body, headers={"Content-Type": "application/json"})
    assert too_large.status_code == 413 and too_large.json()["detail"]["code"] == "too_large"

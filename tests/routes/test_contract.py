"""The meta and step frames and the model list are typed once (app.tracing.frames,
app.models.registry); what every route really sends must be exactly those types, for every
cell, so that the builders, the schemas and the docs cannot drift apart."""

import pytest
from pydantic import TypeAdapter, ValidationError

from app.cells import CELLS
from app.models.registry import BrokenModel, ModelSummary
from app.tracing import wire
from app.tracing.frames import LayerFrame, Meta, StepFrame
from tests.helpers import CELL_NAMES
from tests.routes.stream_client import receive_until_done

STEP = TypeAdapter(StepFrame)
LISTED = TypeAdapter(ModelSummary | BrokenModel)


def exactly(adapter: TypeAdapter, value) -> None:
    """Every required key there, no other key, every value of its type (strict: 1 is no bool)."""
    adapter.validate_python(value, strict=True)


def test_every_cells_vectors_are_declared_keys_of_a_layer_frame():
    declared = LayerFrame.__required_keys__ | LayerFrame.__optional_keys__
    for name, cell in CELLS.items():
        assert set(cell.states + cell.extras) <= declared - {"gates"}, name


def test_the_types_refuse_a_frame_that_drifted():
    good = {"type": "step", "t": 0, "token": "a", "token_id": 1, "unk": False, "gates": {}, "h": [0.5]}
    exactly(STEP, good)
    for drifted in ({**good, "hidden": [0.5]}, {k: v for k, v in good.items() if k != "unk"}, {**good, "t": "0"}):
        with pytest.raises(ValidationError):
            exactly(STEP, drifted)
    meta = {k: v for k, v in Meta.model_json_schema()["properties"].items()}
    assert {"gates", "states", "hidden_size", "decimals", "units"} <= set(meta)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_route_sends_exactly_the_typed_frames(every_cell_client, cell):
    client = every_cell_client
    body = client.post("/api/trace", json={"model": cell, "text": "ab c"}).json()
    Meta.model_validate(body["meta"], strict=True)
    for step in body["steps"]:
        exactly(STEP, step)
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": cell, "text": "ab c", "id": 3})
        meta, *steps, done = receive_until_done(ws)
        Meta.model_validate(meta, strict=True)
        for step in steps:
            exactly(STEP, step)
        ws.send_json({"type": "start", "model": cell, "text": "ab c", "encoding": "binary"})
        meta = ws.receive_json()
        decoded = []
        while len(decoded) < 4:
            decoded += wire.decode(ws.receive_bytes(), meta)[1]
        for step in decoded:
            exactly(STEP, step)


def test_every_listed_model_is_a_summary_or_a_broken_file(client, models_dir):
    (models_dir / "broken.npz").write_bytes(b"garbage")
    listed = client.get("/api/models").json()["models"]
    for entry in listed:
        exactly(LISTED, entry)
    assert any("error" in entry for entry in listed)


def test_the_trace_schema_is_the_typed_frames(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    trace = schemas["Trace"]["properties"]
    assert trace["meta"]["$ref"].endswith("/Meta") and trace["steps"]["items"]["$ref"].endswith("/StepFrame")
    assert schemas["StepFrame"]["additionalProperties"] is False
    assert set(schemas["StepFrame"]["required"]) >= {"type", "t", "token", "token_id", "unk", "gates", "h"}


def test_a_token_read_in_another_form_is_a_typed_frame_too(client):
    steps = client.post("/api/trace", json={"model": "prose", "text": "\u201ca\u201d"}).json()["steps"]
    assert [s.get("read_as") for s in steps] == ['"', None, '"']
    for step in steps:
        exactly(STEP, step)

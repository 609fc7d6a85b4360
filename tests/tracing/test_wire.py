"""The binary step encoding (app/tracing/wire.py): values within its error bound, the
frames JSON would carry, and a layout a third party can read from docs/api.md alone."""

import struct

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from app.models.tokenizers import Token
from app.tracing import wire
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceSession
from tests.helpers import CELL_NAMES, WIRE_BOUND, tiny_model

finite32 = st.one_of(st.floats(-300, 300, width=32), st.floats(width=32, allow_nan=False, allow_infinity=False))


def read_vector(data: bytes, n: int) -> list[float]:
    return wire.Reader(data).vector(n)


def test_the_bound_is_half_a_step_of_1_over_32767():
    assert wire.ERROR_BOUND == pytest.approx(1.5259e-5, rel=1e-4)


@settings(max_examples=300, deadline=None)
@given(arrays(np.float32, st.integers(1, 40), elements=finite32))
def test_any_finite_vector_comes_back_within_the_bound(values):
    data = wire.quantised(values)
    decoded = np.array(read_vector(data, len(values)))
    if data[0] == 4:  # too large for 3 bytes: the float32 itself
        assert np.abs(values).max() > 255 and np.array_equal(decoded, values.astype(np.float64))
    else:
        assert np.abs(decoded - values.astype(np.float64)).max() <= wire.ERROR_BOUND * (1 + 1e-9)


@given(arrays(np.float32, st.integers(1, 40), elements=st.floats(-1, 1, width=32)))
def test_gates_and_tanh_outputs_take_two_bytes_a_value(values):
    data = wire.quantised(values)
    assert data[0] == 2 and len(data) == 1 + 2 * len(values)


def test_widths_follow_the_largest_value_and_the_ends_are_exact():
    assert wire.quantised(np.array([1.0, -1.0, 0.0], np.float32))[0] == 2
    assert read_vector(wire.quantised(np.array([1.0, -1.0], np.float32)), 2) == [1.0, -1.0]
    assert wire.quantised(np.array([1.001, 0.5], np.float32))[0] == 3
    assert wire.quantised(np.array([-255.9, 0.5], np.float32))[0] == 3
    assert wire.quantised(np.array([300.0], np.float32))[0] == 4
    assert wire.quantised(np.array([np.nan, 0.5], np.float32))[0] == 4


def test_int24_is_little_endian_twos_complement_by_hand():
    # -2.0 → q = -65534 = 0xFF0002 in 24 bits: bytes 02 00 FF
    assert wire.quantised(np.array([-2.0], np.float32)) == bytes([3, 0x02, 0x00, 0xFF])
    # 0.5 in int16: q = round(16383.5) = 16384 (round half to even) = 0x4000: bytes 00 40
    assert wire.quantised(np.array([0.5], np.float32)) == bytes([2, 0x00, 0x40])


@given(st.integers(0, 2**53))
def test_varints_round_trip(n):
    reader = wire.Reader(wire.varint(n) + b"\xff")
    assert reader.varint() == n and reader.at == len(wire.varint(n))


def trace(cell: str, text: str, layers: int = 2):
    model = tiny_model(cell=cell, layers=layers, hidden=6, name=cell)
    session = TraceSession(model)
    return model, meta_frame(model, False, 5), session.run(session.tokenize(text))


def assert_same_frame(binary, json_frame, tolerance):
    """Equal keys, strings and integers; floats within `tolerance`."""
    if isinstance(json_frame, dict):
        assert binary.keys() == json_frame.keys()
        for key in json_frame:
            assert_same_frame(binary[key], json_frame[key], tolerance)
    elif isinstance(json_frame, list):
        assert len(binary) == len(json_frame)
        for a, b in zip(binary, json_frame):
            assert_same_frame(a, b, tolerance)
    elif isinstance(json_frame, float):
        assert abs(binary - json_frame) <= tolerance, (binary, json_frame)
    else:
        assert binary == json_frame and type(binary) is type(json_frame)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_message_decodes_to_the_json_frames_of_every_cell(cell):
    model, meta, steps = trace(cell, "i grew up in france")
    data = wire.message([wire.encode_step(model, step) for step in steps], request_id=7)
    request_id, frames = wire.decode(data, meta)
    assert request_id == 7 and len(frames) == len(steps)
    for frame, step in zip(frames, steps):
        expected = {**step_frame(model, step, 5), "id": 7}
        assert_same_frame(frame, expected, WIRE_BOUND)


def test_one_layer_words_unknown_tokens_and_no_id():
    model = tiny_model(word=True, layers=1, name="words")
    session = TraceSession(model, top_k=3)
    steps = session.run(session.tokenize("i grew up in Paris"))
    assert steps[-1].token.unk
    data = wire.message([wire.encode_step(model, step) for step in steps], None)
    request_id, frames = wire.decode(data, meta_frame(model, False, 5))
    assert request_id is None and "id" not in frames[0] and "layers" not in frames[0]
    assert [f["token"] for f in frames] == ["i", "grew", "up", "in", "Paris"] and frames[-1]["unk"]
    assert len(frames[0]["predictions"]) == 3


def test_models_without_embedding_or_decoder_send_neither():
    model = tiny_model(embed=None, decoder=False)
    session = TraceSession(model)
    record = wire.encode_step(model, session.run(session.tokenize("a"))[0])
    _, [frame] = wire.decode(wire.message([record], 1), meta_frame(model, False, 5))
    assert "x" not in frame and "predictions" not in frame


def test_the_documented_layout_by_hand():
    """A one-layer, one-unit RNN step read with struct alone, as docs/api.md describes it."""
    model = tiny_model(cell="rnn", hidden=1, embed=None, decoder=False, layers=1)
    step = TraceSession(model).run([Token("é", 3, False)])[0]
    data = wire.message([wire.encode_step(model, step)], request_id=300)
    h = float(step.layers[0].h[0])
    q = round(h * 32767)
    expected = (
        bytes([1])
        + bytes([0xAD, 0x02])  # version; id + 1 = 301 as LEB128
        + bytes([1, 0, 3, 0])  # 1 step; t = 0; token_id 3; flags 0
        + bytes([2])
        + "é".encode()
        + bytes([1])  # token; layer mask: its one vector, h
        + bytes([2])
        + struct.pack("<h", q)
    )  # h: width 2, int16
    assert data == expected


def test_refuses_other_versions_and_truncated_messages():
    model, meta, steps = trace("lstm", "ab", layers=1)
    data = wire.message([wire.encode_step(model, step) for step in steps], 1)
    with pytest.raises(wire.WireError, match="version"):
        wire.decode(b"\x02" + data[1:], meta)
    with pytest.raises(wire.WireError, match="ends"):
        wire.decode(data[:-1], meta)
    with pytest.raises(wire.WireError, match="left over"):
        wire.decode(data + b"\x00", meta)

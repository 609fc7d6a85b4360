"""The page asks for binary step frames, really receives them, and shows their values."""

import json

import httpx2
import numpy as np
from playwright.sync_api import expect

from app.tracing import wire
from tests.e2e.shown import hovered_value, shows
from tests.helpers import WIRE_BOUND

TEXT = "I grew up"


def listen(page) -> dict:
    """Every frame the page's sockets send and receive, as Playwright sees them on the wire."""
    seen = {"sent": [], "received": []}

    def on_socket(socket):
        socket.on("framesent", lambda payload: seen["sent"].append(payload))
        socket.on("framereceived", lambda payload: seen["received"].append(payload))

    page.on("websocket", on_socket)
    return seen


def test_the_page_receives_binary_steps_and_shows_their_values(page, server_url):
    seen = listen(page)
    page.goto(f"{server_url}/?model=lstm-demo")  # the untrained demo, with no text: a link that names its model
    expect(page.get_by_test_id("status")).to_have_text("0 steps traced")
    page.get_by_test_id("text-input").press_sequentially(TEXT, delay=20)
    expect(page.get_by_test_id("status")).to_have_text(f"{len(TEXT)} steps traced")

    starts = [json.loads(m) for m in seen["sent"] if isinstance(m, str) and '"start"' in m]
    assert starts and all(m["encoding"] == "binary" for m in starts)
    texts = [json.loads(m) for m in seen["received"] if isinstance(m, str)]
    assert "step" not in {frame["type"] for frame in texts}  # every step came as bytes
    meta = [frame for frame in texts if frame["type"] == "meta"][-1]
    binary = [m for m in seen["received"] if isinstance(m, bytes)]
    steps = [step for message in binary for step in wire.decode(message, meta)[1]]
    assert [s["t"] for s in steps] == list(range(len(TEXT)))  # one per typed character, in order
    assert "".join(s["token"] for s in steps) == TEXT

    # The hovered number is the decoded wire value, to 4 decimals, and agrees with the API.
    api = httpx2.post(f"{server_url}/api/trace", json={"model": "lstm-demo", "text": TEXT}).json()["steps"]
    shown = hovered_value(page, "c", 4)
    assert shown == f"{steps[-1]['c'][4]:.4f}"
    assert shows(shown, api[-1]["c"][4], 4)
    assert all(abs(a - b) <= WIRE_BOUND for a, b in zip(steps[-1]["gates"]["f"], api[-1]["gates"]["f"]))


def test_a_stream_asked_for_json_still_gets_json(page, server_url):
    """Scripts and older pages: TraceStream's encoding option keeps the JSON frames."""
    seen = listen(page)
    page.goto(f"{server_url}/?model=lstm-demo")  # the untrained demo, with no text: a link that names its model
    expect(page.get_by_test_id("status")).to_have_text("0 steps traced")
    steps = page.evaluate("""async () => {
        const { TraceStream } = await import('/static/js/stream.js');
        return await new Promise((resolve) => {
            const got = [];
            const stream = new TraceStream(`ws://${location.host}/ws/trace`, {
                step: (step) => got.push(step), done: () => resolve(got) }, { encoding: 'json' });
            stream.start('lstm-demo', 'ab');
        });
    }""")
    assert [s["token"] for s in steps] == ["a", "b"]
    assert any(isinstance(m, str) and m.startswith('{"type":"step"') for m in seen["received"])


def test_the_browser_decoder_reads_every_width_and_large_ids_as_the_reference_does(page, server_url):
    """wire.js against app/tracing/wire.py on a message built by hand: 2-, 3- and 4-byte
    vectors, a depth-gated bottom layer's mask, a 53-bit id, multi-byte varints and UTF-8."""
    meta = {"layers": 2, "hidden_size": 3, "gates": ["f", "d"], "states": ["c"], "extras": [], "input_size": 2}

    def vector(*values):
        return wire.quantised(np.array(values, np.float32))

    step = (
        wire.varint(300)
        + wire.varint(70_000)
        + bytes([wire.UNK | wire.HAS_X | wire.HAS_PREDICTIONS])
        + wire.string("é中🙂")
        + wire.varint(0b101)
        + vector(1, -1, 0.5)
        + vector(-2, 255.9, -100)  # bottom layer: f, c (no d)
        + wire.varint(0b111)
        + vector(0, 0.25, 1)
        + vector(0.1, 0.2, 0.3)
        + vector(1e6, -3.5e-3, np.nan)
        + vector(-0.75, 42)  # x
        + wire.varint(2)
        + wire.varint(1)
        + wire.string("a")
        + wire.varint(2**20)
        + wire.string("<unk>")
        + vector(0.625, 0.125)
    )
    data = wire.message([step, step], request_id=2**53 - 1)
    page.goto(f"{server_url}/?model=lstm-demo")  # the untrained demo, with no text: a link that names its model
    decoded = page.evaluate(
        """async ([bytes, meta]) => {
        const { openMessage } = await import('/static/js/wire.js');
        const message = openMessage(new Uint8Array(bytes).buffer);
        return JSON.stringify({ id: message.id, steps: message.steps(meta) });
    }""",
        [list(data), meta],
    )
    request_id, expected = wire.decode(data, meta)
    got = json.loads(decoded, parse_constant=float)  # NaN: JSON.stringify writes null
    assert got["id"] == request_id == 2**53 - 1
    expected_json = json.loads(json.dumps(expected).replace("NaN", "null"))
    assert got["steps"] == expected_json
    assert got["steps"][0]["layers"][0]["c"] == [-2, round(float(np.float32(255.9)) * 32767) / 32767, -100]

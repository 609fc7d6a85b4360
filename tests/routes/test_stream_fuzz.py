"""A few hundred malformed, mistyped and oversize messages (seeded), on one connection:
each is answered (an error, or a trace if it happens to be valid), the connection never
drops, and afterwards a normal trace on the same server is exact."""

from __future__ import annotations

import json
import random

from tests.routes.stream_client import assert_still_usable, receive_until_done, send_any

MESSAGES = 400
SEED = 20240607
ODD_VALUES = [
    None,
    True,
    -1,
    0,
    2**53,
    2**64,
    1.5,
    float("1e308"),
    "",
    "x" * 100,
    [],
    {},
    ["start"],
    {"a": 1},
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "\u0000",
    "😀" * 10,
    "\ud800",
    "tiny",
    "lstm-demo",
]


def random_text(rng: random.Random, length: int) -> str:
    alphabet = [
        "a",
        " ",
        "\n",
        "\t",
        "\x00",
        "\x1b",
        "é",
        "法",
        "😀",
        "\ud800",
        "\udfff",
        "\u202e",
        "\ufeff",
        "<",
        "\\",
    ]
    return "".join(rng.choice(alphabet) for _ in range(length))


def fuzz_message(rng: random.Random):
    kind = rng.randrange(10)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 200))
    if kind == 1:
        return random_text(rng, rng.randrange(0, 100))
    if kind == 2:  # valid JSON cut short
        whole = json.dumps({"type": "start", "model": "tiny", "text": random_text(rng, 20)})
        return whole[: rng.randrange(len(whole))]
    if kind == 3:
        opener = rng.choice("[{")
        return opener * rng.randrange(1_000, 60_000) if opener == "[" else '{"a":' * rng.randrange(1_000, 10_000)
    if kind == 4:  # over the size limit, under the close-unread limit
        return json.dumps({"type": "append", "text": "a" * rng.randrange(66_000, 300_000)})
    if kind == 5:
        return json.dumps({"type": rng.choice(ODD_VALUES + ["start", "append", "stop", "Start"])}, default=str)
    message = {"type": rng.choice(["start", "append"])}
    for field in ("model", "text", "id"):
        if rng.random() < 0.7:
            message[field] = rng.choice(ODD_VALUES + [random_text(rng, rng.randrange(1, 400))])
    for _ in range(rng.randrange(3)):
        message[random_text(rng, 5)] = rng.choice(ODD_VALUES)
    return json.dumps(message, ensure_ascii=rng.random() < 0.5)


def test_hundreds_of_bad_messages_are_each_answered_and_a_normal_trace_follows(client):
    rng = random.Random(SEED)
    answers: dict[str, int] = {}
    with client.websocket_connect("/ws/trace") as ws:
        for _ in range(MESSAGES):
            send_any(ws, fuzz_message(rng))
            last = receive_until_done(ws)[-1]
            key = last["code"] if last["type"] == "error" else last["type"]
            answers[key] = answers.get(key, 0) + 1
        assert_still_usable(ws)
    assert sum(answers.values()) == MESSAGES
    assert {"bad_json", "bad_message", "unknown_type", "too_large"} <= set(answers), answers
    with client.websocket_connect("/ws/trace") as ws:
        ws.send_json({"type": "start", "model": "tiny", "text": "i grew up"})
        frames = receive_until_done(ws)
    assert "".join(f["token"] for f in frames[1:-1]) == "i grew up"
    assert frames[-1] == {"type": "done", "steps": 9, "total": 9}

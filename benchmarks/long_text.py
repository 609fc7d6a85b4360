"""A long text over the live stream: 10,000 tokens sent to `gatescope serve` on loopback
as a client would (a start, then appends, each within the server's per-message limit).

    .venv/bin/python benchmarks/long_text.py [--tokens 10000] [--model lstm-demo] [--models DIR] [--repeats 3]

Runs both step encodings, JSON (the default) and binary ("encoding": "binary", docs/api.md
"Binary step frames"), alternately on the same server. Reports for each, as medians over
repeats (a fresh connection each): time from sending the start to receiving the first
step frame (before this client parses it) and to the last "done" (this client's parsing
included); the bytes on the wire per step and per number (the numbers a
JSON step frame holds, but t and token_id), and how many messages carried the steps;
and the server's resident memory before the first run and after the last.
Targets: first frame ≤ 50 ms; ≤ 2.5 bytes a number in the compact encoding.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import psutil
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.tracing import wire  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.server import Server, serve  # noqa: E402

FIRST_FRAME_TARGET_MS = 50
BYTES_PER_NUMBER_TARGET = 2.5
ENCODINGS = ("json", "binary")
PER_MESSAGE = 5_000  # the server's default max_tokens_per_message
SAMPLE = (
    "It was the best of times, it was the worst of times, it was the age of wisdom, it was the age of "
    "foolishness, it was the epoch of belief, it was the epoch of incredulity. "
)
TIMEOUT_S = 120  # per run: the benchmark stops itself rather than hang


def numbers_in(value) -> int:
    """How many numbers a frame carries (the values whose encoding the wire size is about)."""
    if isinstance(value, dict):
        return sum(numbers_in(v) for v in value.values())
    if isinstance(value, list):
        return sum(numbers_in(v) for v in value)
    return isinstance(value, float | int) and not isinstance(value, bool)


def one_run(server: Server, model: str, text: str, encoding: str) -> dict:
    """Send text in per-message pieces; time the first step and the last done."""
    pieces = [text[k : k + PER_MESSAGE] for k in range(0, len(text), PER_MESSAGE)]
    step_bytes = step_numbers = steps = step_messages = 0
    first_ms = meta = None
    deadline = time.monotonic() + TIMEOUT_S
    with connect(server.ws_url, max_size=None, open_timeout=10) as ws:
        start = time.perf_counter()
        for n, piece in enumerate(pieces):
            kind = {"type": "start", "model": model, "encoding": encoding} if n == 0 else {"type": "append"}
            ws.send(json.dumps(kind | {"text": piece}))
            while True:
                raw = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                received_ms = (time.perf_counter() - start) * 1e3  # before this client parses it
                frames = wire.decode(raw, meta)[1] if isinstance(raw, bytes) else [json.loads(raw)]
                if frames[0]["type"] == "step":
                    if first_ms is None:
                        first_ms = received_ms
                    steps += len(frames)
                    step_messages += 1
                    step_bytes += len(raw.encode() if isinstance(raw, str) else raw)
                    step_numbers += sum(
                        numbers_in({k: v for k, v in frame.items() if k not in ("t", "token_id", "id")})
                        for frame in frames
                    )
                elif frames[0]["type"] == "meta":
                    meta = frames[0]
                elif frames[0]["type"] == "error":
                    raise RuntimeError(f"the server refused the text: {frames[0]}")
                elif frames[0]["type"] == "done":
                    break
        done_ms = (time.perf_counter() - start) * 1e3
    return {
        "first_ms": first_ms,
        "done_ms": done_ms,
        "steps": steps,
        "messages": step_messages,
        "bytes_per_step": step_bytes / steps,
        "bytes_per_value": step_bytes / step_numbers,
        "values_per_step": step_numbers / steps,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--model", default="lstm-demo")
    parser.add_argument("--models", type=Path, help="a models folder for the server (--models of gatescope serve)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    text = (SAMPLE * (args.tokens // len(SAMPLE) + 1))[: args.tokens]  # char model: one token per character

    print(describe())
    runs: dict[str, list[dict]] = {encoding: [] for encoding in ENCODINGS}
    with serve(args.models) as server:
        process = psutil.Process(server.process.pid)
        rss_before = process.memory_info().rss
        for _ in range(args.repeats):  # alternately, so that both see the same machine load
            for encoding in ENCODINGS:
                runs[encoding].append(one_run(server, args.model, text, encoding))
        rss_after = process.memory_info().rss
    print(f"model {args.model}, {args.tokens} tokens per run, median of {args.repeats} runs per encoding")
    for encoding in ENCODINGS:
        median = {key: statistics.median(run[key] for run in runs[encoding]) for key in runs[encoding][0]}
        first_met = median["first_ms"] <= FIRST_FRAME_TARGET_MS
        print(f"{encoding}:")
        print(
            f"  first step frame  {median['first_ms']:8.1f} ms   (target ≤ {FIRST_FRAME_TARGET_MS} ms: "
            f"{'met' if first_met else 'MISSED'})"
        )
        print(
            f"  done              {median['done_ms']:8.1f} ms   "
            f"({median['done_ms'] / median['steps'] * 1e3:.0f} µs per step)"
        )
        print(
            f"  wire              {median['bytes_per_step']:8.0f} bytes per step, {median['values_per_step']:.0f} "
            f"numbers per step, {median['bytes_per_value']:.2f} bytes per number, "
            f"{median['steps'] / median['messages']:.1f} steps per message"
        )
    binary = statistics.median(run["bytes_per_value"] for run in runs["binary"])
    print(
        f"binary bytes per number {binary:.2f} (target ≤ {BYTES_PER_NUMBER_TARGET}: "
        f"{'met' if binary <= BYTES_PER_NUMBER_TARGET else 'MISSED'})"
    )
    sessions = args.repeats * len(ENCODINGS)
    print(
        f"server RSS          {rss_before / 2**20:8.1f} MiB before, {rss_after / 2**20:.1f} MiB after "
        f"{sessions} sessions of {args.tokens} steps ({(rss_after - rss_before) / sessions / 2**10:.0f} KiB a session)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

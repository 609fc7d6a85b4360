"""A long text over the live stream: 10,000 tokens sent to `gatescope serve` on loopback
as a client would (a start, then appends, each within the server's per-message limit).

    .venv/bin/python benchmarks/long_text.py [--tokens 10000] [--model lstm-demo] [--models DIR] [--repeats 3]

Reports, as medians over repeats (a fresh connection each): time from sending the start
to the first step frame and to the last "done"; the JSON bytes on the wire per step frame
and per number in it; and the server's resident memory before the first run and after
the last. Target (issue 8): first frame ≤ 50 ms.
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

from benchmarks.machine import describe  # noqa: E402
from benchmarks.server import Server, serve  # noqa: E402

FIRST_FRAME_TARGET_MS = 50
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


def one_run(server: Server, model: str, text: str) -> dict:
    """Send text in per-message pieces; time the first step and the last done."""
    pieces = [text[k : k + PER_MESSAGE] for k in range(0, len(text), PER_MESSAGE)]
    step_bytes = step_numbers = steps = 0
    first_ms = None
    deadline = time.monotonic() + TIMEOUT_S
    with connect(server.ws_url, max_size=None, open_timeout=10) as ws:
        start = time.perf_counter()
        for n, piece in enumerate(pieces):
            kind = {"type": "start", "model": model} if n == 0 else {"type": "append"}
            ws.send(json.dumps(kind | {"text": piece}))
            while True:
                raw = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
                message = json.loads(raw)
                if message["type"] == "step":
                    if first_ms is None:
                        first_ms = (time.perf_counter() - start) * 1e3
                    steps += 1
                    step_bytes += len(raw.encode() if isinstance(raw, str) else raw)
                    step_numbers += numbers_in({k: v for k, v in message.items() if k not in ("t", "token_id")})
                elif message["type"] == "error":
                    raise RuntimeError(f"the server refused the text: {message}")
                elif message["type"] == "done":
                    break
        done_ms = (time.perf_counter() - start) * 1e3
    return {"first_ms": first_ms, "done_ms": done_ms, "steps": steps,
            "bytes_per_step": step_bytes / steps, "bytes_per_value": step_bytes / step_numbers,
            "values_per_step": step_numbers / steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=10_000)
    parser.add_argument("--model", default="lstm-demo")
    parser.add_argument("--models", type=Path, help="a models folder for the server (--models of gatescope serve)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    text = (SAMPLE * (args.tokens // len(SAMPLE) + 1))[: args.tokens]  # char model: one token per character

    print(describe())
    with serve(args.models) as server:
        process = psutil.Process(server.process.pid)
        rss_before = process.memory_info().rss
        runs = [one_run(server, args.model, text) for _ in range(args.repeats)]
        rss_after = process.memory_info().rss
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    first_met = median["first_ms"] <= FIRST_FRAME_TARGET_MS
    print(f"model {args.model}, {median['steps']:.0f} steps per run, median of {args.repeats} runs")
    print(f"first step frame  {median['first_ms']:8.1f} ms   (target ≤ {FIRST_FRAME_TARGET_MS} ms: "
          f"{'met' if first_met else 'MISSED'})")
    print(f"done              {median['done_ms']:8.1f} ms   ({median['done_ms'] / median['steps'] * 1e3:.0f} µs per step)")
    print(f"wire, JSON        {median['bytes_per_step']:8.0f} bytes per step, {median['values_per_step']:.0f} numbers "
          f"per step, {median['bytes_per_value']:.2f} bytes per number")
    print(f"server RSS        {rss_before / 2**20:8.1f} MiB before, {rss_after / 2**20:.1f} MiB after "
          f"{args.repeats} sessions of {median['steps']:.0f} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())

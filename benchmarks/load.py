"""A class opening the app at once: N WebSocket clients, each typing a text into the
live stream, against `gatescope serve` on loopback, with its default settings.

    .venv/bin/python -m benchmarks.load [--clients 200] [--chars 500] [--cps 5] [--ramp 0] [--rounds 2]
    .venv/bin/python -m benchmarks.load --lesson prose --cps 4 --append-size 1   # a lesson, a key at a time

Every client comes from 127.0.0.1: a class behind one address (a campus NAT, a proxy).
Each connects and sends `start`, as the page does on load: with an empty text, or with a
lesson's model and text (`--lesson`); then it types its text in appends of 1 to 3
characters (`--append-size`) at `cps` characters per second, without waiting for answers,
as a person types. Step frames come as the page asks for them (`--encoding`, binary by
default). Reported: sessions completed (every append answered, the final `done` totals
the text), sessions refused, errors, p50/p99 time from `start` to the first frame, from
each append to its first step (key → step) and to its `done`, and server RSS after a
warm-up, at peak and after the clients left, for each of `rounds` classes in turn.
`--setting NAME=VALUE` runs the server with another setting (GATESCOPE_NAME). Traffic
goes to 127.0.0.1 only; the run is bounded by --timeout and stops by itself, server included.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.asyncio.client import connect

from app.lessons import LESSONS
from app.tracing.wire import Reader
from tests.live_server import live_server

MiB = 1024 * 1024
LESSON_TEXT = {lesson.id: lesson.text for lesson in LESSONS}
TEXT = (
    "I grew up in France. I speak fluent French. The clouds are in the sky, and the "
    "cat sat on the mat while the dog slept. "
)


@dataclass
class ClientResult:
    first_frame: float | None = None  # seconds from start to meta
    append_step: list[float] = field(default_factory=list)  # seconds from each append to its first step
    stepped_at: list[float] = field(default_factory=list)  # when each of those appends was sent (perf_counter)
    append_done: list[float] = field(default_factory=list)  # seconds from each append to its done
    errors: list[str] = field(default_factory=list)
    total: int = 0  # steps in the trace at the final done


def typing_plan(rng: random.Random, chars: int, sizes: tuple[int, int]) -> list[str]:
    text = (TEXT * (chars // len(TEXT) + 1))[:chars]
    pieces, at = [], 0
    while at < len(text):
        size = rng.randint(*sizes)
        pieces.append(text[at : at + size])
        at += size
    return pieces


def binary_request_id(message: bytes) -> int:
    """A binary message's id, from its head (app.tracing.wire.message): version, then id + 1."""
    reader = Reader(message)
    reader.take(1)
    return reader.varint() - 1


async def one_client(url: str, start: dict, pieces: list[str], cps: float, result: ClientResult) -> None:
    sent_at: dict[int, float] = {}
    stepped: set[int] = set()
    async with connect(url, max_size=None, ping_interval=None) as ws:

        def first_step(request_id: int, now: float) -> None:
            if request_id > 0 and request_id not in stepped:
                stepped.add(request_id)
                result.append_step.append(now - sent_at[request_id])
                result.stepped_at.append(sent_at[request_id])

        async def read() -> None:
            async for raw in ws:
                now = time.perf_counter()
                if isinstance(raw, bytes):
                    first_step(binary_request_id(raw), now)
                    continue
                frame = json.loads(raw)
                if frame["type"] == "meta" and result.first_frame is None:
                    result.first_frame = now - sent_at[0]
                elif frame["type"] == "step":
                    first_step(frame.get("id", 0), now)
                elif frame["type"] == "error":
                    result.errors.append(frame["code"])
                elif frame["type"] == "done" and frame.get("id", 0) > 0:
                    result.append_done.append(now - sent_at[frame["id"]])
                    result.total = frame["total"]
                    if frame["id"] == len(pieces):
                        return

        reader = asyncio.create_task(read())
        reader.add_done_callback(lambda task: task.cancelled() or task.exception())  # seen, if the sender failed first
        try:
            sent_at[0] = time.perf_counter()
            await ws.send(json.dumps({**start, "type": "start", "id": 0}))
            for request_id, piece in enumerate(pieces, start=1):
                await asyncio.sleep(len(piece) / cps)
                sent_at[request_id] = time.perf_counter()
                await ws.send(json.dumps({"type": "append", "text": piece, "id": request_id}))
            await reader  # until the last append's done
        finally:
            reader.cancel()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (/proc/PID/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sample_rss(server, peak: list[int], stop: threading.Event) -> None:
    while not stop.wait(0.25):
        peak[0] = max(peak[0], server.rss_bytes())


async def run_clients(url: str, args: argparse.Namespace) -> list[ClientResult]:
    rng = random.Random(args.seed)
    results = [ClientResult() for _ in range(args.clients)]

    low, _, high = args.append_size.partition("-")
    start = {"text": "", "encoding": args.encoding}
    if args.lesson:
        lesson = next(lesson for lesson in LESSONS if lesson.id == args.lesson)
        start |= {"model": lesson.model, "text": lesson.text}

    async def guarded(result: ClientResult, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await one_client(url, start, typing_plan(rng, args.chars, (int(low), int(high or low))), args.cps, result)
        except Exception as error:  # a dropped connection counts as an error, not a crash of the run
            result.errors.append(type(error).__name__)

    tasks = [guarded(result, args.ramp * k / args.clients) for k, result in enumerate(results)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), args.timeout)
    except TimeoutError:
        for result in results:
            if result.total < args.chars:
                result.errors.append("timeout")
    return results


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def timeline(results: list[ClientResult], seconds: float = 5.0) -> None:
    """Key to step p50 / p99 / max by when the key was sent: a stall shows where it was."""
    pairs = sorted((at, d) for r in results for at, d in zip(r.stepped_at, r.append_step))
    if not pairs:
        return
    start, windows = pairs[0][0], {}
    for at, delay in pairs:
        windows.setdefault(int((at - start) // seconds), []).append(delay)
    for window, delays in sorted(windows.items()):
        print(
            f"    keys sent at {window * seconds:>4.0f}-{(window + 1) * seconds:<4.0f}s: key to step p50/p99/max "
            f"{percentile(delays, 50) * 1000:.0f} / {percentile(delays, 99) * 1000:.0f} / {max(delays) * 1000:.0f} ms"
        )


def report(args: argparse.Namespace, results: list[ClientResult], elapsed: float) -> None:
    started_with = len(LESSON_TEXT.get(args.lesson, ""))
    completed = sum(1 for r in results if not r.errors and r.total == started_with + args.chars)
    refused = sum(1 for r in results if "too_many_sessions" in r.errors)
    errors = [code for r in results for code in r.errors]
    first = [r.first_frame for r in results if r.first_frame is not None]
    step = [d for r in results for d in r.append_step]
    done = [d for r in results for d in r.append_done]
    ms = 1000
    print(
        f"  {elapsed:.1f} s; completed sessions {completed}/{args.clients}; refused {refused}; errors {len(errors)}"
        + (f" {sorted(set(errors))}" if errors else "")
    )
    print(
        f"  first frame p50/p99 {percentile(first, 50) * ms:.0f} / {percentile(first, 99) * ms:.0f} ms; "
        f"key to step p50/p99 {percentile(step, 50) * ms:.0f} / {percentile(step, 99) * ms:.0f} ms; "
        f"append to done p50/p99 {percentile(done, 50) * ms:.0f} / {percentile(done, 99) * ms:.0f} ms "
        f"({len(done)} appends)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--chars", type=int, default=500, help="characters each client types")
    parser.add_argument("--cps", type=float, default=5.0, help="characters per second each client types")
    parser.add_argument("--ramp", type=float, default=0.0, help="seconds over which clients connect (0: all at once)")
    parser.add_argument("--rounds", type=int, default=2, help="classes one after another, on the same server")
    parser.add_argument("--timeout", type=float, default=300.0, help="each round stops after this many seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lesson", choices=sorted(LESSON_TEXT), help="start on this lesson's model and text")
    parser.add_argument("--append-size", default="1-3", help="characters per append: N or MIN-MAX (default 1-3)")
    parser.add_argument(
        "--encoding", choices=("binary", "json"), default="binary", help="step frames (the page's: binary)"
    )
    parser.add_argument("--timeline", action="store_true", help="key to step by 5-second window of the round")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE", help="a server setting")
    args = parser.parse_args()
    if not (1 <= args.clients <= 1000 and 1 <= args.rounds <= 5):
        parser.error("--clients must be 1 to 1000, --rounds 1 to 5")
    if not re.fullmatch(r"[1-9]\d?(-[1-9]\d?)?", args.append_size):
        parser.error("--append-size is N or MIN-MAX, e.g. 1 or 1-3")

    env = {f"GATESCOPE_{name.upper()}": value for name, value in (s.split("=", 1) for s in args.setting)}
    print(
        f"{args.clients} clients from one address typing {args.chars} characters each at {args.cps:g} chars/s "
        f"in appends of {args.append_size}, connecting over {args.ramp:g} s, {args.rounds} round(s)"
        + (f", starting on the {args.lesson} lesson" if args.lesson else "")
        + (f"; settings {env}" if env else "; default settings")
    )
    with live_server(env) as server:
        warm_up = argparse.Namespace(**{**vars(args), "clients": 1, "chars": 20, "ramp": 0, "cps": 20})
        asyncio.run(run_clients(server.ws_url, warm_up))  # imports, the model, a worker thread
        before = server.rss_bytes()
        print(f"server RSS after a one-client warm-up: {before / MiB:.0f} MiB")
        for round_number in range(1, args.rounds + 1):
            peak, stop = [server.rss_bytes()], threading.Event()
            sampler = threading.Thread(target=sample_rss, args=(server, peak, stop), daemon=True)
            sampler.start()
            started, cpu_before = time.perf_counter(), cpu_seconds(server.process.pid)
            clients_before = time.process_time()
            results = asyncio.run(run_clients(server.ws_url, args))
            elapsed = time.perf_counter() - started
            cpu = cpu_seconds(server.process.pid) - cpu_before
            clients_cpu = time.process_time() - clients_before
            time.sleep(3)  # the server frees what the sessions held
            stop.set()
            sampler.join()
            after = server.rss_bytes()
            print(f"round {round_number}:")
            report(args, results, elapsed)
            if args.timeline:
                timeline(results)
            appends = sum(len(r.append_done) for r in results)
            print(
                f"  server CPU {cpu:.1f} s in {elapsed:.0f} s ({cpu / elapsed:.0%} of a core; "
                f"{cpu / max(appends, 1) * 1000:.2f} ms an append, the starts included); the clients' CPU "
                f"{clients_cpu / elapsed:.0%} of a core; load average {os.getloadavg()[0]:.1f}"
            )
            print(
                f"  server RSS peak {peak[0] / MiB:.0f} MiB, after the clients left {after / MiB:.0f} MiB "
                f"({(after - before) / before:+.1%} from the warm-up)"
            )


if __name__ == "__main__":
    main()

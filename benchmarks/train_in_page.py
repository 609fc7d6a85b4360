"""Training in the page against the command line, and what training costs a live trace.

    .venv/bin/python -m benchmarks.train_in_page [--tasks counter long-lag] [--jobs 10] [--rounds 2]

1. Steps per second. Each task's recipe (its bundled model's: hidden size, learning rate,
   steps) trained by `gatescope train` at niceness 10 on one BLAS thread, as the page's
   workers run (two BLAS threads on a shared 2-core machine are far slower): once in a
   session of its own whose autogroup is niced too, exactly as a worker, and once as from a
   shell; and by WS /ws/train on `gatescope serve` (a warmed-up worker process; snapshots
   every 250 steps and held-out checks every 100, the defaults), and once more with held-out
   checks every 500 steps and no snapshot between the first and the last, about the command
   line's own checks: what is left is the cost of the worker and its frames. The command
   line's time is its file's `run` seconds (the training loop, checks included); the page's
   is the `done` frame's `seconds` (training time from the first snapshot on, checks and
   snapshots included). Every way runs `--repeats` times, taking turns; the table gives
   each run and the median.
2. Key to step of a live trace: `--clients` pages typing `--chars` characters each into
   WS /ws/trace (benchmarks/load.py's client) with no training, then while `--jobs`
   long-lag LSTM jobs train (two per connection, as the side-by-side button starts them),
   alternating for `--rounds`. Run with `--workers` training processes (10: all jobs train
   at once; the default 2 leaves 8 waiting); keys are typed only once every job that can
   has reported `running`, and the jobs are stopped after.

Everything runs on 127.0.0.1 and stops by itself; the machine, load average and CPU are
printed with the numbers, since other work on a shared machine moves them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from websockets.asyncio.client import connect

from app.models.format import load_model
from app.settings import Settings
from app.training.pool import WORKER_ENV
from app.training.worker import lower_autogroup
from app.ui import training_defaults
from benchmarks.load import ClientResult, one_client, percentile, typing_plan
from benchmarks.machine import describe
from tests.live_server import live_server

LONG_JOB = {"type": "start", "task": "long-lag", "cell": "lstm", "steps": 10_000}  # runs until stopped
ROOMY = {  # budgets that never end a benchmark's job before it is stopped
    "GATESCOPE_TRAIN_SECONDS_PER_JOB": "1800",
    "GATESCOPE_TRAIN_SECONDS_PER_SESSION": "3600",
    "GATESCOPE_TRAIN_JOBS_PER_SESSION": "2",
}
RARE_CHECKS = {"GATESCOPE_TRAIN_SNAPSHOT_EVERY": "1000000", "GATESCOPE_TRAIN_EVALUATE_EVERY": "500"}


def ws_url(server, path: str) -> str:
    return server.url.replace("http://", "ws://") + path


# --- 1. steps per second ---


def cli_run(task: str, as_a_worker: bool) -> tuple[int, float]:
    """(steps, seconds) of `gatescope train TASK` at its recipe, at niceness 10 on one BLAS
    thread (app.training.pool.WORKER_ENV); `as_a_worker`, also in a session of its own whose
    autogroup is niced (app.training.worker.lower_autogroup), as the page's workers run.
    From a shell, `nice -n 10` weighs only against that shell's own group's processes."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "model.npz"
        command = ["nice", "-n", "10", sys.executable, "-m", "app", "train", task, "--cell", "lstm", "-o", str(output)]
        subprocess.run(
            command,
            env={**os.environ, **WORKER_ENV},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=as_a_worker,
            preexec_fn=partial(lower_autogroup, 10) if as_a_worker else None,  # after the new session
        )
        run = load_model(output).info["run"]
    return run["batches"], run["seconds"]


async def page_job(url: str, start: dict) -> dict:
    """The `done` frame of one job."""
    async with connect(url, max_size=None, ping_interval=None) as ws:
        await ws.send(json.dumps(start))
        async for raw in ws:
            frame = json.loads(raw)
            if frame["type"] == "done":
                return frame
            if frame["type"] == "error":
                raise RuntimeError(f"the job failed: {frame}")
    raise RuntimeError("the connection closed before the job was done")


def steps_table(tasks: list[str], repeats: int) -> None:
    """Each way of training, `repeats` times in turn (a shared machine's load moves in
    minutes: taking turns spreads it over every way alike); the median of each."""
    defaults = training_defaults(Settings())
    ways = [
        ("`gatescope train` as a worker runs (niced, its own niced group)", lambda task: cli_run(task, True)),
        ("`gatescope train` from a shell (`nice -n 10`)", lambda task: cli_run(task, False)),
        ("WS /ws/train: snapshots every 250 steps, held-out every 100", lambda task: page_run(task, {})),
        ("WS /ws/train: held-out every 500, no snapshots between", lambda task: page_run(task, RARE_CHECKS)),
    ]
    print("\n| task | trained by | steps | training s (each run) | steps/s, median | load average |")
    print("|---|---|---|---|---|---|")
    for task in tasks:
        runs = {name: [] for name, _ in ways}
        loads = {name: [] for name, _ in ways}
        for _ in range(repeats):
            for name, run in ways:
                steps, seconds = run(task)
                if steps != defaults[task]["steps"]:
                    raise RuntimeError(f"{name} trained {steps} steps, not the recipe's {defaults[task]['steps']}")
                runs[name].append(seconds)
                loads[name].append(os.getloadavg()[0])
        for name, _ in ways:
            seconds = runs[name]
            rate = defaults[task]["steps"] / statistics.median(seconds)
            each = ", ".join(f"{s:.1f}" for s in seconds)
            load = f"{min(loads[name]):.1f}–{max(loads[name]):.1f}"
            print(f"| {task} | {name} | {defaults[task]['steps']} | {each} | {rate:.0f} | {load} |")


def page_run(task: str, env: dict) -> tuple[int, float]:
    with live_server({**ROOMY, **env}) as server:
        url = ws_url(server, "/ws/train")
        start = {"type": "start", "task": task, "cell": "lstm"}  # the recipe's H, lr and steps
        asyncio.run(page_job(url, {**start, "steps": 20}))  # a worker, started and warmed up
        done = asyncio.run(page_job(url, start))
    return done["steps"], done["seconds"]


# --- 2. a live trace while jobs train ---


class Trainers:
    """`jobs` long-lag jobs, two per connection, kept open until stop()."""

    def __init__(self, url: str, jobs: int):
        self.url, self.jobs = url, jobs
        self.sockets = []
        self.status: dict[tuple[int, int], str] = {}
        self.readers: list[asyncio.Task] = []

    async def start(self, workers: int) -> None:
        for pair in range(0, self.jobs, 2):
            ws = await connect(self.url, max_size=None, ping_interval=None)
            self.sockets.append(ws)
            for _ in range(min(2, self.jobs - pair)):
                await ws.send(json.dumps(LONG_JOB))
            self.readers.append(asyncio.create_task(self.read(len(self.sockets) - 1, ws)))
        deadline = time.monotonic() + 300
        while sum(status == "running" for status in self.status.values()) < min(workers, self.jobs):
            if time.monotonic() > deadline:
                raise RuntimeError(f"the jobs did not start: {self.status}")
            await asyncio.sleep(0.2)

    async def read(self, connection: int, ws) -> None:
        async for raw in ws:
            if raw.startswith('{"type":"snapshot"'):  # 100-300 KB each: not decoded, only received
                continue
            frame = json.loads(raw)
            if frame["type"] == "progress":
                self.status[(connection, frame["job"])] = frame["status"]
            elif frame["type"] in ("done", "error") and "job" in frame:
                self.status[(connection, frame["job"])] = frame["type"]

    def running(self) -> int:
        return sum(status in ("running", "paused") for status in self.status.values())

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.send(json.dumps({"type": "stop"}))
        deadline = time.monotonic() + 120
        while any(status not in ("done", "error") for status in self.status.values()) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        for ws in self.sockets:
            await ws.close()
        for reader in self.readers:
            reader.cancel()


def train_meanwhile(url: str, jobs: int, workers: int, pipe) -> None:
    """In a process of its own, so that reading the jobs' frames never delays the typing
    clients' clock: start the jobs, say "running", watch them until told to stop, then
    stop them and send the fewest seen running."""

    async def run() -> None:
        trainers = Trainers(url, jobs)
        await trainers.start(workers)
        pipe.send("running")
        fewest = trainers.running()
        while not pipe.poll():
            await asyncio.sleep(0.5)
            fewest = min(fewest, trainers.running())
        pipe.recv()
        await trainers.stop()
        pipe.send(fewest)

    asyncio.run(run())


def typing_round(server, args, jobs: int) -> tuple[list[float], int, float]:
    """Key-to-step delays of the typing clients while `jobs` train; the fewest jobs seen
    running while they typed, and the load average at the end."""
    trainer = None
    if jobs:
        ours, theirs = multiprocessing.Pipe()
        trainer = multiprocessing.Process(
            target=train_meanwhile, args=(ws_url(server, "/ws/train"), jobs, args.workers, theirs)
        )
        trainer.start()
        if not ours.poll(300) or ours.recv() != "running":
            raise RuntimeError("the training jobs did not start")
    rng = random.Random(args.seed)
    results = [ClientResult() for _ in range(args.clients)]
    start = {"text": "", "encoding": "binary"}

    async def type_all() -> None:
        plans = [typing_plan(rng, args.chars, (1, 3)) for _ in results]
        await asyncio.gather(*(one_client(server.ws_url, start, plan, args.cps, r) for plan, r in zip(plans, results)))

    asyncio.run(type_all())
    load, running = os.getloadavg()[0], 0
    if trainer:
        ours.send("stop")
        running = ours.recv()
        trainer.join(150)
    errors = [code for r in results for code in r.errors]
    if errors:
        raise RuntimeError(f"the typing clients got errors: {errors}")
    return [d for r in results for d in r.append_step], running, load


def latency_table(args) -> None:
    print(
        f"\n{args.clients} page(s) typing {args.chars} characters at {args.cps:g} chars/s into WS /ws/trace; "
        f"{args.jobs} long-lag LSTM jobs (H = 64) on {args.workers} training process(es)"
    )
    print("\n| round | training jobs running | keys | key to step p50 | p95 | p99 | max | load average |")
    print("|---|---|---|---|---|---|---|---|")
    with live_server({**ROOMY, "GATESCOPE_TRAIN_WORKERS": str(args.workers)}) as server:
        typing_round(server, argparse.Namespace(**{**vars(args), "chars": 20, "clients": 1}), 0)  # warm-up
        for round_number in range(1, args.rounds + 1):
            for jobs in (0, args.jobs):
                delays, running, load = typing_round(server, args, jobs)
                ms = [1000 * percentile(delays, p) for p in (50, 95, 99)]
                print(
                    f"| {round_number} | {running if jobs else 0} of {jobs} | {len(delays)} | {ms[0]:.1f} ms | "
                    f"{ms[1]:.1f} ms | {ms[2]:.1f} ms | {1000 * max(delays):.0f} ms | {load:.1f} |"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", nargs="*", default=["counter", "long-lag"], choices=["counter", "long-lag", "agreement"]
    )
    parser.add_argument("--jobs", type=int, default=10, help="training jobs while the trace is typed into")
    parser.add_argument("--workers", type=int, default=10, help="training processes (GATESCOPE_TRAIN_WORKERS)")
    parser.add_argument("--clients", type=int, default=3, help="pages typing into a live trace")
    parser.add_argument("--chars", type=int, default=300, help="characters each page types")
    parser.add_argument("--cps", type=float, default=5.0, help="characters per second")
    parser.add_argument("--rounds", type=int, default=2, help="without, then with training, this many times")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each way of training, taken in turn")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not (0 < args.jobs <= 20 and 0 < args.workers <= 20 and 0 < args.clients <= 50):
        parser.error("--jobs and --workers are 1 to 20, --clients 1 to 50")
    print(describe())
    if args.tasks:
        steps_table(args.tasks, args.repeats)
    latency_table(args)
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

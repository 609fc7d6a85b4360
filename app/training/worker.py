"""A training worker: `python -m app.training.worker`, a process the server's training pool
(app/training/pool.py) starts and gives one job at a time.

Its own process, so that training's NumPy never holds the server's GIL: it runs at a lower
priority (`--nice`), on one BLAS thread (the pool sets OPENBLAS_NUM_THREADS=1: two busy
BLAS threads on a shared 2-core machine ran 25 times slower, measured), and under an
address-space limit (`--memory` bytes beyond what it holds after starting), so a job that
would outgrow its budget gets a MemoryError, not the machine's memory.

stdin and stdout carry frames: a 4-byte big-endian length, one kind byte, then the payload
(no pickle: JSON text, or nothing).
    server → worker   J job (a JobSpec as JSON) · P pause · R resume · S stop (keep the model) ·
                      A abandon (its page went away: end at once, no model); end of input: abandon, exit
    worker → server   F a frame of WS /ws/train, JSON text to forward as it is ·
                      E the job's end: {"stopped", "steps", "kept_from", "seconds"}, {"stopped": "abandoned"}
                      or {"error": {"code", "message", "limit"?}}
After an error it exits; the pool starts a fresh process for the next job.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import struct
import sys
import threading
import time
import traceback
from typing import BinaryIO

HEADER = struct.Struct(">IB")  # payload length + 1 (the kind byte), the kind
PAUSE_CHECK_SECONDS = 1.0  # a paused job wakes this often to see whether its pause budget is spent


def write_frame(stream: BinaryIO, kind: bytes, payload: bytes = b"") -> None:
    stream.write(HEADER.pack(len(payload) + 1, kind[0]) + payload)
    stream.flush()


def read_frame(stream: BinaryIO) -> tuple[bytes, bytes] | None:
    """The next frame, or None at the end of input."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    length, kind = HEADER.unpack(header)
    payload = stream.read(length - 1)
    return bytes([kind]), payload


class Controls:
    """What the server asked of the running job: set by the reader thread, read between steps."""

    ENDING = ("stopping", "abandoning")  # a stop keeps the model; abandoning (its page left) drops it

    def __init__(self):
        self.changed = threading.Condition()
        self.state = "running"  # or "paused", or one of ENDING

    def reset(self) -> None:
        """A new job: running, whatever was asked of the last one."""
        with self.changed:
            self.state = "running"
            self.changed.notify_all()

    def ask(self, state: str) -> None:
        with self.changed:
            if self.state not in self.ENDING or state == "abandoning":  # no resume undoes a stop
                self.state = state
            self.changed.notify_all()


def read_commands(stdin: BinaryIO, controls: Controls, jobs: list, arrived: threading.Semaphore) -> None:
    """The reader thread: jobs go to `jobs`; pause, resume and stop to `controls`."""
    states = {b"P": "paused", b"R": "running", b"S": "stopping", b"A": "abandoning"}
    while (frame := read_frame(stdin)) is not None:
        kind, payload = frame
        if kind == b"J":
            controls.reset()
            jobs.append(json.loads(payload))
            arrived.release()
        elif kind in states:
            controls.ask(states[kind])
    controls.ask("abandoning")  # the server is gone: nobody wants the model
    arrived.release()


def limit_memory(extra_bytes: int) -> None:
    """Cap the address space at what the process maps now plus `extra_bytes`."""
    with open("/proc/self/status") as status:
        size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    resource.setrlimit(resource.RLIMIT_AS, (size + extra_bytes, resource.RLIM_INFINITY))


def warm_up() -> None:
    """What would otherwise be mapped lazily, mid-job, under the limit: NumPy's random
    module, and OpenBLAS's work buffer (allocated at its first product, and on failure
    OpenBLAS aborts the process rather than raise)."""
    import numpy as np
    import numpy.random  # noqa: F401

    for dtype in (np.float32, np.float64):
        square = np.ones((64, 64), dtype)
        square @ square


def serve(stdin: BinaryIO, stdout: BinaryIO, memory: int | None) -> None:
    from app.training import live  # the heavy imports, before the memory is measured

    warm_up()

    controls, arrived = Controls(), threading.Semaphore(0)
    jobs: list[dict] = []  # the specs sent, as JSON objects
    threading.Thread(target=read_commands, args=(stdin, controls, jobs, arrived), daemon=True).start()
    if memory:
        limit_memory(memory)
    while True:
        arrived.acquire()
        if not jobs:
            return  # the server closed our input
        spec = live.JobSpec(**jobs.pop(0))

        def send(frame: dict, spec=spec) -> None:
            write_frame(stdout, b"F", json.dumps(frame, ensure_ascii=False, separators=(",", ":")).encode())

        def control(clock, spec=spec) -> str | None:
            return wait_while_paused(controls, clock, spec, send)

        try:
            outcome = live.run(spec, send, control)
        except MemoryError:
            end = {"code": "too_large", "message": "the job outgrew its memory budget", "limit": "max_train_job_bytes"}
            write_frame(stdout, b"E", json.dumps({"error": end}).encode())
            return
        except Exception as error:  # a bug: said to the student plainly, the traceback to the server's log
            traceback.print_exc()
            end = {"code": "train_failed", "message": f"training failed: {type(error).__name__}: {error}"[:300]}
            write_frame(stdout, b"E", json.dumps({"error": end}).encode())
            return
        ended: dict[str, object] = {"stopped": "abandoned"}
        if outcome is not None:
            ended = {"stopped": outcome.stopped, "steps": outcome.steps, "kept_from": outcome.kept_from}
            ended["seconds"] = round(outcome.seconds, 2)
        write_frame(stdout, b"E", json.dumps(ended).encode())


def wait_while_paused(controls: Controls, clock, spec, send) -> str | None:
    """Between two steps: None to go on, "stop" when asked to, "paused" when the job has
    been paused longer than its pause budget (it stops then, keeping what it learned)."""
    from app.training.live import echo

    ending = {"stopping": "stop", "abandoning": "abandon"}
    with controls.changed:
        if controls.state in ending:
            return ending[controls.state]
        if controls.state != "paused":
            return None
    send(echo(spec, {"type": "progress", "status": "paused", "seconds": round(clock.seconds(), 2)}))
    since = time.monotonic()
    with controls.changed:
        while controls.state == "paused":
            left = spec.pause_seconds - clock.paused - (time.monotonic() - since)
            if left <= 0:
                break
            controls.changed.wait(min(left, PAUSE_CHECK_SECONDS))
        state = controls.state
    clock.paused += time.monotonic() - since
    if state in ending:
        return ending[state]
    if state == "paused":
        return "paused"
    send(echo(spec, {"type": "progress", "status": "running", "seconds": round(clock.seconds(), 2)}))
    return None


def lower_autogroup(niceness: int) -> None:
    """Where Linux schedules by autogroup (one per session; the pool starts each worker in a
    session of its own), a process's niceness weighs only against its own group's, and every
    group gets an equal share: give this worker's group the same lower weight, so training
    yields the CPU to the server's traces (and to everyone else's work) as its niceness says."""
    try:
        with open("/proc/self/autogroup", "w") as group:
            group.write(str(niceness))
    except OSError:  # no autogroup here (another system, or the kernel's is off): niceness is enough
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description="a training worker of the Gatescope server (not for people)")
    parser.add_argument("--nice", type=int, default=10, help="added to the process's niceness")
    parser.add_argument("--memory", type=int, default=0, help="bytes of address space beyond the start (0: no limit)")
    args = parser.parse_args()
    frames_out = os.fdopen(os.dup(1), "wb")  # frames only: whatever else prints goes to stderr
    os.dup2(2, 1)
    os.nice(args.nice)
    lower_autogroup(args.nice)
    serve(sys.stdin.buffer, frames_out, args.memory or None)


if __name__ == "__main__":
    main()

"""The server's training workers: a few processes (app/training/worker.py), a queue of the
jobs waiting for one, and each waiting job told its place.

At most `size` jobs train at once, all sessions together; up to `max_waiting` more wait in
order, and a start past those is refused (`busy`). A job's frames come from its worker and
go to the job's `emit`, as the worker wrote them. A job whose task is cancelled (its page
went away) is stopped: taken off the queue, or its worker told to stop and its frames
dropped. A worker that does not end its job within the job's time (with its pauses and a
grace) is killed; one that fails or is killed is replaced by a fresh process for the next job.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import sys
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field

import anyio
from anyio.abc import Process
from anyio.streams.buffered import BufferedByteReceiveStream

from app.training.live import JobSpec
from app.training.worker import HEADER

log = logging.getLogger(__name__)

GRACE_SECONDS = 60.0  # past a job's time and pauses: its held-out metrics and labels, on a busy machine
STOP_SECONDS = 15.0  # a stopped job ends within this, or its worker is killed
# One BLAS thread per worker: two threads per process on a shared 2-core machine ran 25× slower.
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


class TrainingBusy(Exception):
    code = "busy"

    def __init__(self, message: str, limit: str):
        super().__init__(message)
        self.limit = limit


class WorkerFailed(Exception):
    code = "train_failed"


Emit = Callable[[str], Awaitable[None]]  # a frame's JSON text, to the client


class Worker:
    """One worker process and its pipes."""

    def __init__(self, process: Process):
        assert process.stdin is not None and process.stdout is not None  # opened with pipes
        self.process = process
        self.input = process.stdin
        self.output = BufferedByteReceiveStream(process.stdout)

    @classmethod
    async def start(cls, niceness: int, memory: int) -> Worker:
        command = [sys.executable, "-m", "app.training.worker", "--nice", str(niceness), "--memory", str(memory)]
        # A session of its own: where the kernel groups CPU time by session (autogroup), the
        # worker's time is then not charged to the server's group (worker.py lowers its group's weight).
        process = await anyio.open_process(
            command, env={**os.environ, **WORKER_ENV}, stderr=None, start_new_session=True
        )
        return cls(process)

    async def send(self, kind: bytes, payload: bytes = b"") -> None:
        await self.input.send(HEADER.pack(len(payload) + 1, kind[0]) + payload)

    async def receive(self) -> tuple[bytes, bytes]:
        try:
            length, kind = HEADER.unpack(await self.output.receive_exactly(HEADER.size))
            return bytes([kind]), await self.output.receive_exactly(length - 1)
        except (anyio.EndOfStream, anyio.IncompleteRead, struct.error, anyio.BrokenResourceError):
            raise WorkerFailed("the training process ended unexpectedly") from None

    @property
    def alive(self) -> bool:
        return self.process.returncode is None

    async def kill(self) -> None:
        with anyio.CancelScope(shield=True):
            if self.alive:
                self.process.kill()
            await self.process.wait()
            await self.process.aclose()


@dataclass(eq=False)
class Ticket:
    """A job waiting for a worker; `tell(place, waiting)` says where it stands."""

    tell: Callable[[int, int], Awaitable[None]]
    granted: anyio.Event = field(default_factory=anyio.Event)


@dataclass
class Running:
    """What a running job's controls reach: its worker, once it has one."""

    worker: Worker | None = None
    paused: bool = False  # asked while it waited: paused as soon as it starts

    async def control(self, kind: bytes) -> None:
        self.paused = kind == b"P" or (self.paused and kind != b"R")
        if self.worker is not None:
            await self.worker.send(kind)


class TrainingPool:
    def __init__(self, size: int, max_waiting: int, niceness: int, memory: int):
        self.size = size
        self.max_waiting = max_waiting
        self.niceness = niceness
        self.memory = memory
        self.busy = 0  # slots taken: jobs running, or about to
        self.waiting: list[Ticket] = []
        self.idle: list[Worker] = []

    @property
    def running(self) -> int:
        return self.busy

    async def tell_places(self) -> None:
        for place, ticket in enumerate(list(self.waiting), start=1):
            await ticket.tell(place, len(self.waiting))

    def check_room(self) -> None:
        """Refuse a job now, before it is queued, when it could only wait past the queue."""
        if self.size == 0:
            raise TrainingBusy("this server does not train (setting GATESCOPE_TRAIN_WORKERS is 0)", "train_workers")
        if self.busy >= self.size and len(self.waiting) >= self.max_waiting:
            raise TrainingBusy(
                f"{self.busy} jobs are training and {len(self.waiting)} waiting, the most this server queues; "
                "try again in a minute",
                "max_train_waiting",
            )

    @asynccontextmanager
    async def slot(self, ticket: Ticket):
        """A worker for one job, waiting in line for it; the slot passes to the next in line after."""
        self.check_room()
        if self.busy < self.size and not self.waiting:
            self.busy += 1
        else:
            self.waiting.append(ticket)
            await self.tell_places()
            try:
                await ticket.granted.wait()
            except BaseException:
                with anyio.CancelScope(shield=True):
                    if ticket in self.waiting:
                        self.waiting.remove(ticket)
                        await self.tell_places()
                    else:  # granted the slot as it was cancelled: pass it on
                        await self.release()
                raise
        worker = None
        try:
            worker = self.idle.pop() if self.idle else await Worker.start(self.niceness, self.memory)
            yield worker
        finally:
            with anyio.CancelScope(shield=True):
                if worker is not None and worker.alive:
                    self.idle.append(worker)
                elif worker is not None:
                    await worker.kill()
                await self.release()

    async def release(self) -> None:
        if self.waiting:
            self.waiting.pop(0).granted.set()  # the slot goes to the first in line
            await self.tell_places()
        else:
            self.busy -= 1

    async def run(
        self, spec: JobSpec, emit: Emit, running: Running, tell: Callable[[int, int], Awaitable[None]]
    ) -> dict:
        """Run `spec` on a worker, passing its frames to `emit`; returns its end:
        {"stopped", "steps", "seconds"} or {"error": {...}}."""
        async with self.slot(Ticket(tell)) as worker:
            running.worker = worker
            try:
                await worker.send(b"J", json.dumps(asdict(spec)).encode())
                if running.paused:
                    await worker.send(b"P")
                with anyio.fail_after(spec.seconds + spec.pause_seconds + GRACE_SECONDS):
                    return await self.forward(worker, emit)
            except TimeoutError:
                log.warning("training job %s overran its time: its worker is killed", spec.name)
                await worker.kill()
                return {"error": {"code": "train_failed", "message": "the training process did not finish in time"}}
            except WorkerFailed as error:
                await worker.kill()
                return {"error": {"code": error.code, "message": str(error)}}
            except BaseException:  # cancelled (the page went away): stop the job, drop its frames
                with anyio.CancelScope(shield=True):
                    await self.abandon(worker)
                raise
            finally:
                running.worker = None

    async def forward(self, worker: Worker, emit: Emit) -> dict:
        while True:
            kind, payload = await worker.receive()
            if kind == b"F":
                await emit(payload.decode())
            elif kind == b"E":
                end = json.loads(payload)
                if "error" in end:
                    await worker.kill()  # it exits after an error; a fresh one takes the next job
                return end

    async def abandon(self, worker: Worker) -> None:
        """End the worker's job at once (no model), dropping its frames; kill the worker if
        it does not end in time."""
        try:
            with anyio.fail_after(STOP_SECONDS):
                await worker.send(b"A")

                async def drop(frame: str) -> None:
                    pass

                await self.forward(worker, drop)
        except (TimeoutError, WorkerFailed, anyio.BrokenResourceError, OSError):
            await worker.kill()

    async def close(self) -> None:
        """End every idle worker (at shutdown): closing its input ends it."""
        for worker in self.idle:
            with anyio.move_on_after(5):
                await worker.input.aclose()
                await worker.process.wait()
            await worker.kill()
        self.idle.clear()

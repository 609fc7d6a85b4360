"""WS /ws/train: training in the page (docs/api.md, "Training in the page"), and
GET /api/trained/{name}, a trained model's file. Translates messages to jobs of the
training pool (app/training/pool.py) and their frames back; the training itself is
app/training/live.py, in a worker process.

One connection is a session: up to `train_jobs_per_session` jobs at once (an RNN and an
LSTM side by side), `train_seconds_per_session` of training in all, each job at most
`train_seconds_per_job`. Its tasks share one task group, as the trace stream's do: when
the page goes away, every job it started is stopped and its frames dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, HTTPException, Request, WebSocket, WebSocketDisconnect
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter

from app.errors import error_detail
from app.models.format import ModelFileError
from app.models.registry import UnknownModelError, model_summary
from app.models.trained import TrainedModels
from app.routes.deps import get_compute, get_registry, get_settings
from app.routes.errors import responses
from app.routes.messages import MAX_ID, ProtocolError, decode_message, validated
from app.routes.stream import Close, error_frame, next_received, serve_session
from app.settings import Settings
from app.tracing.frames import encode
from app.tracing.text import TextError, check_text
from app.training.live import CELLS, MIN_TEXT_CHARS, TASKS, JobSpec, job_bytes
from app.training.pool import Running, TrainingBusy, TrainingPool
from app.ui import training_defaults

router = APIRouter()

OUTBOX_FRAMES = 32  # frames waiting for a slow socket (a snapshot is ~5-300 KB)
MIN_SECONDS = 1.0  # a session with less training time left than this cannot start a job
TYPES = ("start", "pause", "resume", "stop")
STOPPED_WAITING = {"code": "stopped", "message": "stopped while it waited for a trainer: nothing was trained"}


def one_of(names: tuple[str, ...], what: str) -> AfterValidator:
    """A field whose value must be one of `names` (they come from the trainer, not a literal list)."""

    def check(value: str) -> str:
        if value not in names:
            raise ValueError(f"unknown {what} {value[:40]!r}; one of {', '.join(names)}")
        return value

    return AfterValidator(check)


class StartTraining(BaseModel):
    """What to train; `hidden`, `lr`, `steps` and `example` default to the task's (the UI contract's)."""

    model_config = ConfigDict(strict=True)

    type: Literal["start"]
    task: Annotated[str, one_of(TASKS, "task")]
    cell: Annotated[str, one_of(CELLS, "cell")] = "lstm"
    hidden: int | None = Field(None, ge=1)
    lr: float | None = Field(None, gt=0, le=1, strict=False)  # 1 is a number here, as JSON has it
    steps: int | None = Field(None, ge=1)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    text: str = ""  # the student's own, for task "text"
    example: str | None = None  # the sentence each snapshot traces
    id: int | None = Field(None, ge=0, le=MAX_ID)


class Control(BaseModel):
    """pause, resume or stop one job (`job`), or every job of the connection."""

    model_config = ConfigDict(strict=True)

    type: Literal["pause", "resume", "stop"]
    job: int | None = Field(None, ge=1, le=MAX_ID)
    id: int | None = Field(None, ge=0, le=MAX_ID)


_START = TypeAdapter(StartTraining)
_CONTROL = TypeAdapter(Control)
CONTROL_KINDS = {"pause": b"P", "resume": b"R", "stop": b"S"}


class TrainingRefused(Exception):
    """A start that cannot run; `code` and `limit` as every refusal has them (app.errors)."""

    def __init__(self, code: str, message: str, limit: str | None = None):
        super().__init__(message)
        self.code = code
        self.limit = limit


def get_pool(connection) -> TrainingPool:
    return connection.app.state.training


def get_trained(connection) -> TrainedModels:
    return connection.app.state.registry.trained


@dataclass(eq=False)
class Job:
    number: int
    spec: JobSpec
    reserved: float  # seconds of the session's budget held for it until it ends
    running: Running = field(default_factory=Running)
    waiting: anyio.CancelScope = field(default_factory=anyio.CancelScope)  # a stop before it has a worker


def checked_spec(
    message: StartTraining, settings: Settings, number: int, seconds: float, trained: TrainedModels
) -> JobSpec:
    """The job a start asks for, every field within its limit (TrainingRefused, TextError)."""
    defaults = training_defaults(settings)[message.task]
    hidden = message.hidden or defaults["hidden"]
    steps = message.steps or defaults["steps"]
    if hidden > settings.max_train_hidden:
        raise TrainingRefused(
            "too_large", f"at most {settings.max_train_hidden} units; asked {hidden}", "max_train_hidden"
        )
    if steps > settings.max_train_steps:
        raise TrainingRefused(
            "too_large", f"at most {settings.max_train_steps} steps; asked {steps}", "max_train_steps"
        )
    text = ""
    if message.task == "text":
        text = check_text(message.text)
        if len(text) > settings.max_train_text_chars:
            raise TrainingRefused(
                "too_large",
                f"a text to train on holds at most {settings.max_train_text_chars} characters; this one has {len(text)}",
                "max_train_text_chars",
            )
        if len(text) < MIN_TEXT_CHARS:
            raise TrainingRefused(
                "bad_text", f"a text to train on needs at least {MIN_TEXT_CHARS} characters; this one has {len(text)}"
            )
    elif message.text:
        raise TrainingRefused("bad_message", "text is for task 'text' (your own); the other tasks make their own data")
    example = defaults["example"] if message.example is None else check_text(message.example)
    if message.task == "text" and not example:
        example = text[int(len(text) * 0.9) :][: settings.max_train_example_chars]  # from the held-out tenth
    if len(example) > settings.max_train_example_chars:
        raise TrainingRefused(
            "too_large",
            f"the example holds at most {settings.max_train_example_chars} characters; this one has {len(example)}",
            "max_train_example_chars",
        )
    name = trained.new_name(message.task, message.cell)
    return JobSpec(
        task=message.task,
        cell=message.cell,
        hidden=hidden,
        lr=float(message.lr or defaults["lr"]),
        steps=steps,
        seed=message.seed,
        example=example,
        output=str(trained.path_for(name)),
        name=name,
        seconds=seconds,
        pause_seconds=settings.train_pause_seconds,
        snapshot_every=settings.train_snapshot_every,
        evaluate_every=settings.train_evaluate_every,
        decimals=settings.decimals,
        top_k=settings.top_k,
        text=text,
        job=number,
        id=message.id,
    )


def check_bytes(spec: JobSpec, settings: Settings) -> None:
    """Refuse a job whose arrays would outgrow its budget (run in a worker thread)."""
    needed = job_bytes(spec)
    if needed > settings.max_train_job_bytes:
        raise TrainingRefused(
            "too_large",
            f"this job would hold about {needed // 2**20} MiB, over the {settings.max_train_job_bytes // 2**20} MiB "
            "a job may; fewer units (or a text with fewer distinct characters) fit",
            "max_train_job_bytes",
        )


class TrainingStream:
    """One client's connection: its jobs and its budget."""

    def __init__(self, websocket: WebSocket):
        self.ws = websocket
        self.settings: Settings = get_settings(websocket)
        self.registry = get_registry(websocket)
        self.trained = get_trained(websocket)
        self.pool = get_pool(websocket)
        self.compute = get_compute(websocket)
        self.jobs: dict[int, Job] = {}
        self.numbered = 0
        self.used = 0.0  # seconds of training spent or held by running jobs
        self.outbox, self.to_send = anyio.create_memory_object_stream[str | Close](OUTBOX_FRAMES)

    async def serve(self) -> None:
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(self.receive, tasks)
            await self.send()
            tasks.cancel_scope.cancel()

    async def send(self) -> None:
        async for item in self.to_send:
            try:
                if isinstance(item, Close):
                    return await self.ws.close(item.code, item.reason)
                await self.ws.send_text(item)
            except (WebSocketDisconnect, OSError):
                return

    async def put(self, frame: dict, request_id: int | None = None) -> None:
        await self.outbox.send(encode(frame, request_id))

    async def receive(self, tasks: anyio.abc.TaskGroup) -> None:
        idle = self.settings.idle_seconds
        # (a page watching its jobs sends nothing, and is not idle)
        while (received := await next_received(self.ws, self.outbox, idle, tasks, lambda: bool(self.jobs))) is not None:
            request_id = None
            try:
                data = decode_message(received.get("text", received.get("bytes")), self.settings, TYPES)
                message = validated(_START if data["type"] == "start" else _CONTROL, data)
                request_id = message.id
                if isinstance(message, StartTraining):
                    await self.start(message, tasks)
                else:
                    await self.control(message)
            except ProtocolError as e:
                await self.put(error_frame(error_detail(e)))
                if e.close is not None:
                    await self.outbox.send(Close(e.close, e.code))
                    return
            except (TrainingRefused, TrainingBusy, TextError) as e:
                await self.put(error_frame(error_detail(e)), request_id)

    async def start(self, message: StartTraining, tasks: anyio.abc.TaskGroup) -> None:
        settings = self.settings
        if len(self.jobs) >= settings.train_jobs_per_session:
            raise TrainingRefused(
                "too_many_jobs",
                f"a session trains at most {settings.train_jobs_per_session} jobs at once; stop one or wait for it",
                "train_jobs_per_session",
            )
        left = settings.train_seconds_per_session - self.used
        if left < MIN_SECONDS:
            raise TrainingRefused(
                "too_much_training",
                f"this session has used its {settings.train_seconds_per_session:g} seconds of training",
                "train_seconds_per_session",
            )
        seconds = min(settings.train_seconds_per_job, left)
        spec = checked_spec(message, settings, self.numbered + 1, seconds, self.trained)
        await anyio.to_thread.run_sync(check_bytes, spec, settings, limiter=self.compute)
        self.pool.check_room()
        self.numbered += 1
        job = Job(self.numbered, spec, seconds)
        self.jobs[job.number] = job
        self.used += seconds
        queued = self.pool.busy >= self.pool.size
        await self.put(self.status(job, "queued" if queued else "starting"))
        tasks.start_soon(self.run, job)

    def status(self, job: Job, status: str, **more) -> dict:
        frame = {"type": "progress", "status": status, "job": job.number, **more}
        return frame if job.spec.id is None else {**frame, "id": job.spec.id}

    async def control(self, message: Control) -> None:
        targets = [self.jobs[message.job]] if message.job in self.jobs else []
        if message.job is None:
            targets = list(self.jobs.values())
        if not targets:
            raise TrainingRefused(
                "no_job",
                f"no job {message.job} is running or waiting" if message.job else "no job is running or waiting",
            )
        for job in targets:
            if message.type == "stop" and job.running.worker is None:
                job.waiting.cancel()  # still in the queue: it leaves it, and nothing is trained
            else:
                await job.running.control(CONTROL_KINDS[message.type])

    async def run(self, job: Job) -> None:
        spent, kept = job.reserved, False
        try:

            async def tell(place: int, waiting: int) -> None:
                await self.put(self.status(job, "queued", place=place, waiting=waiting))

            with job.waiting:
                end = await self.pool.run(job.spec, self.outbox_text, job.running, tell)
            if job.waiting.cancelled_caught:
                spent = 0.0
                return await self.put(self.status(job, "stopped") | {"type": "error", **STOPPED_WAITING})
            spent = min(job.reserved, float(end.get("seconds", job.reserved)))
            if "error" in end:
                return await self.put(self.job_error(job, end["error"]))
            done = await anyio.to_thread.run_sync(self.keep, job, end, limiter=self.compute)
            kept = True
            await self.put(done)
        except (ModelFileError, OSError) as error:
            await self.put(self.job_error(job, {"code": "bad_model", "message": str(error)}))
        finally:
            self.used -= job.reserved - spent  # what it did not use goes back to the session
            del self.jobs[job.number]
            if not kept:  # failed, or its page went away: nobody will ask for its model
                Path(job.spec.output).unlink(missing_ok=True)

    async def outbox_text(self, text: str) -> None:
        await self.outbox.send(text)

    def job_error(self, job: Job, detail: dict) -> dict:
        return self.status(job, "failed") | {"type": "error", **detail}

    def keep(self, job: Job, end: dict) -> dict:
        """The trained model kept for the session (and, if the operator allows, in the
        models folder); its `done` frame."""
        spec = job.spec
        self.trained.kept(spec.name)
        model = self.registry.get(spec.name)
        if self.settings.save_trained and self.settings.models is not None:
            self.settings.models.mkdir(parents=True, exist_ok=True)
            kept = self.trained.path(spec.name)
            assert kept is not None  # kept() above keeps it
            (self.settings.models / f"{spec.name}.npz").write_bytes(kept.read_bytes())
        frame = {
            "type": "done",
            "job": job.number,
            "model": spec.name,
            "stopped": end["stopped"],
            "steps": end["steps"],
            "kept_from": end["kept_from"],
            "seconds": end["seconds"],
            "summary": model_summary(model, False).model_dump(mode="json"),
            "download": f"api/trained/{spec.name}",
        }
        return frame if spec.id is None else {**frame, "id": spec.id}


@router.websocket("/ws/train")
async def train_stream(websocket: WebSocket) -> None:
    await serve_session(websocket, TrainingStream)


@router.get(
    "/api/trained/{name}",
    response_class=FileResponse,
    responses={**responses(422), 404: {**responses(404)[404], "description": "no trained model of that name is kept"}},
)
def download_trained(name: Annotated[str, PathParam(max_length=64)], request: Request) -> FileResponse:
    """A model trained in the page, as its .npz file (docs/model-files.md), while it is kept."""
    path = get_trained(request).path(name)
    if path is None:
        raise HTTPException(404, detail=error_detail(UnknownModelError(name[:80], [])))
    return FileResponse(path, media_type="application/octet-stream", filename=path.name)

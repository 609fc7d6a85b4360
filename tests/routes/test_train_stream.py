"""WS /ws/train and GET /api/trained/NAME through the app, with real worker processes:
every message, every refusal, the queue, the budgets, and the trained model used like any
other (docs/api.md, "Training in the page")."""

from __future__ import annotations

import io
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.main import create_app
from tests.routes.stream_client import receive_until_done, send_any

QUICK = {"type": "start", "task": "counter", "steps": 20}  # a job of a few seconds
LONG = {"type": "start", "task": "counter", "steps": 10_000}  # one that runs until it is stopped


@pytest.fixture
def train_settings(settings, tmp_path_factory):
    """The shared settings (a models folder of three), with snapshots and held-out checks
    every 10 steps and a folder of their own for trained models."""
    trained = tmp_path_factory.mktemp("trained")
    return settings.model_copy(update={"train_snapshot_every": 10, "train_evaluate_every": 10, "trained_dir": trained})


@pytest.fixture
def trainer(train_settings):
    """A client of an app that trains; `trainer(**changes)` one whose settings differ."""
    clients = []

    def make(**changes) -> TestClient:
        client = TestClient(create_app(train_settings.model_copy(update=changes)))
        clients.append(client.__enter__())
        return clients[-1]

    yield make
    for client in reversed(clients):
        client.__exit__(None, None, None)


def frames_until(ws, wanted) -> list[dict]:
    """Frames up to and including the first for which `wanted(frame)` holds."""
    frames = []
    while True:
        frames.append(ws.receive_json())
        if wanted(frames[-1]):
            return frames


def ended(job: int):
    return lambda frame: frame.get("job") == job and frame["type"] in ("done", "error")


def status(job: int, name: str):
    return lambda frame: frame.get("job") == job and frame["type"] == "progress" and frame.get("status") == name


def test_a_job_streams_progress_and_snapshots_then_done_with_a_model(trainer, train_settings):
    client = trainer()
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(QUICK | {"id": 9, "example": "(())"})
        frames = frames_until(ws, ended(1))
    assert frames[0] == {"type": "progress", "status": "starting", "job": 1, "id": 9}
    assert all(f["job"] == 1 and f["id"] == 9 for f in frames)
    snapshots = [f for f in frames if f["type"] == "snapshot"]
    assert [s["step"] for s in snapshots] == [0, 10, 20, 20] and snapshots[-1]["final"]
    assert [s["token"] for s in snapshots[1]["trace"]["steps"]] == list("(())")
    assert snapshots[1]["trace"]["meta"]["cell"] == "lstm" and snapshots[1]["units"][0]["feature"] == "bracket depth"
    running = [f for f in frames if f["type"] == "progress" and f["status"] in ("running", "finishing")]
    assert running[-1]["status"] == "finishing" and running[-1]["step"] == 20 and running[-1]["steps"] == 20
    done = frames[-1]
    assert done["type"] == "done" and done["stopped"] == "steps" and done["steps"] == 20
    assert done["model"].startswith("trained-counter-lstm-") and done["summary"]["name"] == done["model"]
    assert done["summary"]["metrics"]["test"]["positions"] > 0 and done["download"] == f"api/trained/{done['model']}"
    assert sorted(p.name for p in train_settings.models.iterdir()) == ["deep.npz", "tiny.npz", "words.npz"]


def test_the_trained_model_is_traced_exported_and_downloaded_like_any_other(trainer):
    client = trainer()
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(QUICK)
        name = frames_until(ws, ended(1))[-1]["model"]
    answer = client.post("/api/trace", json={"model": name, "text": "(()"})
    assert answer.status_code == 200 and answer.json()["meta"]["model"] == name
    with client.websocket_connect("/ws/trace") as trace:
        trace.send_json({"type": "start", "model": name, "text": "()"})
        assert [f["type"] for f in receive_until_done(trace)] == ["meta", "step", "step", "done"]
    assert client.post("/api/gradients", json={"model": name, "text": "(()"}).status_code == 200
    assert client.get("/api/export", params={"model": name, "text": "(()"}).status_code == 200
    download = client.get(f"/api/trained/{name}")
    assert download.status_code == 200 and f'filename="{name}.npz"' in download.headers["content-disposition"]
    with np.load(io.BytesIO(download.content), allow_pickle=False) as arrays:
        assert "rnn.weight_hh_l0" in arrays.files
    assert name not in [m["name"] for m in client.get("/api/models").json()["models"]]  # the session's, not listed


def test_a_name_that_is_no_kept_model_is_not_found(trainer):
    client = trainer()
    for name in ("trained-counter-lstm-0000000000", "tiny", "..%2Ftiny", "trained-..%2F..%2Fetc"):
        answer = client.get(f"/api/trained/{name}")
        assert answer.status_code == 404 and answer.json()["detail"]["code"] in ("unknown_model", "not_found")


def test_pause_resume_and_stop(trainer):
    client = trainer()
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        frames_until(ws, status(1, "running"))
        ws.send_json({"type": "pause", "job": 1})
        paused = frames_until(ws, status(1, "paused"))[-1]
        ws.send_json({"type": "resume", "job": 1})
        frames_until(ws, status(1, "running"))
        ws.send_json({"type": "stop", "job": 1})
        done = frames_until(ws, ended(1))[-1]
    assert done["type"] == "done" and done["stopped"] == "stop" and 0 < done["steps"] < 10_000
    assert paused["seconds"] >= 0


def test_a_stop_without_a_job_number_stops_every_job_of_the_session(trainer):
    client = trainer()
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        ws.send_json(LONG | {"cell": "rnn"})
        frames_until(ws, status(2, "running"))
        ws.send_json({"type": "stop"})
        frames = frames_until(ws, lambda f: f["type"] == "done" and f["job"] == 2)
        frames += [] if any(ended(1)(f) for f in frames) else frames_until(ws, ended(1))
    done = {f["job"]: f for f in frames if f["type"] == "done"}
    assert done[1]["stopped"] == done[2]["stopped"] == "stop" and done[2]["summary"]["cell"] == "rnn"


def test_a_job_paused_longer_than_its_pause_budget_stops_with_what_it_learned(trainer):
    client = trainer(train_pause_seconds=0.5)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        frames_until(ws, status(1, "running"))
        ws.send_json({"type": "pause"})
        assert frames_until(ws, ended(1))[-1]["stopped"] == "paused"


LIMITS = {"max_train_hidden": 8, "max_train_steps": 100, "max_train_example_chars": 10, "max_train_text_chars": 2_000}
TEXT = "the clouds are in the sky. " * 40  # 1,080 characters


@pytest.mark.parametrize(
    ("message", "code", "limit"),
    [
        ("not json", "bad_json", None),
        ({"type": "train"}, "unknown_type", None),
        ({"type": "start"}, "bad_message", None),
        ({"type": "start", "task": "code"}, "bad_message", None),
        (QUICK | {"cell": "transformer"}, "bad_message", None),
        (QUICK | {"hidden": "3"}, "bad_message", None),
        (QUICK | {"lr": -1}, "bad_message", None),
        (QUICK | {"steps": 0}, "bad_message", None),
        (QUICK | {"seed": -1}, "bad_message", None),
        (QUICK | {"hidden": 9}, "too_large", "max_train_hidden"),
        (QUICK | {"steps": 101}, "too_large", "max_train_steps"),
        (QUICK | {"example": "(" * 11}, "too_large", "max_train_example_chars"),
        (QUICK | {"example": "(\x00)"}, "bad_text", None),
        (QUICK | {"text": TEXT}, "bad_message", None),  # only for your own text
        ({"type": "start", "task": "text", "hidden": 4, "text": TEXT[:999]}, "bad_text", None),
        ({"type": "start", "task": "text", "hidden": 4, "text": TEXT * 2}, "too_large", "max_train_text_chars"),
        ({"type": "start", "task": "text", "hidden": 4, "text": TEXT[:-1] + "\ud800"}, "bad_text", None),
        ({"type": "pause"}, "no_job", None),
        ({"type": "resume", "job": 3}, "no_job", None),
        ({"type": "stop", "job": "1"}, "bad_message", None),
        (b"\x00binary", "bad_message", None),
        ({"type": "start", "task": "counter", "example": "x" * 70_000}, "too_large", "max_message_bytes"),
    ],
)
def test_every_refusal_names_its_code_and_limit_and_the_connection_goes_on(trainer, message, code, limit):
    client = trainer(**LIMITS)
    with client.websocket_connect("/ws/train") as ws:
        send_any(ws, message)
        error = ws.receive_json()
        assert error["type"] == "error" and error["code"] == code and error.get("limit") == limit, error
        assert error["message"]
        ws.send_json({"type": "stop", "id": 4})  # still answered
        assert ws.receive_json() | {"message": ""} == {"type": "error", "code": "no_job", "message": "", "id": 4}


def test_a_refused_start_echoes_its_id(trainer):
    client = trainer(max_train_hidden=8)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(QUICK | {"hidden": 9, "id": 12})
        assert ws.receive_json()["id"] == 12


def test_a_job_whose_arrays_outgrow_the_budget_is_refused_before_it_waits(trainer):
    client = trainer(max_train_job_bytes=2**20)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(QUICK)
        error = ws.receive_json()
    assert error["code"] == "too_large" and error["limit"] == "max_train_job_bytes" and "MiB" in error["message"]


def test_a_job_past_its_address_space_fails_alone(trainer, monkeypatch):
    """The estimate admits a job (here, told to); the worker's address-space limit still
    ends one that grows past it, with an error to its page, and the next job runs."""
    client = trainer(max_train_job_bytes=16 * 2**20)  # each worker may grow by 32 MiB: a counter's few fit
    monkeypatch.setattr("app.routes.train.job_bytes", lambda spec: 0)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json({"type": "start", "task": "long-lag", "hidden": 256, "steps": 20})  # ~100 MB
        error = frames_until(ws, ended(1))[-1]
        assert error["type"] == "error" and error["code"] == "too_large" and error["limit"] == "max_train_job_bytes"
        ws.send_json(QUICK)
        assert frames_until(ws, ended(2))[-1]["type"] == "done"


def test_a_session_runs_at_most_its_jobs_at_once(trainer):
    client = trainer(train_jobs_per_session=1)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        ws.send_json(QUICK | {"id": 2})
        refusal = frames_until(ws, lambda f: f["type"] == "error")[-1]
        ws.send_json({"type": "stop"})
        frames_until(ws, ended(1))
    assert refusal["code"] == "too_many_jobs" and refusal["limit"] == "train_jobs_per_session" and refusal["id"] == 2


def test_a_session_has_a_budget_of_training_time(trainer):
    client = trainer(train_seconds_per_session=2.0)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        done = frames_until(ws, ended(1))[-1]
        assert done["stopped"] == "time" and done["seconds"] >= 2.0
        ws.send_json(QUICK)
        refusal = ws.receive_json()
    assert refusal["code"] == "too_much_training" and refusal["limit"] == "train_seconds_per_session"


def placed(place: int, waiting: int):
    return lambda frame: frame.get("place") == place and frame.get("waiting") == waiting


def test_a_class_queues_and_each_student_sees_their_place(trainer):
    client = trainer(train_workers=1)
    with (
        client.websocket_connect("/ws/train") as first,
        client.websocket_connect("/ws/train") as second,
        client.websocket_connect("/ws/train") as third,
    ):
        first.send_json(LONG)
        frames_until(first, status(1, "running"))
        second.send_json(QUICK)
        assert second.receive_json() == {"type": "progress", "status": "queued", "job": 1}
        frames_until(second, placed(1, 1))
        third.send_json(QUICK)
        frames_until(third, placed(2, 2))
        frames_until(second, placed(1, 2))  # the one ahead is told the queue grew behind it
        first.send_json({"type": "stop"})
        frames_until(first, ended(1))
        frames_until(third, placed(1, 1))  # its turn is next
        assert frames_until(second, ended(1))[-1]["type"] == "done"
        assert frames_until(third, ended(1))[-1]["type"] == "done"


def test_a_job_stopped_while_it_waits_leaves_the_queue_untrained(trainer):
    client = trainer(train_workers=1, train_jobs_per_session=1)
    with (
        client.websocket_connect("/ws/train") as first,
        client.websocket_connect("/ws/train") as second,
        client.websocket_connect("/ws/train") as third,
    ):
        first.send_json(LONG)
        frames_until(first, status(1, "running"))
        second.send_json(QUICK | {"id": 4})
        frames_until(second, placed(1, 1))
        third.send_json(QUICK)
        frames_until(third, placed(2, 2))
        second.send_json({"type": "stop", "job": 1})
        stopped = frames_until(second, ended(1))[-1]
        frames_until(third, placed(1, 1))  # it moved up
        second.send_json(QUICK)  # accepted: the stopped job no longer counts against its session's one at once
        frames_until(second, placed(2, 2))
        first.send_json({"type": "stop"})
        assert frames_until(first, ended(1))[-1]["type"] == "done"
        assert frames_until(third, ended(1))[-1]["type"] == "done"
        assert frames_until(second, ended(2))[-1]["type"] == "done"
    assert stopped == {
        "type": "error",
        "status": "stopped",
        "job": 1,
        "id": 4,
        "code": "stopped",
        "message": "stopped while it waited for a trainer: nothing was trained",
    }


def test_past_the_queue_a_start_is_refused_as_busy(trainer):
    client = trainer(train_workers=1, max_train_waiting=0)
    with client.websocket_connect("/ws/train") as first, client.websocket_connect("/ws/train") as second:
        first.send_json(LONG)
        frames_until(first, status(1, "running"))
        second.send_json(QUICK)
        refusal = second.receive_json()
        first.send_json({"type": "stop"})
        frames_until(first, ended(1))
    assert refusal["code"] == "busy" and refusal["limit"] == "max_train_waiting"


def test_a_server_that_does_not_train_says_so(trainer):
    client = trainer(train_workers=0)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(QUICK)
        refusal = ws.receive_json()
    assert refusal["code"] == "busy" and refusal["limit"] == "train_workers"


def test_a_job_is_cancelled_when_its_page_goes_away(trainer, train_settings):
    """Its worker ends it at once, writes no model, and goes back to the pool for the next
    job. (Polled for up to a minute: the job left alone would train 10,000 steps.)"""
    client = trainer(train_workers=1)
    pool = client.app.state.training
    with client.websocket_connect("/ws/train") as leaving:
        leaving.send_json(LONG)
        frames_until(leaving, status(1, "running"))
    deadline = time.monotonic() + 60
    while (pool.busy or len(pool.idle) != 1) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert pool.busy == 0 and len(pool.idle) == 1
    assert list(train_settings.trained_dir.iterdir()) == []
    with client.websocket_connect("/ws/train") as next_one:
        next_one.send_json(QUICK)
        assert next_one.receive_json()["status"] == "starting"  # no one in line
        name = frames_until(next_one, ended(1))[-1]["model"]
    assert [p.name for p in train_settings.trained_dir.iterdir()] == [f"{name}.npz"]


def worker_pids() -> list[int]:
    """This test process's training workers, from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == os.getpid() and b"app.training.worker" in command:
            pids.append(int(entry.name))
    return pids


def test_a_worker_that_dies_fails_its_job_and_a_fresh_one_takes_the_next(trainer):
    client = trainer(train_workers=1)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        frames_until(ws, status(1, "running"))
        for pid in worker_pids():
            os.kill(pid, signal.SIGKILL)
        error = frames_until(ws, ended(1))[-1]
        assert error["type"] == "error" and error["code"] == "train_failed" and error["status"] == "failed"
        ws.send_json(QUICK)
        assert frames_until(ws, ended(2))[-1]["type"] == "done"


def test_training_processes_run_niced_on_one_blas_thread(trainer):
    """Niced, and where Linux groups CPU time by session (autogroup), in a session whose group
    is niced alike: otherwise the worker's time would count against the server's own group."""
    client = trainer(train_workers=1, train_niceness=7)
    autogroup = Path("/proc/self/autogroup")
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        frames_until(ws, status(1, "running"))
        (pid,) = worker_pids()
        niceness = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])
        environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        session = os.getsid(pid)
        group = Path(f"/proc/{pid}/autogroup").read_text() if autogroup.exists() else None
        ws.send_json({"type": "stop"})
        frames_until(ws, ended(1))
    assert niceness == os.nice(0) + 7 and b"OPENBLAS_NUM_THREADS=1" in environment
    assert session == pid != os.getsid(0)
    if group is not None:
        assert group != autogroup.read_text() and group.split()[-2:] == ["nice", "7"]


def test_an_idle_connection_is_closed_unless_it_has_a_job(trainer):
    client = trainer(idle_seconds=1.0)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(LONG)
        started = time.monotonic()
        frames_until(ws, lambda f: time.monotonic() - started > 2.5)  # frames keep coming: not closed
        ws.send_json({"type": "stop"})
        frames_until(ws, ended(1))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1001


def test_a_page_of_another_site_may_not_train(trainer):
    client = trainer()
    with pytest.raises(WebSocketDisconnect) as refused:
        with client.websocket_connect("/ws/train", headers={"origin": "http://evil.example"}):
            pass
    assert refused.value.code == 1008


def test_the_operator_may_keep_trained_models_in_the_models_folder(trainer, train_settings):
    client = trainer(save_trained=True)
    with client.websocket_connect("/ws/train") as ws:
        ws.send_json(QUICK)
        name = frames_until(ws, ended(1))[-1]["model"]
    assert (train_settings.models / f"{name}.npz").is_file()
    assert name in [m["name"] for m in client.get("/api/models").json()["models"]]

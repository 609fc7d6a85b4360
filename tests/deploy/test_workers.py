"""`gatescope serve --workers N`: N processes on one port, any of them serving any student."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest
from websockets.sync.client import connect

from app.cli import main
from app.models.format import save_model
from tests.deploy.served import TEXT, check_served, trace_over_stream
from tests.helpers import tiny_model
from tests.live_server import live_server


def workers_of(pid: int) -> list[int]:
    """The server processes uvicorn spawned (not multiprocessing's resource tracker)."""
    children = [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    return [child for child in children if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_two_workers_serve_the_page_and_many_streams_at_once():
    with live_server(serve_args=["--workers", "2"]) as server:
        workers = workers_of(server.process.pid)
        assert len(workers) == 2
        check_served(server.url + "/")
        with ThreadPoolExecutor(8) as pool:
            traces = list(pool.map(lambda _: trace_over_stream(server.url + "/"), range(16)))
        assert all(frames[-1] == {"type": "done", "steps": len(TEXT), "total": len(TEXT)} for frames in traces)
        assert server.output().count("Started server process") == 2
        assert workers_of(server.process.pid) == workers  # none died on the way


def trained_dir_of(pid: int) -> str:
    environment = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return next(item.split(b"=", 1)[1].decode() for item in environment if item.startswith(b"GATESCOPE_TRAINED_DIR="))


def test_workers_must_be_a_sensible_count():
    with pytest.raises(SystemExit, match="--workers must be 1 to 64"):
        main(["serve", "--workers", "0"])


def test_the_models_option_reaches_every_worker(tmp_path):
    save_model(tiny_model(name="mine"), tmp_path / "mine.npz")
    with live_server(serve_args=["--workers", "2", "--models", str(tmp_path)]) as server:
        for _ in range(6):  # new connections each: both workers answer some of them
            names = {model["name"] for model in httpx2.get(f"{server.url}/api/models").json()["models"]}
            assert "mine" in names


def test_a_model_trained_on_one_worker_is_traced_by_every_worker():
    """`serve --workers` keeps trained models in one folder all its processes read."""
    with live_server(serve_args=["--workers", "2"], env={"GATESCOPE_TRAIN_SNAPSHOT_EVERY": "10"}) as server:
        with connect(server.url.replace("http://", "ws://") + "/ws/train") as ws:
            ws.send(json.dumps({"type": "start", "task": "counter", "steps": 10}))
            while (frame := json.loads(ws.recv()))["type"] not in ("done", "error"):
                pass
        assert frame["type"] == "done"
        folders = {trained_dir_of(pid) for pid in workers_of(server.process.pid)}
        assert len(folders) == 1
        folder = Path(folders.pop())
        assert (folder / f"{frame['model']}.npz").is_file()
        for _ in range(8):  # new connections each: both workers answer some of them
            answer = httpx2.post(f"{server.url}/api/trace", json={"model": frame["model"], "text": "(()"})
            assert answer.status_code == 200 and len(answer.json()["steps"]) == 3
    assert not folder.exists()  # the server made it, and removed it when it stopped

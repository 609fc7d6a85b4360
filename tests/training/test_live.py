"""A training job of the page, run in-process (app/training/live.py): what it reports,
that it trains what the command line trains, how it stops, and what it costs."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from app.models.format import load_model
from app.training import network
from app.training.convert import from_model
from app.training.live import MIN_TEXT_CHARS, JobSpec, job_bytes, run
from app.training.progress import ProgressBar
from app.training.tasks.counter import COUNTER
from app.training.tasks.long_lag import LAGS
from app.training.trainer import TrainConfig, train
from tests.training.test_trainer import Quiet

BRACKETS = "(()(()))((()))"


def spec_for(tmp_path: Path, **changes) -> JobSpec:
    fields = dict(
        task="counter", cell="lstm", hidden=3, lr=1e-2, steps=40, seed=0, example=BRACKETS,
        output=str(tmp_path / "trained-test.npz"), name="trained-test", seconds=600, pause_seconds=60,
        snapshot_every=20, evaluate_every=20, decimals=5, top_k=5, job=3, id=7,
    )  # fmt: skip
    return JobSpec(**(fields | changes))


def run_collecting(spec: JobSpec, control=lambda clock: None):
    frames = []
    outcome = run(spec, frames.append, control)
    return outcome, frames


def test_a_counter_job_reaches_every_held_out_bracket_and_grows_a_depth_unit(tmp_path):
    """The recipe's learning rate and size, 600 steps: the held-out accuracy reaches 100% and
    some unit's C follows the bracket depth (|r| >= 0.9) on held-out strings."""
    outcome, frames = run_collecting(spec_for(tmp_path, steps=600, snapshot_every=200, evaluate_every=100))
    snapshots = [f for f in frames if f["type"] == "snapshot"]
    assert [s["step"] for s in snapshots] == [0, 200, 400, 600, 600] and snapshots[-1]["final"]
    depth_r = [next(u["r"] for u in s["units"] if u["feature"] == "bracket depth") for s in snapshots]
    assert abs(depth_r[0]) < 0.9 <= abs(depth_r[-1])  # untrained, no unit counts; trained, one does
    model = load_model(Path(spec_for(tmp_path).output))
    assert model.info["metrics"]["test"]["accuracy"] == 1.0  # 2,000 held-out strings, every position right
    assert any(label["feature"] == "bracket depth" and abs(label["r"]) >= 0.9 for label in model.info["units"])
    assert outcome.stopped == "steps" and outcome.steps == 600 and model.name == "trained-test"


def test_every_frame_carries_the_job_and_its_start_id(tmp_path):
    _, frames = run_collecting(spec_for(tmp_path))
    assert frames and all(f["job"] == 3 and f["id"] == 7 for f in frames)
    assert {f["type"] for f in frames} <= {"progress", "snapshot"}


def test_a_snapshot_is_the_trace_of_the_example_with_the_weights_of_then(tmp_path):
    """Its frames are /api/trace's: one step per character of the example, the LSTM's gates
    and states, and its C after the first "(" is what the saved model's cell computes."""
    _, frames = run_collecting(spec_for(tmp_path, steps=20))
    final = [f for f in frames if f["type"] == "snapshot"][-1]
    meta, steps = final["trace"]["meta"], final["trace"]["steps"]
    assert meta["cell"] == "lstm" and meta["hidden_size"] == 3
    assert [s["token"] for s in steps] == list(BRACKETS)
    assert set(steps[0]["gates"]) == {"f", "i", "c_tilde", "o"} and len(steps[0]["c"]) == 3
    model = load_model(Path(spec_for(tmp_path).output))
    records, _ = model.forward(np.array([model.tokenizer.vocab.index(c) for c in BRACKETS]), model.zero_state())
    np.testing.assert_allclose([s["c"] for s in steps], [r.c for r in records[0]], atol=1e-5)
    assert final["kept_from"] in (0, 20) and final["held_out"]["positions"] > 0


def test_progress_reports_training_and_held_out_numbers(tmp_path, monkeypatch):
    monkeypatch.setattr("app.training.live.PROGRESS_SECONDS", 0.0)  # a frame after every step
    _, frames = run_collecting(spec_for(tmp_path, steps=30, evaluate_every=10))
    progress = [f for f in frames if f["type"] == "progress"]
    running = [f for f in progress if f["status"] == "running"]
    assert [f["step"] for f in running] == list(range(1, 31))
    assert all(0 <= f["train"]["accuracy"] <= 1 and f["train"]["loss"] > 0 for f in running)
    held_out_at = [f["held_out"] and f["held_out"]["step"] for f in running]
    assert held_out_at == [None] * 9 + [10] * 10 + [20] * 10 + [30]  # validated every 10 steps and at the end
    assert progress[-1]["status"] == "finishing"


def test_the_page_trains_the_same_weights_as_the_command_line(tmp_path):
    """Seed, data order and the loop are the command line's own: an epoch of the counter in
    the page (validated only at its end, as `--epochs 1` is) gives the same weights bit for bit."""
    epoch = COUNTER.data(32, 0).batches_per_epoch
    run_collecting(spec_for(tmp_path, steps=epoch, evaluate_every=10_000))
    _, in_the_page = from_model(load_model(Path(spec_for(tmp_path).output)))
    shape = network.Shape("lstm", len(COUNTER.tokenizer.vocab), 3)
    command_line = train(
        shape,
        network.init_params(shape, 0),
        COUNTER.data(32, 0),
        TrainConfig(lr=1e-2, epochs=1),
        progress=ProgressBar(Quiet()),
    ).params

    def bias(params):  # a model file holds b_ih + b_hh as one bias (docs/model-files.md)
        return params["rnn.bias_ih_l0"] + params["rnn.bias_hh_l0"]

    np.testing.assert_array_equal(bias(in_the_page), bias(command_line))
    for key in ("rnn.weight_ih_l0", "rnn.weight_hh_l0", "decoder.weight", "decoder.bias"):
        np.testing.assert_array_equal(in_the_page[key], command_line[key], err_msg=key)


def test_asked_to_stop_it_keeps_what_it_learned(tmp_path):
    calls = []

    def stop_after_ten(clock):
        calls.append(1)
        return "stop" if len(calls) >= 10 else None

    outcome, frames = run_collecting(spec_for(tmp_path, steps=500), stop_after_ten)
    assert outcome.stopped == "stop" and outcome.steps == 10
    assert Path(spec_for(tmp_path).output).is_file()
    assert frames[-1]["type"] == "snapshot" and frames[-1]["final"] and frames[-1]["step"] == 10


def test_its_time_budget_stops_it(tmp_path):
    outcome, _ = run_collecting(spec_for(tmp_path, steps=10_000, seconds=0.5))
    assert outcome.stopped == "time" and 1 <= outcome.steps < 10_000


def test_time_spent_paused_is_not_training_time(tmp_path):
    def paused_a_while(clock):
        clock.paused += 1000.0  # as the worker adds the seconds it waited
        return None

    outcome, _ = run_collecting(spec_for(tmp_path, steps=5, seconds=60), paused_a_while)
    assert outcome.stopped == "steps" and outcome.seconds < 0


def test_a_long_lag_snapshot_measures_accuracy_against_the_lag(tmp_path):
    _, frames = run_collecting(
        spec_for(
            tmp_path,
            task="long-lag",
            cell="rnn",
            hidden=8,
            lr=2e-3,
            steps=2,
            example="i grew up in france . i speak fluent",
        )
    )
    snapshot = next(f for f in frames if f["type"] == "snapshot")
    assert list(snapshot["accuracy_by_lag"]) == [str(lag) for lag in LAGS]  # the task's gaps, 0 to 100
    assert all(0 <= accuracy <= 1 for accuracy in snapshot["accuracy_by_lag"].values())
    assert snapshot["units"] == []  # the task has no per-token features


@pytest.mark.parametrize("cell", ["rnn", "gru", "peephole", "cifg", "dglstm", "cwrnn"])
def test_every_cell_the_trainer_has_trains_in_the_page(tmp_path, cell):
    outcome, frames = run_collecting(spec_for(tmp_path, cell=cell, hidden=4, steps=3))
    model = load_model(Path(spec_for(tmp_path).output))
    assert model.cell.name == cell and outcome.steps == 3
    assert model.num_layers == (2 if cell == "dglstm" else 1)  # the depth gate links two layers
    assert frames[-1]["trace"]["meta"]["cell"] == cell


def test_a_students_text_trains_a_character_model_on_its_first_nine_tenths(tmp_path):
    text = ("the cat sat on the mat. " * 60) + ("a dog ran in the fog. " * 10)
    outcome, frames = run_collecting(
        spec_for(tmp_path, task="text", hidden=8, lr=3e-3, steps=3, text=text, example="the cat")
    )
    model = load_model(Path(spec_for(tmp_path).output))
    assert model.tokenizer.kind == "char" and "held_out" in model.info["metrics"]
    assert [s["token"] for s in frames[-1]["trace"]["steps"]] == list("the cat")


def hold_peak(spec: JobSpec) -> int:
    tracemalloc.start()
    try:
        run(spec, lambda frame: None, lambda clock: None)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


TEXT = "".join(f"line {k}: the quick brown fox jumps over the lazy dog, {k * k} times.\n" for k in range(300))


@pytest.mark.parametrize(
    "changes",
    [
        dict(task="counter", cell="lstm", hidden=3, steps=20),
        dict(task="long-lag", cell="gru", hidden=64, steps=10, example="i grew up in france . i speak fluent"),
        dict(task="text", cell="dglstm", hidden=96, steps=4, text=TEXT, example=TEXT[-300:]),
        dict(task="long-lag", cell="lstm", hidden=256, steps=4, example="i grew up in france . " * 13),
    ],
    ids=["counter", "long-lag-gru", "text-dglstm", "long-lag-wide"],
)
def test_the_estimated_bytes_bound_what_a_whole_job_holds(tmp_path, changes):
    """The estimate that admits a job is an upper bound of the memory (tracemalloc: NumPy's
    arrays and Python's objects alike) the job reaches, from its data to its last snapshot."""
    spec = spec_for(tmp_path, **changes)
    assert hold_peak(spec) <= job_bytes(spec)


def test_the_shortest_text_the_page_takes_trains(tmp_path):
    """MIN_TEXT_CHARS is enough for a text's 32 streams, from any of its windows' offsets."""
    text = (TEXT * 2)[:MIN_TEXT_CHARS]
    outcome, _ = run_collecting(spec_for(tmp_path, task="text", hidden=4, steps=5, text=text, example="line"))
    assert outcome.steps == 5

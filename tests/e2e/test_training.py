"""Training in the page, as a student does it: the Train panel, its snapshots in the views,
the training-time slider, the RNN and LSTM side by side, the trained model used like any
other. The real server trains in its worker processes."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.training.tasks.long_lag import LAGS
from tests.e2e.test_accessibility import axe  # noqa: F401  (the fixture)
from tests.live_server import live_server

TRAINING = 300_000  # ms: a job on a shared 2-core machine, behind others' tests
STRONG = re.compile(r"^-?(0\.9\d*|1(\.0*)?)$")  # |r| >= 0.9
WEAK = re.compile(r"^-?0\.[0-8]\d*$")  # |r| < 0.9


def open_panel(page, server_url, query=""):
    page.goto(f"{server_url}/?panels=train,unit-text,saturation{query}")
    expect(page.get_by_test_id("train-start")).to_be_enabled()


def test_the_counter_learns_in_the_page_and_a_unit_that_counts_the_depth_appears(page, server_url, screenshot):
    open_panel(page, server_url)
    page.get_by_test_id("train-task").select_option("counter")
    expect(page.get_by_test_id("train-hidden")).to_have_value("3")  # the bundled counter's recipe
    page.get_by_test_id("train-start").click()
    job = page.get_by_test_id("train-job-1")
    expect(job).to_have_attribute("data-status", "running", timeout=TRAINING)
    expect(page.get_by_test_id("training-time")).to_be_visible()  # snapshots arrive while it trains
    expect(page.get_by_test_id("text-input")).to_have_value(page.get_by_test_id("train-example").input_value())
    expect(job).to_have_attribute("data-status", "done", timeout=TRAINING)
    expect(job).to_have_attribute("data-stopped", "steps")  # all its steps, within its time budget
    expect(job.get_by_test_id("train-held-out")).to_have_attribute("data-accuracy", "1")  # every held-out position
    depth = page.locator('[data-testid="train-unit"][data-feature="bracket depth"]')
    expect(depth).to_have_attribute("data-r", STRONG)
    screenshot("training-counter-done")

    # The trained model is the page's model now, read live: typing reads on.
    model = page.get_by_test_id("model-select")
    expect(model).to_have_value(re.compile(r"^trained-counter-lstm-[0-9a-f]{10}$"))
    expect(page.get_by_test_id("training-time")).to_have_attribute("data-place", "live")
    text = page.get_by_test_id("text-input")
    expect(text).to_be_editable()
    text.press("End")
    text.type("(")
    expect(page.get_by_test_id("status")).to_have_text(f"{len(text.input_value())} steps traced")

    # Back to step 0 of training: the untrained weights, where no unit counted the depth.
    slider = page.get_by_test_id("training-slider")
    slider.fill("0")
    expect(page.get_by_test_id("training-time")).to_have_attribute("data-place", "0")
    expect(depth).to_have_attribute("data-r", WEAK)
    expect(text).not_to_be_editable()  # a snapshot reads the example it was taken with
    expect(page.get_by_test_id("training-hint")).to_be_visible()
    expect(model).to_have_value("")  # the picker names the snapshot, no model of its own
    expect(model.locator("option:checked")).to_have_text(re.compile(r"^training: LSTM H=3, step 0$"))
    expect(page.get_by_test_id("model-info")).to_contain_text("step 0")
    depth.get_by_role("button").click()  # its unit, selected and shown over the text
    expect(page.get_by_test_id("unit-input")).to_have_value(depth.get_attribute("data-unit"))
    expect(page.get_by_test_id("unit-text")).to_be_visible()

    # A model picked by hand takes the views back, live, whatever training showed.
    model.select_option("counter")
    expect(text).to_be_editable()
    expect(page.get_by_test_id("training-hint")).to_be_hidden()
    expect(model.locator("option:checked")).to_have_text(re.compile(r"^counter "))
    text.press("End")
    text.type(")")
    expect(page.get_by_test_id("status")).to_have_text(f"{len(text.input_value())} steps traced")


def test_an_rnn_and_an_lstm_learn_side_by_side_with_both_lag_curves_drawn(page, server_url, screenshot):
    open_panel(page, server_url)
    page.get_by_test_id("train-task").select_option("long-lag")
    page.get_by_test_id("train-steps").fill("500")
    page.get_by_test_id("train-pair").click()
    jobs = page.get_by_test_id("train-jobs")
    rnn, lstm = jobs.locator('[data-cell="rnn"]'), jobs.locator('[data-cell="lstm"]')
    # Both curves are drawn as they learn: after the snapshot at step 250, while they still train.
    for job in (rnn, lstm):
        expect(job).to_have_attribute("data-snapshots", re.compile(r"^[2-9]"), timeout=TRAINING)
    curves = page.get_by_test_id("train-lag-chart")
    expect(curves).to_have_attribute("data-models", "plain RNN H=64,LSTM H=64")
    for job in (rnn, lstm):
        expect(job).to_have_attribute("data-status", "done", timeout=TRAINING)
    drawn = curves.evaluate("chart => chart.data.map((curve) => curve.y.length)")
    assert drawn == [len(LAGS)] * 2  # accuracy at each of the task's gaps, for each model
    expect(page.get_by_test_id("train-chart")).to_have_attribute("data-jobs", "2")
    screenshot("training-side-by-side")


def test_pause_resume_and_stop_from_the_panel(page, server_url):
    open_panel(page, server_url)
    page.get_by_test_id("train-task").select_option("counter")
    page.get_by_test_id("train-steps").fill("10000")
    page.get_by_test_id("train-start").click()
    job = page.get_by_test_id("train-job-1")  # numbered by the server, per connection
    expect(job).to_have_attribute("data-status", "running", timeout=TRAINING)
    job.get_by_test_id("train-pause").click()
    expect(job).to_have_attribute("data-status", "paused")
    expect(job.get_by_test_id("train-pause")).to_have_text("Resume")
    job.get_by_test_id("train-pause").click()
    expect(job).to_have_attribute("data-status", "running")
    job.get_by_test_id("train-stop").click()
    expect(job).to_have_attribute("data-status", "done", timeout=TRAINING)
    expect(job).to_have_attribute("data-stopped", "stop")
    download = job.get_by_test_id("train-download")
    expect(download).to_be_visible()
    answer = page.request.get(f"{server_url}/{download.get_attribute('href')}")
    assert answer.status == 200 and answer.body()[:2] == b"PK"  # a .npz is a zip

    # The model it kept is the page's model now, and exported like any other: a page that plays offline.
    name = download.get_attribute("download").removesuffix(".npz")
    expect(page.get_by_test_id("model-select")).to_have_value(name)
    expect(page.get_by_test_id("training-time")).to_have_attribute("data-place", "live")
    page.get_by_test_id("export").click()  # the export dialog measures the file, then saves it
    expect(page.get_by_test_id("export-size")).to_have_attribute("data-bytes", re.compile(r"^\d+$"))
    with page.expect_download() as exported:
        page.get_by_test_id("export-save").click()
    lesson = exported.value.path().read_text(encoding="utf-8")
    assert f'"model": "{name}"' in lesson or f'"model":"{name}"' in lesson


@pytest.fixture(scope="module")
def one_trainer():
    """A server with one training process: a second job waits for it."""
    with live_server({"GATESCOPE_TRAIN_WORKERS": "1"}) as server:
        yield server.url


def test_a_job_waiting_for_a_trainer_shows_its_place_in_the_queue(page, context, one_trainer):
    first, second = page, context.new_page()  # two students, each with their own connection
    for student in (first, second):
        open_panel(student, one_trainer)
        student.get_by_test_id("train-task").select_option("counter")
        student.get_by_test_id("train-steps").fill("10000")
    first.get_by_test_id("train-start").click()
    running = first.get_by_test_id("train-job-1")
    expect(running).to_have_attribute("data-status", "running", timeout=TRAINING)
    running.get_by_test_id("train-pause").click()  # a paused job keeps its process
    expect(running).to_have_attribute("data-status", "paused")

    second.get_by_test_id("train-start").click()
    waiting = second.get_by_test_id("train-job-1")
    expect(waiting).to_have_attribute("data-status", "queued")
    expect(waiting.get_by_test_id("train-status")).to_have_text("waiting: place 1 of 1 in the queue")

    running.get_by_test_id("train-stop").click()  # the process passes to the first in line
    expect(running).to_have_attribute("data-status", "done", timeout=TRAINING)
    expect(waiting).to_have_attribute("data-status", "running", timeout=TRAINING)
    waiting.get_by_test_id("train-stop").click()
    expect(waiting).to_have_attribute("data-status", "done", timeout=TRAINING)

    # A job stopped while it waits leaves the queue, untrained.
    second.get_by_test_id("train-start").click()
    expect(second.get_by_test_id("train-job-2")).to_have_attribute("data-status", "running", timeout=TRAINING)
    first.get_by_test_id("train-start").click()
    behind = first.get_by_test_id("train-job-2")
    expect(behind.get_by_test_id("train-status")).to_have_text("waiting: place 1 of 1 in the queue")
    behind.get_by_test_id("train-stop").click()
    expect(behind).to_have_attribute("data-status", "stopped")
    expect(behind.get_by_test_id("train-status")).to_have_text("stopped while it waited: nothing was trained")
    expect(behind.get_by_test_id("train-download")).to_be_hidden()
    second.get_by_test_id("train-job-2").get_by_test_id("train-stop").click()


def test_a_refused_start_says_why(page, server_url):
    open_panel(page, server_url)
    page.get_by_test_id("train-task").select_option("text")
    expect(page.get_by_test_id("train-text-box")).to_be_visible()
    page.get_by_test_id("train-text").fill("too short to train on")
    page.get_by_test_id("train-start").click()
    expect(page.get_by_test_id("train-note")).to_contain_text("at least 1000 characters")
    expect(page.get_by_test_id("train-job")).to_have_attribute("data-status", "failed")  # refused: never numbered


@pytest.mark.parametrize(("width", "lang", "theme"), [(1440, "zh", "dark"), (375, "en", "light")])
def test_the_panel_reads_in_each_language_theme_and_width(page, server_url, axe, screenshot, width, lang, theme):  # noqa: F811
    page.set_viewport_size({"width": width, "height": 900})
    open_panel(page, server_url, f"&lang={lang}&theme={theme}")
    page.get_by_test_id("train-task").select_option("counter")
    page.get_by_test_id("train-steps").fill("300")
    page.get_by_test_id("train-start").click()
    job = page.get_by_test_id("train-job-1")
    expect(job).to_have_attribute("data-status", "done", timeout=TRAINING)
    expect(page.get_by_test_id("train-chart")).to_have_attribute("data-jobs", "1")
    screenshot(f"training-{width}-{lang}-{theme}")
    serious = [v for v in axe() if v[1] in ("serious", "critical")]
    assert serious == []

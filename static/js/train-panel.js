// The Train panel: train a small recurrent network on the server (WS /ws/train) and watch
// it learn. Each job streams its progress (step, training loss, held-out accuracy) and,
// every few hundred steps, a snapshot: the weights of then reading the example sentence.
// The job being watched puts its snapshots into the page's views (the diagram, units over
// text, saturation, …); the "training time" slider beside the reading-time slider moves
// through them, and its last place is the trained model itself, read live like any other.
// Side by side, an RNN and an LSTM train at once, and both their accuracy-against-lag
// curves are drawn as they learn.
//
// The panel never draws the views itself: `show(trace)` puts a snapshot's recorded trace
// into them, `live(model)` hands them back to the live stream on a model.
import { localized, t, translatePage } from "./i18n/index.js";
import { LagCurve } from "./lag-curve.js";
import { JOB_COLOURS, TrainChart } from "./train-chart.js";
import { TrainStream } from "./train-stream.js";
import { vectorLabel } from "./vectors.js";

const CHART_MS = 500;  // the curves redraw at most this often while progress streams in
const ENDED = new Set(["done", "stopped", "failed", "lost"]);

const taskName = (task) => t(`train_task_${task.replace("-", "_")}`);

class Job {
  constructor(id, fields, colour) {
    this.id = id;           // the start's id, echoed on the job's frames
    this.colour = colour;   // its curves' colour in both charts
    this.number = null;     // the server's job number, from its first frame
    this.fields = fields;   // { task, cell, hidden, lr, steps, seed }
    this.status = "sent";   // queued, starting, running, paused, finishing, done, stopped (while queued), failed, lost
    this.place = null;      // { place, waiting } while queued
    this.progress = null;   // the latest progress frame
    this.snapshots = [];    // { step, trace, units, held_out, accuracy_by_lag?, final, kept_from }
    this.done = null;       // the done frame: the trained model
    this.error = null;
    this.curve = { steps: [], loss: [], heldSteps: [], held: [] };
  }

  get label() {
    return t("train_job_label", { cell: t(`train_cell_${this.fields.cell}`), hidden: this.fields.hidden });
  }

  get taskName() {
    return taskName(this.fields.task);
  }

  get ended() {
    return ENDED.has(this.status);
  }

  // The held-out accuracy to show: the trained model's on the test set once done, else the latest validation.
  get heldOutAccuracy() {
    const test = this.done?.summary?.metrics?.test ?? this.done?.summary?.metrics?.held_out;
    return test?.accuracy ?? this.progress?.held_out?.accuracy ?? null;
  }
}

export class TrainPanel {
  // section: the panel; timeline: {box, slider, position} of the training-time slider; training:
  // the UI contract's `training`; show(trace): put a snapshot's {meta, steps} into the views;
  // live(model): read the live stream with that model again; offer(summary): a trained model
  // joins the model pickers; selectUnit(layer, unit, vector): select a unit in the views;
  // visible(): whether the panel is shown; textBox: read-only while a snapshot is shown;
  // modelLine: {picker, info}, the model picker and the line saying what the views read, which
  // name the snapshot while one is shown (it is no model of the picker's).
  constructor(section, { timeline, training, wsUrl, store, show, live, offer, selectUnit, visible, textBox, modelLine }) {
    this.section = section;
    this.timeline = timeline;
    this.modelLine = modelLine;
    this.snapshotOption = new Option("", "");  // the picker's entry while a snapshot is shown
    this.snapshotOption.disabled = true;
    this.training = training;
    this.store = store;
    this.callbacks = { show, live, offer, selectUnit, visible };
    this.textBox = textBox;
    this.$ = (id) => section.querySelector(`[data-testid="${id}"]`);
    this.jobs = new Map();   // by start id, in the order started
    this.watched = null;     // the id of the job whose snapshots the views show
    this.position = null;    // the training-time slider's place; null: follow the newest
    this.holding = false;    // the views show a snapshot (not the live stream)
    this.released = false;   // the views were taken back (a model picked by hand): new snapshots wait for the slider
    this.chartTimer = null;
    this.stream = new TrainStream(wsUrl, {
      progress: (frame) => this.onProgress(frame),
      snapshot: (frame) => this.onSnapshot(frame),
      done: (frame) => this.onDone(frame),
      error: (frame) => this.onError(frame),
      lost: () => this.onLost(),
    });
    this.chart = new TrainChart(this.$("train-chart"), () => [...this.jobs.values()]);
    this.lagChart = new LagCurve(this.$("train-lag-chart"), () => [...this.jobs.values()].map((job) => {
      const latest = job.snapshots.at(-1);
      return latest?.accuracy_by_lag ? { name: job.label, byLag: latest.accuracy_by_lag, colour: job.colour } : null;
    }));
    this.buildForm();
    timeline.slider.addEventListener("input", () => {
      this.position = Number(timeline.slider.value);
      this.released = false;
      this.showPosition();
    });
  }

  // --- the form ---

  buildForm() {
    const { tasks, cells, limits, enabled } = this.training;
    const task = this.$("train-task");
    task.replaceChildren(...tasks.map((name) => new Option(taskName(name), name)));
    this.$("train-cell").replaceChildren(...cells.map((name) => new Option(t(`train_cell_${name}`), name)));
    this.$("train-cell").value = "lstm";
    this.$("train-hidden").max = limits.hidden;
    this.$("train-steps").max = limits.steps;
    this.$("train-example").maxLength = limits.example;
    this.$("train-text").maxLength = limits.text;
    task.addEventListener("change", () => this.taskDefaults());
    this.$("train-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.start([this.$("train-cell").value]);
    });
    this.$("train-pair").addEventListener("click", () => this.start(["rnn", "lstm"]));
    this.$("train-budget").textContent = t("train_budget", {
      job: limits.seconds_per_job, session: limits.seconds_per_session, jobs: limits.jobs_per_session });
    for (const button of this.section.querySelectorAll("[data-train-start]")) button.disabled = !enabled;
    if (!enabled) this.$("train-note").textContent = t("train_disabled");
    this.taskDefaults();
  }

  taskDefaults() {
    const task = this.$("train-task").value;
    const defaults = this.training.defaults[task];
    this.$("train-hidden").value = defaults.hidden;
    this.$("train-lr").value = defaults.lr;
    this.$("train-steps").value = defaults.steps;
    this.$("train-example").value = defaults.example;
    this.$("train-text-box").hidden = task !== "text";
  }

  fields() {
    const number = (id) => Number(this.$(id).value);
    const task = this.$("train-task").value;
    const fields = { task, hidden: number("train-hidden"), lr: number("train-lr"), steps: number("train-steps"),
      seed: number("train-seed") };
    const example = this.$("train-example").value;
    if (example || task !== "text") fields.example = example;
    if (task === "text") fields.text = this.$("train-text").value;
    return fields;
  }

  // Start one job per cell: the pair trains an RNN and an LSTM alike; the LSTM is watched.
  start(cells) {
    const form = this.$("train-form");
    if (!form.reportValidity()) return;
    const fields = this.fields();
    for (const cell of cells) {
      const id = this.stream.start({ ...fields, cell });
      this.jobs.set(id, new Job(id, { ...fields, cell }, JOB_COLOURS[this.jobs.size % JOB_COLOURS.length]));
      this.watched = id;
    }
    this.position = null;
    this.released = false;
    if (fields.example !== undefined) this.store.set({ text: fields.example, t: null });
    this.$("train-note").textContent = "";
    this.render();
  }

  // --- frames ---

  job(frame) {
    const job = this.jobs.get(frame.id);
    if (job && frame.job !== undefined) job.number = frame.job;
    return job;
  }

  onProgress(frame) {
    const job = this.job(frame);
    if (!job || job.ended) return;
    job.status = frame.status;
    if (frame.status === "queued") job.place = frame.place ? { place: frame.place, waiting: frame.waiting } : null;
    if (frame.step !== undefined) {
      job.progress = frame;
      const { curve } = job;
      if (frame.train) {
        curve.steps.push(frame.step);
        curve.loss.push(frame.train.loss);
      }
      if (frame.held_out && curve.heldSteps.at(-1) !== frame.held_out.step) {
        curve.heldSteps.push(frame.held_out.step);
        curve.held.push(frame.held_out.accuracy);
      }
      this.requestCharts();
    }
    this.renderJob(job);
  }

  onSnapshot(frame) {
    const job = this.job(frame);
    if (!job) return;
    job.snapshots.push(frame);
    if (frame.accuracy_by_lag) this.requestCharts();
    if (this.following(job)) this.showPosition();
    else this.renderTimeline();
    this.renderJob(job);
  }

  onDone(frame) {
    const job = this.job(frame);
    if (!job) return;
    job.status = "done";
    job.done = frame;
    this.callbacks.offer(frame.summary);
    this.renderJob(job);
    if (this.following(job)) this.showPosition();
    else this.renderTimeline();
  }

  onError(frame) {
    const job = frame.id !== undefined ? this.job(frame) : null;
    if (!job) {
      this.$("train-note").textContent = frame.message;  // a refused control, or a message the server could not read
      return;
    }
    if (frame.code === "stopped") {  // stopped while it waited for a trainer: nothing was trained
      job.status = "stopped";
      return this.renderJob(job);
    }
    if (job.status === "sent" || job.status === "queued" || !job.snapshots.length) this.$("train-note").textContent = frame.message;
    job.status = "failed";
    job.error = frame;
    this.renderJob(job);
  }

  onLost() {
    for (const job of this.jobs.values()) {
      if (job.ended) continue;
      job.status = "lost";
      this.renderJob(job);
    }
  }

  // --- the training-time slider and what the views show ---

  // Whether the views follow `job`'s newest snapshot (and then its model) as they come.
  following(job) {
    return job.id === this.watched && this.position === null && !this.released;
  }

  // The views go back to the live stream (the model picker was used); the slider takes them again.
  release() {
    this.released = true;
    this.hold(false);
  }

  watchedJob() {
    return this.jobs.get(this.watched) ?? null;
  }

  // Places: each snapshot, then (once done) the trained model, live.
  places(job) {
    return job.snapshots.length + (job.done ? 1 : 0);
  }

  showPosition() {
    const job = this.watchedJob();
    if (!job || !this.places(job)) return this.renderTimeline();
    const place = Math.min(this.position ?? this.places(job) - 1, this.places(job) - 1);
    if (place < job.snapshots.length) {
      const snapshot = job.snapshots[place];
      this.hold(true, t("training_snapshot_option", { job: job.label, step: snapshot.step }));
      this.callbacks.show(snapshot.trace);
      this.modelLine.info.textContent = t("training_snapshot_info", { job: job.label, task: job.taskName,
        step: snapshot.step, steps: job.fields.steps });
      this.renderUnits(snapshot.units);
    } else {
      this.hold(false);
      this.callbacks.live(job.done.model);
      this.renderUnits(job.snapshots.at(-1)?.units ?? []);
    }
    this.renderTimeline();
  }

  // While a snapshot is shown the text box is read-only (a snapshot reads the example it was
  // taken with) and the model picker names the snapshot; after, it names the store's model again.
  hold(holding, name = "") {
    this.holding = holding;
    this.textBox.readOnly = holding;
    this.textBox.dataset.training = holding ? "snapshot" : "";
    const { picker } = this.modelLine;
    if (holding) {
      this.snapshotOption.textContent = name;
      if (!this.snapshotOption.parentElement) picker.prepend(this.snapshotOption);
      picker.value = "";
    } else if (this.snapshotOption.parentElement) {
      this.snapshotOption.remove();
      picker.value = this.store.state.model;
    }
    this.timeline.hint.hidden = !holding;
  }

  renderTimeline() {
    const job = this.watchedJob();
    const { box, slider, position } = this.timeline;
    const places = job ? this.places(job) : 0;
    box.hidden = places === 0;
    if (!places) return;
    const place = Math.min(this.position ?? places - 1, places - 1);
    slider.max = places - 1;
    slider.value = place;
    const snapshot = job.snapshots[place];
    position.textContent = snapshot
      ? t("training_position", { step: snapshot.step, steps: job.fields.steps, job: job.label })
      : t("training_live", { job: job.label });
    box.dataset.place = snapshot ? String(snapshot.step) : "live";
  }

  renderUnits(units) {
    const list = this.$("train-units");
    list.replaceChildren(...units.map((u) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = t("train_unit", { feature: localized(u, "feature"), unit: u.unit, vector: vectorLabel(u.vector), r: u.r.toFixed(2) });
      button.addEventListener("click", () => this.callbacks.selectUnit(u.layer, u.unit, u.vector));
      item.append(button);
      item.dataset.testid = "train-unit";
      item.dataset.feature = u.feature;
      item.dataset.unit = String(u.unit);
      item.dataset.r = String(u.r);
      return item;
    }));
    this.$("train-units-box").hidden = units.length === 0;
  }

  // --- the jobs' rows ---

  render() {
    for (const job of this.jobs.values()) this.renderJob(job);
    this.$("train-watch-hint").hidden = this.jobs.size === 0;
  }

  renderJob(job) {
    let row = this.section.querySelector(`[data-job-id="${job.id}"]`);
    if (!row) {
      row = this.$("train-job-template").content.firstElementChild.cloneNode(true);
      row.dataset.jobId = String(job.id);
      const part = (name) => row.querySelector(`[data-part="${name}"]`);
      part("watch").addEventListener("change", () => {
        this.watched = job.id;
        this.position = null;
        this.released = false;
        this.showPosition();
      });
      part("pause").addEventListener("click", () => {
        if (job.number !== null) this.stream.control(job.status === "paused" ? "resume" : "pause", job.number);
      });
      part("stop").addEventListener("click", () => job.number !== null && this.stream.control("stop", job.number));
      part("watch").name = "train-watch";
      translatePage(row);
      this.$("train-jobs").append(row);
    }
    const part = (name) => row.querySelector(`[data-part="${name}"]`);
    row.dataset.testid = job.number !== null ? `train-job-${job.number}` : "train-job";
    row.dataset.status = job.status;
    row.dataset.cell = job.fields.cell;
    row.dataset.snapshots = String(job.snapshots.length);
    if (job.done) row.dataset.stopped = job.done.stopped;
    part("title").textContent = t("train_job_title", { cell: t(`train_cell_${job.fields.cell}`), hidden: job.fields.hidden,
      task: job.taskName });
    part("watch").checked = job.id === this.watched;
    part("status").textContent = this.statusText(job);
    const progress = job.progress;
    part("bar").max = job.fields.steps;
    part("bar").value = job.done ? job.done.steps : progress?.step ?? 0;
    part("loss").textContent = progress?.train ? t("train_loss", { loss: progress.train.loss.toFixed(3) }) : "";
    const accuracy = job.heldOutAccuracy;
    const held = part("held-out");
    held.textContent = accuracy === null ? "" : t("train_held_out", { accuracy: (100 * accuracy).toFixed(1) });
    if (accuracy === null) delete held.dataset.accuracy;
    else held.dataset.accuracy = String(accuracy);
    const controllable = job.number !== null && job.status !== "finishing";
    part("pause").hidden = part("stop").hidden = job.ended;
    part("pause").disabled = part("stop").disabled = !controllable;
    part("pause").textContent = t(job.status === "paused" ? "train_resume" : "train_pause");
    const download = part("download");
    download.hidden = !job.done;
    if (job.done) {
      download.href = job.done.download;
      download.download = `${job.done.model}.npz`;
    }
  }

  statusText(job) {
    switch (job.status) {
      case "queued":
        return job.place ? t("train_queued_place", job.place) : t("train_queued");
      case "running":
      case "paused":
      case "finishing":
        return t(`train_${job.status}`, { step: job.progress?.step ?? 0, steps: job.fields.steps,
          seconds: Math.round(job.progress?.seconds ?? 0) });
      case "done":
        return t("train_done", { steps: job.done.steps, kept: job.done.kept_from, seconds: Math.round(job.done.seconds),
          stopped: t(`train_stopped_${job.done.stopped}`) });
      case "stopped":
        return t("train_stopped_waiting");
      case "failed":
        return t("train_failed", { message: job.error?.message ?? "" });
      case "lost":
        return t("train_lost");
      default:
        return t("train_starting");
    }
  }

  // --- charts: redrawn at most every CHART_MS while the panel is shown ---

  requestCharts() {
    if (this.chartTimer) return;
    this.chartTimer = setTimeout(() => {
      this.chartTimer = null;
      this.renderCharts();
    }, CHART_MS);
  }

  renderCharts() {
    if (!this.callbacks.visible()) return;
    this.chart.render();
    this.lagChart.render();
  }
}

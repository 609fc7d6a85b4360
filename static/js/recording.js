// A page with no server behind it (an exported file, a notebook's view) answers its views'
// questions from what was recorded when it was made (app/export/recording.py): a start on
// the trace stream gets the recorded trace of that model, text and interventions; a POST
// the recorded answer to that request; anything else an error that says it was not recorded.
import { pageRecording } from "./contract.js";
import { t } from "./i18n/index.js";

export const recording = pageRecording();  // null: a live page

// A value as text whatever the order of its keys: requests match whatever built them.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical(value[key])}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

// No interventions, however written (absent, or empty lists), are the same.
const interventionsKey = (whatif) => (whatif?.clamps?.length || whatif?.weights?.length ? canonical(whatif) : "none");

function recordedTrace(start) {
  return recording.traces.find((trace) => trace.start.model === start.model && trace.start.text === start.text &&
    interventionsKey(trace.start.whatif) === interventionsKey(start.whatif));
}

function bytesOf(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
  return bytes.buffer;
}

// What stream.js uses of a WebSocket to WS /ws/trace, answered from the recording: the
// meta frame, the steps as the one binary message they were recorded as, the done frame.
export class RecordedSocket extends EventTarget {
  constructor() {
    super();
    this.readyState = WebSocket.CONNECTING;
    this.binaryType = "arraybuffer";
    setTimeout(() => {
      this.readyState = WebSocket.OPEN;
      this.dispatchEvent(new Event("open"));
    });
  }

  send(data) {
    const message = JSON.parse(data);
    const trace = message.type === "start" ? recordedTrace(message) : null;
    const frames = trace
      ? [JSON.stringify({ ...trace.meta, id: message.id }), bytesOf(trace.steps), JSON.stringify({ ...trace.done, id: message.id })]
      : [JSON.stringify({ type: "error", code: "not_recorded", message: t("not_recorded"), id: message.id })];
    setTimeout(() => {
      for (const frame of frames) this.dispatchEvent(new MessageEvent("message", { data: frame }));
    });
  }
}

// The recorded answer to a JSON POST, as the Response fetch would give.
export function recordedAnswer(path, body) {
  const answer = path === "api/gradients" ? recording.answers.find((a) => canonical(a.request) === canonical(body)) : null;
  const { status, body: answered } = answer ?? { status: 404, body: { detail: { code: "not_recorded", message: t("not_recorded") } } };
  return new Response(JSON.stringify(answered), { status, headers: { "Content-Type": "application/json" } });
}

// Before the views are made: the panels the file cannot show go (with their buttons), and
// so do the controls that would need a server (they are hidden: their views still hold them).
export function keepWhatPlays(root) {
  const offered = new Set(recording.offers);
  for (const panel of root.querySelectorAll("[data-panel], [data-toggle]")) {
    if (!offered.has(panel.dataset.panel ?? panel.dataset.toggle)) panel.remove();
  }
  for (const control of root.querySelectorAll("[data-live-only]")) control.hidden = true;
}

// Once the page is drawn: the banner in the page's language, the text and models fixed.
export function presentRecording($) {
  const banner = $("recording-banner");
  banner.querySelector('[data-role="about"]').textContent = t("recording_banner", banner.dataset);
  $("text-input").readOnly = true;
  $("model-select").disabled = true;
  const compareSelect = $("compare-select");
  if (compareSelect) compareSelect.disabled = true;
  for (const element of document.querySelectorAll('[data-hideable~="examples"]')) element.hidden = true;
}

// The status line (connection, steps traced) and the error line under the text box. An
// error caused by the link's What if… changes offers to clear them: until then every
// trace of this page would be refused for the same reason.
import { t } from "./i18n/index.js";

const STATUS_KEYS = { connecting: "connecting", closed: "disconnected", idle: "idle" };

export class StatusLine {
  constructor(element, { recording = false } = {}) {
    this.element = element;
    this.recording = recording;
  }

  connection(state) {
    this.element.dataset.state = state;
    if (STATUS_KEYS[state]) this.element.textContent = t(STATUS_KEYS[state]);
  }

  traced(steps) {
    this.element.dataset.state = "traced";
    this.element.textContent = t(this.recording ? "recording_of" : "steps_traced", { n: steps });
  }

  failed() {
    this.element.dataset.state = "failed";
    this.element.textContent = t("not_traced");
  }
}

// Whether an error frame is about the what-if interventions its start carried.
export const aboutWhatIf = (error) =>
  error.code === "bad_whatif" || (error.code === "bad_message" && /^whatif\b/.test(error.message ?? ""));

export class ErrorLine {
  constructor(box, { message, clear }) {
    this.box = box;
    this.message = message;
    this.clear = clear;   // the button that clears the what-if changes
    this.onClear = null;
    clear.addEventListener("click", () => this.onClear?.());
  }

  // onClear: what the "clear" button does, or null when there is nothing to clear
  show(text, onClear = null) {
    this.message.textContent = text;  // text, never markup
    this.onClear = onClear;
    this.clear.hidden = !onClear;
    this.box.hidden = false;
  }

  hide() {
    this.box.hidden = true;
  }
}

// The page's conversation with a host page that embeds it in an iframe, by postMessage
// (README, "Embeds"; static/embed-host.js is the host's side).
//
// Out, to window.parent:  {type: "gatescope:height", height}  whenever the content height
//                          changes (the host script resizes the iframe with it);
//                          {type: "gatescope:ready"} once the first trace is drawn;
//                          {type: "gatescope:state", t, unit, stage} after it, whenever
//                          one of them changes (at most once per drawn frame);
//                          {type: "gatescope:error", message} when the first trace fails.
// In, from any origin:    {type: "gatescope:set-text", text}   {type: "gatescope:seek", t}
//                          {type: "gatescope:play"}  {type: "gatescope:pause"}
//                          {type: "gatescope:select-unit", unit}
// Incoming messages are plain data, checked field by field; anything else is ignored.
// Commands that come before the page is ready wait, in order, and run once it is: a host
// may send them as soon as the iframe loads. A burst of set-text is coalesced: the latest
// text wins, and a new trace starts at most once per `minTextInterval` ms.

const MAX_WAITING = 256;  // commands held while the page gets ready (the oldest go first)

const COMMANDS = {
  "gatescope:set-text": (data, limits) =>
    (typeof data.text === "string" && data.text.length <= limits.text ? { text: data.text } : null),
  "gatescope:seek": (data) => (Number.isInteger(data.t) && data.t >= 0 ? { t: data.t } : null),
  "gatescope:play": () => ({}),
  "gatescope:pause": () => ({}),
  "gatescope:select-unit": (data) => (Number.isInteger(data.unit) && data.unit >= 0 ? { unit: data.unit } : null),
};

// A valid command {type, ...fields}, or null.
export function parseCommand(data, limits) {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return null;
  const check = Object.hasOwn(COMMANDS, data.type) ? COMMANDS[data.type] : null;
  const fields = check?.(data, limits);
  return fields ? { type: data.type, ...fields } : null;
}

export class HostLink {
  // actions: {"set-text": ({text}) => ..., seek, play, pause, "select-unit"}
  // post: (message) => sends it to the host (nothing when the page is not in a frame)
  constructor(actions, { post, limits, minTextInterval, now = () => performance.now() }) {
    this.actions = actions;
    this.post = post;
    this.limits = limits;
    this.minTextInterval = minTextInterval;
    this.now = now;
    this.waiting = [];      // commands not run yet, in order
    this.ready = false;
    this.traced = false;    // the first trace is complete (drawn at the next frame)
    this.textAt = -Infinity;  // when the last set-text ran
    this.timer = null;
    this.reported = "";     // the last state posted
  }

  receive(data) {
    const command = parseCommand(data, this.limits);
    if (!command) return;
    if (command.type === "gatescope:set-text") {  // the latest text wins over any still waiting
      this.waiting = this.waiting.filter((c) => c.type !== command.type);
    }
    this.waiting.push(command);
    if (this.waiting.length > MAX_WAITING) this.waiting.shift();
    this.run();
  }

  // Run what waits, in order; a set-text that comes too soon after the last one holds the
  // rest back until its time (a seek sent after a text is for that text).
  run() {
    while (this.ready && this.waiting.length) {
      const command = this.waiting[0];
      if (command.type === "gatescope:set-text") {
        const wait = this.textAt + this.minTextInterval - this.now();
        if (wait > 0) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.run(), wait);
          return;
        }
        this.textAt = this.now();
      }
      this.waiting.shift();
      const { type, ...fields } = command;
      this.actions[type.slice("gatescope:".length)]?.(fields);
    }
  }

  // The first trace has come in whole: the page is ready once it is drawn.
  traceDone() {
    this.traced = true;
  }

  // The first trace failed: say so, and let the host's commands run (a new text may do).
  traceFailed(message) {
    if (this.ready) return;
    this.post({ type: "gatescope:error", message });
    this.becomeReady();
  }

  // A frame was drawn showing `state` ({t, unit, stage}).
  drawn(state) {
    if (!this.ready && this.traced) {
      this.post({ type: "gatescope:ready" });
      this.becomeReady();
    }
    if (!this.ready) return;
    const key = JSON.stringify([state.t, state.unit, state.stage]);
    if (key === this.reported) return;
    this.reported = key;
    this.post({ type: "gatescope:state", t: state.t, unit: state.unit, stage: state.stage });
  }

  becomeReady() {
    this.ready = true;
    this.run();
  }
}

// Listen to the window's messages, and tell the host the page's height as it changes.
export function connectHost(link, win = window) {
  win.addEventListener("message", (event) => link.receive(event.data));
  if (win.parent === win) return;
  let last = 0;
  const report = () => {
    const height = Math.ceil(win.document.documentElement.getBoundingClientRect().height);
    if (height !== last) {
      last = height;
      win.parent.postMessage({ type: "gatescope:height", height }, "*");
    }
  };
  new ResizeObserver(report).observe(win.document.documentElement);
  report();
}

// Where messages to the host go: its window, or nowhere when the page is not framed.
export function hostPoster(win = window) {
  return win.parent === win ? () => {} : (message) => win.parent.postMessage(message, "*");
}

// The WebSocket client for WS /ws/trace (docs/api.md, "The stream").
//
// Every message carries an id that the server echoes on its frames; frames of a
// trace that a newer "start" replaced are dropped here, so late frames never mix
// into the new trace.
//
// Starts ask for binary step frames (wire.js: about a fifth of JSON's bytes); they are
// decoded here into the same step objects JSON gives, with the trace's meta, so nothing
// past this module knows which encoding came over the wire.
//
// A new connection holds no trace: after any reconnection the page is asked to start
// its trace again (handlers.reopen). The server closes a connection left idle (1001);
// it is opened again only when there is something to send.

import { openSocket } from "./server.js";
import { openMessage } from "./wire.js";

const IDLE_CLOSE = 1001;  // the server's close code for an idle connection

export class TraceStream {
  // encoding: of step frames, "binary" or "json" (docs/api.md, "The stream")
  constructor(url, handlers, { encoding = "binary" } = {}) {
    this.url = url;
    this.handlers = handlers;  // { meta, step, done, error, status, reopen }
    this.encoding = encoding;
    this.meta = null;       // of the current trace: the layout of its binary steps
    this.nextId = 1;
    this.currentStart = 0;  // id of the newest "start"
    this.queue = [];        // messages sent while (re)connecting
    this.retryMs = 500;
    this.opened = false;    // true once a connection has opened: later ones are reconnections
    this.idle = false;      // closed for idleness: reconnect on the next send
    this.connect();
  }

  connect() {
    this.idle = false;
    this.handlers.status?.("connecting");
    this.socket = openSocket(this.url);
    this.socket.binaryType = "arraybuffer";
    this.socket.addEventListener("open", () => {
      this.retryMs = 500;
      this.handlers.status?.("open");
      const reconnected = this.opened;
      this.opened = true;
      if (reconnected) {
        this.queue = [];  // they continued a trace this connection does not hold
        this.handlers.reopen?.();
      }
      for (const message of this.queue.splice(0)) this.socket.send(message);
    });
    this.socket.addEventListener("message", (event) => {
      if (typeof event.data === "string") this.receive(JSON.parse(event.data));
      else this.receiveSteps(event.data);
    });
    this.socket.addEventListener("close", (event) => {
      if (event.code === IDLE_CLOSE) {
        this.idle = true;
        this.handlers.status?.("idle");
        return;
      }
      this.handlers.status?.("closed");
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    });
  }

  send(message) {
    const data = JSON.stringify(message);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data);
    else this.queue.push(data);
    if (this.idle) this.connect();
  }

  // extra: more fields of the start message, such as the what-if interventions
  start(model, text, extra = {}) {
    const id = this.nextId++;
    this.currentStart = id;
    this.queue = this.queue.filter((m) => JSON.parse(m).type !== "append");  // they belonged to the old trace
    this.send({ type: "start", model, text, id, encoding: this.encoding, ...extra });
  }

  append(text) {
    this.send({ type: "append", text, id: this.nextId++ });
  }

  receive(frame) {
    if (this.stale(frame.id)) return;
    if (frame.type === "meta") this.meta = frame;
    this.handlers[frame.type]?.(frame);
  }

  // A binary message: one or more steps of one request, checked for staleness before
  // they are decoded (a replaced trace's layout may not be the current meta's).
  receiveSteps(buffer) {
    let steps;
    try {
      const message = openMessage(buffer);
      if (this.stale(message.id) || !this.meta) return;
      steps = message.steps(this.meta);
    } catch (error) {  // a server of another layout version, or a broken message
      this.handlers.error?.({ type: "error", code: "bad_frame", message: error.message });
      return;
    }
    for (const step of steps) this.handlers.step?.(step);
  }

  stale(id) {
    return id !== undefined && id < this.currentStart;  // of a replaced trace
  }
}

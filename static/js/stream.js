// The WebSocket client for WS /ws/trace (DESIGN.md, "The stream").
//
// Every message carries an id that the server echoes on its frames; frames of a
// trace that a newer "start" replaced are dropped here, so late frames never mix
// into the new trace.

export class TraceStream {
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;  // { meta, step, done, error, status }
    this.nextId = 1;
    this.currentStart = 0;  // id of the newest "start"
    this.queue = [];        // messages sent while (re)connecting
    this.retryMs = 500;
    this.connect();
  }

  connect() {
    this.handlers.status?.("connecting");
    this.socket = new WebSocket(this.url);
    this.socket.addEventListener("open", () => {
      this.retryMs = 500;
      this.handlers.status?.("open");
      for (const message of this.queue.splice(0)) this.socket.send(message);
    });
    this.socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    this.socket.addEventListener("close", () => {
      this.handlers.status?.("closed");
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 8000);
    });
  }

  send(message) {
    const data = JSON.stringify(message);
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data);
    else this.queue.push(data);
  }

  start(model, text) {
    const id = this.nextId++;
    this.currentStart = id;
    this.queue = this.queue.filter((m) => JSON.parse(m).type !== "append");  // they belonged to the old trace
    this.send({ type: "start", model, text, id });
  }

  append(text) {
    this.send({ type: "append", text, id: this.nextId++ });
  }

  receive(frame) {
    if (frame.id !== undefined && frame.id < this.currentStart) return;  // a replaced trace
    this.handlers[frame.type]?.(frame);
  }
}

// A recorded trace played back with the same handlers, for pages that work with no
// server (exported lessons): every frame was captured when the page was made.
export class RecordedStream {
  constructor(frames, handlers) {
    this.frames = frames;
    this.handlers = handlers;
    queueMicrotask(() => handlers.status?.("recording"));
  }

  start() {
    for (const frame of this.frames) this.handlers[frame.type]?.(frame);
  }

  append() {}  // a recording holds only the text it was made with
}

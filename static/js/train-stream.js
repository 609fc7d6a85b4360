// The WebSocket client for WS /ws/train (docs/api.md, "Training in the page"): sends
// start, pause, resume and stop; hands each frame (progress, snapshot, done, error) to
// its handler. Opened on the first message; a job lives only as long as its connection,
// so a connection lost mid-job is reported (handlers.lost) and not silently reopened
// under it. The server closes a connection left idle with no job (1001): the next
// message opens a new one.
export class TrainStream {
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;  // { progress, snapshot, done, error, lost }
    this.socket = null;
    this.queue = [];
    this.nextId = 1;
  }

  open() {
    if (this.socket && this.socket.readyState <= WebSocket.OPEN) return;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      for (const message of this.queue.splice(0)) socket.send(message);
    });
    socket.addEventListener("message", (event) => {
      if (typeof event.data !== "string") return;
      const frame = JSON.parse(event.data);
      this.handlers[frame.type]?.(frame);
    });
    socket.addEventListener("close", () => {
      if (this.socket === socket) this.socket = null;
      this.handlers.lost?.();
    });
  }

  send(message) {
    const data = JSON.stringify(message);
    this.open();
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(data);
    else this.queue.push(data);
  }

  // Returns the id the server echoes on every frame of this job.
  start(fields) {
    const id = this.nextId++;
    this.send({ type: "start", id, ...fields });
    return id;
  }

  control(type, job) {
    this.send({ type, job });
  }
}

// The page's two ways to its server: the trace stream's WebSocket, and JSON POSTs. In a
// recording (recording.js) the same questions are answered from the file.
import { RecordedSocket, recordedAnswer, recording } from "./recording.js";

export function openSocket(url) {
  return recording ? new RecordedSocket() : new WebSocket(url);
}

export function postJson(path, body, signal = undefined) {  // signal: an AbortController's, to drop the request
  if (recording) return Promise.resolve(recordedAnswer(path, body));
  return fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body), signal });
}

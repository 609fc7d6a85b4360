// For pages that embed Gatescope (README, "Embeds"; docs/embedding.md):
//   <script src="https://YOUR-GATESCOPE/static/embed-host.js"></script>
// Each Gatescope iframe is resized to its content, and what it tells its page comes out
// as an event on the iframe element:
//   "gatescope:ready"  its first trace is drawn
//   "gatescope:state"  event.detail = {t, unit, stage}, whenever one of them changes
//   "gatescope:error"  event.detail = {message}: its first trace could not be made
// gatescope.send(iframe, {type: "gatescope:seek", t: 3}) drives it, at any time: what is
// sent before it is ready waits for it. The commands: gatescope:set-text {text},
// gatescope:seek {t}, gatescope:play, gatescope:pause, gatescope:select-unit {unit}.
if (!window.gatescope) {  // once, however many snippets include this script
  const ready = new WeakSet();
  const waiting = new WeakMap();  // iframe -> commands sent before it was ready
  window.gatescope = {
    send(frame, command) {
      if (ready.has(frame)) frame.contentWindow.postMessage(command, "*");
      else waiting.set(frame, [...(waiting.get(frame) ?? []), command]);
    },
  };
  const fields = {
    "gatescope:ready": () => ({}),
    "gatescope:state": ({ t, unit, stage }) => ({ t, unit, stage }),
    "gatescope:error": ({ message }) => ({ message: String(message) }),
  };
  addEventListener("message", (e) => {
    const data = e.data;
    if (!data || typeof data.type !== "string") return;
    const frame = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === e.source);
    if (!frame) return;
    if (data.type === "gatescope:height" && Number.isFinite(data.height)) {
      frame.style.height = `${Math.min(Math.max(data.height, 0), 10000)}px`;
      return;
    }
    if (!Object.hasOwn(fields, data.type)) return;
    if (data.type !== "gatescope:state") {  // ready, or failed: commands may go now
      ready.add(frame);
      for (const command of waiting.get(frame) ?? []) frame.contentWindow.postMessage(command, "*");
      waiting.delete(frame);
    }
    frame.dispatchEvent(new CustomEvent(data.type, { detail: fields[data.type](data) }));
  });
}

// For pages that embed Gatescope (README, "Embeds"; docs/embedding.md):
//   <script src="https://YOUR-GATESCOPE/static/embed-host.js"></script>
// Each Gatescope iframe is resized to its content, and what it tells its page comes out
// as an event on the iframe element:
//   "gatescope:ready"  its first trace is drawn (commands sent before wait for it)
//   "gatescope:state"  event.detail = {t, unit, stage}, whenever one of them changes
//   "gatescope:error"  event.detail = {message}: its first trace could not be made
// Drive it with iframe.contentWindow.postMessage({type: "gatescope:seek", t: 3}, "*"), and
// gatescope:set-text {text}, gatescope:play, gatescope:pause, gatescope:select-unit {unit}.
if (!window.gatescopeHost) {  // once, however many snippets include this script
  window.gatescopeHost = true;
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
    } else if (Object.hasOwn(fields, data.type)) {
      frame.dispatchEvent(new CustomEvent(data.type, { detail: fields[data.type](data) }));
    }
  });
}

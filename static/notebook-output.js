// In a notebook's output, beside a Gatescope view's sandboxed iframe (app/notebook.py):
// hands each view the styles and scripts it asks for, which the notebook stores once, in
// <script type="application/json" data-gatescope-asset="KEY"> elements (in the output of
// the first view that needed them), and sizes each iframe to the height its page reports.
// One listener serves every view of the notebook; it answers only the views' own iframes.
(() => {
  if (window.gatescopeNotebookViews) return;
  window.gatescopeNotebookViews = true;
  const MAX_HEIGHT = 20000;

  const frameOf = (source) =>
    [...document.querySelectorAll("iframe[data-gatescope-assets]")].find((frame) => frame.contentWindow === source);

  function assetsFor(frame) {
    const keys = frame.dataset.gatescopeAssets.split(" ");
    const stored = keys.map((key) => document.querySelector(`script[data-gatescope-asset="${CSS.escape(key)}"]`));
    return stored.every(Boolean) ? stored.map((element) => JSON.parse(element.textContent)) : null;
  }

  window.addEventListener("message", (event) => {
    const frame = frameOf(event.source);
    const data = event.data;
    if (!frame || typeof data !== "object" || data === null) return;
    if (data.type === "gatescope:need-assets") {
      const assets = assetsFor(frame);  // not found yet: the view asks again
      if (assets) event.source.postMessage({ type: "gatescope:assets", assets }, "*");
    } else if (data.type === "gatescope:height" && "gatescopeFit" in frame.dataset && Number.isFinite(data.height)) {
      frame.style.height = `${Math.min(Math.max(Math.ceil(data.height), 100), MAX_HEIGHT)}px`;
    }
  });
})();

// Inside a notebook view's sandboxed iframe (app/notebook.py): the page came without its
// styles and scripts, which the notebook stores once for all its views. Ask the notebook
// for them (notebook-output.js answers) until they come, then install them: styles,
// classic scripts (plotly.js), then the page's module.
(() => {
  const ASK_EVERY_MS = 250;
  const GIVE_UP_AFTER = 120;  // asks: 30 s
  let installed = false;
  let asked = 0;
  document.documentElement.style.visibility = "hidden";  // no unstyled page meanwhile

  function install(assets) {
    for (const asset of assets) {
      if (!asset.css) continue;
      const style = document.createElement("style");
      style.textContent = asset.css;
      document.head.append(style);
    }
    for (const kind of ["script", "module"]) {
      for (const asset of assets) {
        if (!asset[kind]) continue;
        const script = document.createElement("script");
        if (kind === "module") script.type = "module";
        script.textContent = asset[kind];
        document.body.append(script);
      }
    }
    document.documentElement.style.visibility = "";
  }

  window.addEventListener("message", (event) => {
    const data = event.data;
    if (installed || event.source !== window.parent || data?.type !== "gatescope:assets" || !Array.isArray(data.assets)) return;
    installed = true;
    const go = () => install(data.assets);
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", go);
    else go();
  });

  function ask() {
    if (installed) return;
    if (++asked > GIVE_UP_AFTER) {
      document.documentElement.style.visibility = "";
      document.body.prepend(Object.assign(document.createElement("p"), {
        className: "missing-assets",
        textContent: "This view's scripts are stored with the first Gatescope view of this notebook, " +
          "which is not here: run the cell that shows it again, or show(...).save('view.html').",
      }));
      return;
    }
    window.parent.postMessage({ type: "gatescope:need-assets" }, "*");
    setTimeout(ask, ASK_EVERY_MS);
  }
  ask();
})();

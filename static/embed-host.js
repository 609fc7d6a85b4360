// For pages that embed Gatescope: resize each Gatescope iframe to its content.
// <script src="https://YOUR-GATESCOPE/static/embed-host.js"></script>
addEventListener("message", (e) => {
  if (!e.data || e.data.type !== "gatescope:height" || !Number.isFinite(e.data.height)) return;
  for (const frame of document.querySelectorAll("iframe")) {
    if (frame.contentWindow === e.source) frame.style.height = `${Math.min(e.data.height, 10000)}px`;
  }
});

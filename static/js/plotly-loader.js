// plotly.js is large (~4.5 MB): it is fetched from our own server, only when a chart is shown.
let loading = null;

export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = "vendor/plotly.min.js";  // beside the page, under any path prefix
    script.onload = () => resolve(window.Plotly);
    script.onerror = () => reject(new Error("could not load plotly.js"));
    document.head.appendChild(script);
  });
  return loading;
}

// Numbers to colours, with the ramps from config.js.
import { DIVERGING, GATE_VECTORS, SEQUENTIAL } from "./config.js";

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function ramp(stops) {
  const rgb = stops.map(hexToRgb);
  return (u) => {  // u in [0, 1]
    const x = Math.min(Math.max(u, 0), 1) * (rgb.length - 1);
    const k = Math.min(Math.floor(x), rgb.length - 2);
    const w = x - k;
    return rgb[k].map((v, j) => Math.round(v + w * (rgb[k + 1][j] - v)));  // [r, g, b]
  };
}

const diverging = ramp(DIVERGING);
const sequential = ramp(SEQUENTIAL);

// Gates in [0, 1] on the sequential ramp; signed values in [-1, 1] on the diverging one
// (values beyond ±1, as C_t can reach, take the end colour; the hover shows the number).
export function rgbFor(name, value) {
  return GATE_VECTORS.has(name) ? sequential(value) : diverging((value + 1) / 2);
}

// The same colour as CSS: "rgb(r,g,b)".
export function colourFor(name, value) {
  const [r, g, b] = rgbFor(name, value);
  return `rgb(${r},${g},${b})`;
}

// The same ramps as plotly colorscales.
export function plotlyScale(stops) {
  return stops.map((c, k) => [k / (stops.length - 1), c]);
}

// Black or white text, whichever reads better on colourFor(name, value).
export function inkFor(name, value) {
  const [r, g, b] = rgbFor(name, value);
  const luminance = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return luminance < 0.5 ? "#fff" : "#111";
}

// Numbers to colours, with the ramps from config.js: one colour language for every view.
import { BELT_VECTORS, DIVERGING, GATE_VECTORS, SEQUENTIAL } from "./config.js";

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

// The scale a vector is coloured on: "gate" (0 → 1, sequential) or "value" (−1 → +1, diverging).
export const scaleOf = (name) => (GATE_VECTORS.has(name) ? "gate" : "value");

// The number a vector's colour shows: tanh of what the belt carries, else the value itself.
export const shownValue = (name, value) => (BELT_VECTORS.has(name) ? Math.tanh(value) : value);

// Gates in [0, 1] on the sequential ramp; signed values in [-1, 1] on the diverging one
// (the belt's through tanh; any other value past ±1 takes the end colour; the hover shows the number).
export function rgbFor(name, value) {
  return scaleOf(name) === "gate" ? sequential(value) : diverging((shownValue(name, value) + 1) / 2);
}

// The same colour as CSS: "rgb(r,g,b)".
export function colourFor(name, value) {
  const [r, g, b] = rgbFor(name, value);
  return `rgb(${r},${g},${b})`;
}

// A scale's ramp, and its range, as plotly takes them (a colorscale, zmin, zmax).
export function plotlyScale(scale) {
  const stops = scale === "gate" ? SEQUENTIAL : DIVERGING;
  return {
    colorscale: stops.map((c, k) => [k / (stops.length - 1), c]),
    zmin: scale === "gate" ? 0 : -1, zmax: 1,
  };
}

// The same ramp as a CSS gradient, left to right (a key beside what it colours).
export const cssRamp = (scale) => `linear-gradient(90deg, ${(scale === "gate" ? SEQUENTIAL : DIVERGING).join(", ")})`;

// Black or white text, whichever reads better on colourFor(name, value).
export function inkFor(name, value) {
  const background = relativeLuminance(rgbFor(name, value));
  const onWhite = 1.05 / (background + 0.05);  // WCAG contrast ratio of white text on it
  const onBlack = (background + 0.05) / 0.05;  // ... and of black (on a mid-tone, #111 and white both fall under 4.5:1)
  return onWhite >= onBlack ? "#fff" : "#000";
}

// WCAG 2 relative luminance of an sRGB colour (0-255 channels): linearised, then weighted.
function relativeLuminance(rgb) {
  const [r, g, b] = rgb.map((channel) => {
    const c = channel / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

// Every visual constant and name in one place: gate names, colours, sizes, timings.

// The article's names for the vectors a cell's step carries, as labels (those with words in
// them are in the strings tables, static/js/i18n: vector_c_below, ...).
export const VECTOR_LABELS = {
  f: "f_t", i: "i_t", c_tilde: "C̃_t", o: "o_t", c: "C_t", h: "h_t",
  c_prev: "C_{t-1}", h_prev: "h_{t-1}", x: "x_t",
  f_c: "f_t * C_{t-1}", i_c: "i_t * C̃_t", tanh_c: "tanh(C_t)",
  d: "d_t",
  z: "z_t", r: "r_t", h_tilde: "h̃_t", r_h: "r_t * h_{t-1}",
  h_top: "h_t",
};

// Gates live in [0, 1]: a sequential scale. Everything else: diverging around 0.
export const GATE_VECTORS = new Set(["f", "i", "o", "z", "r", "d"]);

// Colour-blind-safe ramps (ColorBrewer PuOr for signed values, a single blue hue for gates).
export const DIVERGING = ["#2d004b", "#8073ac", "#d8daeb", "#f7f7f7", "#fee0b6", "#e08214", "#7f3b08"];
export const SEQUENTIAL = ["#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"];

export const PALETTE = {
  layerBox: "#f9d77e",   // yellow: learned layers (σ, tanh)
  layerStroke: "#b8860b",
  pointwise: "#f4a6b7",  // pink: pointwise operations (×, +, tanh)
  pointwiseStroke: "#b03a57",
  wire: "#333",
  belt: "#111",
  module: "#eef3ee",
  moduleStroke: "#9aa79a",
};

export const STRIP = { width: 140, height: 16 };

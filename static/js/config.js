// Every visual constant and name in one place: gate names, colours, sizes, timings.

// The article's names for the vectors a cell's step carries, and for those a diagram
// derives from them, as labels ("_x" a subscript, "^x" a superscript). One table for the
// diagrams, the equations (mathml.js), tooltips, tables, menus and charts (vectors.js).
export const VECTOR_LABELS = {
  f: "f_t", i: "i_t", c_tilde: "C̃_t", o: "o_t", c: "C_t", h: "h_t",
  c_prev: "C_{t-1}", h_prev: "h_{t-1}", x: "x_t",
  f_c: "f_t * C_{t-1}", i_c: "i_t * C̃_t", tanh_c: "tanh(C_t)",
  d: "d_t", c_below: "C_t^{L-1}", d_c: "d_t * C_t^{L-1}", h_below: "h_t^{L-1}",
  z: "z_t", r: "r_t", h_tilde: "h̃_t", r_h: "r_t * h_{t-1}",
  one_minus_z_h_prev: "(1 − z_t) * h_{t-1}", z_h_tilde: "z_t * h̃_t",  // the article's GRU
  z_h_prev: "z_t * h_{t-1}", one_minus_z_h_tilde: "(1 − z_t) * h̃_t",  // PyTorch's
  h_top: "h_t", active: "a_t",
};

// Gates live in [0, 1]: a sequential scale. Everything else: diverging around 0.
export const GATE_VECTORS = new Set(["f", "i", "o", "z", "r", "d"]);
// What the belt carries (C, and what is multiplied onto it and added to it) has no bound:
// a unit's C can run far past ±1, so it is coloured through tanh(C), what the output gate
// reads (h_t = o_t * tanh(C_t)), on the same diverging scale as h.
export const BELT_VECTORS = new Set(["c", "c_prev", "c_below", "f_c", "i_c", "d_c"]);

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

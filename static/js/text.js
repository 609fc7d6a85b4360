// How tokens are shown: whitespace made visible, so every step has something to point at.
const VISIBLE = { " ": "␣", "\n": "↵", "\t": "⇥" };

export function visibleToken(token) {
  return Array.from(token, (ch) => VISIBLE[ch] ?? ch).join("");
}

const SUBSCRIPTS = { t: "ₜ", "-": "₋", "1": "₁", "0": "₀", "+": "₊" };

// "C_{t-1}" -> "Cₜ₋₁": the diagram's labels as plain text (tooltips, screen readers).
export function plainLabel(text) {
  return text.replace(/_\{([^}]*)\}|_(\S)/g, (_, long, short) =>
    Array.from(long ?? short, (ch) => SUBSCRIPTS[ch] ?? ch).join(""));
}

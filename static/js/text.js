// How tokens are shown: whitespace made visible, so every step has something to point at.
const VISIBLE = { " ": "␣", "\n": "↵", "\t": "⇥" };

export function visibleToken(token) {
  return Array.from(token, (ch) => VISIBLE[ch] ?? ch).join("");
}

const SUBSCRIPTS = { t: "ₜ", h: "ₕ", "-": "₋", "1": "₁", "0": "₀", "+": "₊" };
const SUPERSCRIPTS = { L: "ᴸ", "-": "⁻", "1": "¹", "0": "⁰", "+": "⁺" };

// "C_{t-1}" -> "Cₜ₋₁", "C_t^{L-1}" -> "Cₜᴸ⁻¹": the diagram's labels as plain text
// (tooltips, menus, chart legends, screen readers).
export function plainLabel(text) {
  return text.replace(/([_^])\{([^}]*)\}|([_^])(\S)/g, (_, mark, long, shortMark, short) => {
    const table = (mark ?? shortMark) === "_" ? SUBSCRIPTS : SUPERSCRIPTS;
    return Array.from(long ?? short, (ch) => table[ch] ?? ch).join("");
  });
}

// The same text as nodes for an HTML element, scripts as <sub> and <sup> (for the letters
// Unicode has no subscript of: p_f, T_g); the text is only ever text.
export function scripted(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(/([_^])\{([^}]*)\}|([_^])(\S)/g)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const script = document.createElement((match[1] ?? match[3]) === "_" ? "sub" : "sup");
    script.textContent = (match[2] ?? match[4]).replace(/-/g, "\u2212");
    nodes.push(script);
    last = match.index + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

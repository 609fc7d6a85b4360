// How tokens are shown: whitespace made visible, so every step has something to point at.
const VISIBLE = { " ": "␣", "\n": "↵", "\t": "⇥" };

export function visibleToken(token) {
  return Array.from(token, (ch) => VISIBLE[ch] ?? ch).join("");
}

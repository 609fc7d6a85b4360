// A few MathML Core builders (rendered natively by the browser: no library).
const NS = "http://www.w3.org/1998/Math/MathML";

export function m(name, ...children) {
  const node = document.createElementNS(NS, name);
  for (const child of children) node.append(typeof child === "string" ? child : child);
  return node;
}

export const mi = (text) => m("mi", text);
export const mo = (text) => m("mo", text);
export const mn = (value, digits = 2) => m("mn", typeof value === "number" ? format(value, digits) : value);
export const row = (...children) => m("mrow", ...children);
export const sub = (base, index) => m("msub", typeof base === "string" ? mi(base) : base, typeof index === "string" ? mi(index) : index);

// C̃: a C with a tilde accent.
export function tilde(base) {
  const accent = m("mo", "~");
  const node = m("mover", mi(base), accent);
  node.setAttribute("accent", "true");
  return node;
}

export function math(...children) {
  const node = m("math", row(...children));
  node.setAttribute("display", "block");
  return node;
}

export function format(value, digits = 2) {
  const text = value.toFixed(digits);
  return value < 0 ? `−${text.slice(1)}` : text;  // a real minus sign
}

// x_{t-1} written as MathML: sub("h", row(mi("t"), mo("−"), mn("1")))
export const tMinus1 = () => row(mi("t"), mo("−"), m("mn", "1"));

// A few MathML Core builders (rendered natively by the browser: no library), and the
// equations of a cell's walk-through: the terms app/cells/equations.py declares, written
// in the article's notation (* pointwise, · the matrix product), and again with the
// selected unit's numbers in place of its vectors (negative numbers in brackets).
import { VECTOR_LABELS } from "./config.js";

const NS = "http://www.w3.org/1998/Math/MathML";

export function m(name, ...children) {
  const node = document.createElementNS(NS, name);
  for (const child of children) node.append(child);
  return node;
}

export const mi = (text) => m("mi", text);
export const mo = (text) => m("mo", text);
export const mn = (value, digits = 2) => m("mn", typeof value === "number" ? format(value, digits) : value);
export const row = (...children) => m("mrow", ...children);
const script = (base, index) => (typeof index === "string" ? mi(index) : index);
export const sub = (base, index) => m("msub", typeof base === "string" ? mi(base) : base, script(base, index));

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

// A script as the labels write it ("t", "t-1", "L-1") in MathML.
function scriptText(text) {
  const parts = text.split("-");
  return parts.length === 1 ? mi(text) : row(...parts.flatMap((part, k) => (k ? [mo("−"), /\d/.test(part) ? m("mn", part) : mi(part)] : [mi(part)])));
}

// A vector's symbol from its label in config.js: "C̃_t" -> C̃ with subscript t, "C_t^{L-1}".
export function symbol(name) {
  const label = VECTOR_LABELS[name] ?? name;
  const match = label.match(/^([^_^]+)(?:_(?:\{([^}]*)\}|(\S)))?(?:\^(?:\{([^}]*)\}|(\S)))?$/u);
  if (!match) return mi(label);
  const [, base, lowLong, lowShort, highLong, highShort] = match;
  const letter = base.endsWith("\u0303") ? tilde(base.slice(0, -1)) : mi(base);
  const low = lowLong ?? lowShort;
  const high = highLong ?? highShort;
  if (low && high) return m("msubsup", letter, scriptText(low), scriptText(high));
  return low ? m("msub", letter, scriptText(low)) : letter;
}

// A number put into an equation: the unit's value, in brackets when negative (not as a result).
function number(value, name, { bracketed = true } = {}) {
  const node = Number.isInteger(value) ? m("mn", String(value)) : mn(value, 3);  // a clock's 0 or 1 as such
  if (name) node.dataset.vector = name;
  return value < 0 && bracketed ? row(mo("("), node, mo(")")) : node;
}

const ADDITIVE = new Set(["+", "−"]);
const FUNCTIONS = new Set(["σ", "tanh"]);

// One term as MathML. `values` (a vector's value at the selected unit) and `facts` (t, T)
// given: every vector outside a matrix product is written as its number; `used` counts them.
export function term(node, { values = null, facts = {}, inProduct = false, used = { count: 0 }, words = {}, bare = false } = {}) {
  const [op, ...args] = node;
  const again = (child, extra = {}) => term(child, { values, facts, inProduct, used, words, ...extra });
  const grouped = (child, extra) => (ADDITIVE.has(child[0]) ? row(mo("("), again(child, extra), mo(")")) : again(child, extra));
  if (op === "v") {
    const [name] = args;
    if (values && !inProduct && typeof values[name] === "number") {
      used.count += 1;
      return number(values[name], name, { bracketed: !bare });
    }
    return symbol(name);
  }
  if (op === "p") {
    const [letter, index, sup] = args;
    const base = mi(letter);
    if (index && sup) return m("msubsup", base, scriptText(index), scriptText(sup));
    return index ? m("msub", base, scriptText(index)) : base;
  }
  if (op === "n") return m("mn", args[0]);
  if (op === "t") return values && facts.t !== undefined ? mn(String(facts.t)) : mi("t");
  if (op === "T") return values && facts.T !== undefined ? mn(String(facts.T)) : m("msub", mi("T"), mi("g"));
  if (FUNCTIONS.has(op)) return row(mi(op), mo("("), again(args[0], { bare: true }), mo(")"));  // tanh(−0.07): its own brackets
  if (op === "·") return row(...args.flatMap((a, k) => [...(k ? [mo("·")] : []), grouped(a, { inProduct: true })]));
  if (op === "*") return row(...args.flatMap((a, k) => [...(k ? [mo("*")] : []), grouped(a)]));
  if (op === "+") return row(...args.flatMap((a, k) => [...(k ? [mo("+")] : []), again(a)]));
  if (op === "−") return row(again(args[0]), mo("−"), grouped(args[1]));
  if (op === "[]") return row(mo("["), ...args.flatMap((a, k) => [...(k ? [mo(",")] : []), again(a)]), mo("]"));
  if (op === "mod") return row(again(args[0]), mo("mod"), again(args[1]));
  if (op === "=") return row(again(args[0]), mo("="), again(args[1]));
  if (op === "cases") {
    const table = m("mtable", ...args.map(([value, condition]) => m("mtr",
      m("mtd", again(value)),
      m("mtd", condition ? row(m("mtext", `\u2003${words.if ?? "if"}\u00a0`), again(condition)) : m("mtext", `\u2003${words.otherwise ?? "otherwise"}`)))));
    table.setAttribute("columnalign", "left");
    const brace = mo("{");
    brace.setAttribute("stretchy", "true");
    return row(brace, table);
  }
  throw new Error(`unknown term ${op}`);
}

// The value of a term that has no matrix in it (a condition, t mod T).
export function evaluate(node, values, facts) {
  const [op, ...args] = node;
  const of = (child) => evaluate(child, values, facts);
  if (op === "v") return values[args[0]];
  if (op === "n") return Number(args[0]);
  if (op === "t") return facts.t;
  if (op === "T") return facts.T;
  if (op === "+") return args.reduce((sum, a) => sum + of(a), 0);
  if (op === "−") return of(args[0]) - of(args[1]);
  if (op === "*") return of(args[0]) * of(args[1]);
  if (op === "mod") return ((of(args[0]) % of(args[1])) + of(args[1])) % of(args[1]);
  throw new Error(`cannot evaluate ${op}`);
}

// Where a line may wrap: after an "=", "+" or "−" between terms. Rows only group what they
// hold (laid out the same in one row), so a piece's rows are opened up to find them; a
// script, a fraction or a table stays whole.
const BREAK_AFTER = new Set(["=", "+", "−"]);

function breakable(nodes) {
  const chunks = [[]];
  const visit = (node) => {
    if (node.localName === "mrow") return [...node.children].forEach(visit);
    chunks.at(-1).push(node);
    if (node.localName === "mo" && BREAK_AFTER.has(node.textContent)) chunks.push([]);
  };
  nodes.forEach(visit);
  return chunks.filter((chunk) => chunk.length);
}

// One equation as a line of pieces, cut where it may wrap into <math> elements that flow
// onto the next line on a narrow screen instead of running off it (an operator ends its
// element, keeping its space); `defines`: the vector on its left.
function line(defines, ...pieces) {
  const node = document.createElement("div");
  node.className = "eq-line";
  node.dataset.defines = defines;
  node.append(...breakable(pieces.flat()).map((children) => m("math", row(...children))));
  return node;
}

// An equation as the article writes it: lhs = rhs.
export function equation({ lhs, rhs }, words) {
  return line(lhs[1], [term(lhs, { words }), mo("=")], [term(rhs, { words })]);
}

// The same equation with the selected unit's numbers: lhs = rhs (numbers put in) = value.
// A matrix product mixes every unit, so it stays a symbol; where nothing could be put in,
// lhs = value. Of cases, the one that holds, and why (5 mod 4 = 1).
export function substituted({ lhs, rhs }, values, facts, words) {
  const name = lhs[1];
  const value = number(values[name], name, { bracketed: false });
  let because = [];
  if (rhs[0] === "cases") {
    const branches = rhs.slice(1);
    const [when, condition] = branches.find(([, cond]) => cond);
    const left = evaluate(condition[1], values, facts);
    rhs = left === evaluate(condition[2], values, facts) ? when : branches.find(([, cond]) => !cond)[0];
    because = [m("mtext", "\u2003("), term(condition[1], { values, facts, words }), mo("="), mn(String(left)), m("mtext", ")")];
  }
  const used = { count: 0 };
  const filled = rhs[0] === "v" ? symbol(rhs[1]) : term(rhs, { values, facts, used, words });
  const middle = used.count || rhs[0] === "v" ? [[filled]] : [];
  return line(name, [symbol(name), mo("=")], ...middle, [...(middle.length ? [mo("=")] : []), value, ...because]);
}

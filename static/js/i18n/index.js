// The interface's language: English or Simplified Chinese, from the `lang` URL parameter
// or else the browser's language. One strings table per language (en.js, zh.js), and one
// for what only the live app has (en-live.js, zh-live.js: a recording has none of it).
import { STRINGS as enLive } from "./en-live.js";
import { STRINGS as en_ } from "./en.js";
import { STRINGS as zhLive } from "./zh-live.js";
import { STRINGS as zh_ } from "./zh.js";

const en = { ...en_, ...enLive };  // (a spread of undefined, in a recording, adds nothing)
const zh = { ...zh_, ...zhLive };
export const LANGUAGES = { en, zh };
let strings = en;
let current = "en";

export function chooseLanguage(wanted, browser = navigator.language) {
  const lang = wanted ?? (browser?.toLowerCase().startsWith("zh") ? "zh" : "en");
  strings = LANGUAGES[lang] ?? en;
  current = strings === zh ? "zh" : "en";
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  return lang;
}

export function language() {
  return current;
}

// A field of server data in the page's language: `description_zh` beside `description`,
// a label's `feature_zh` beside `feature` (docs/model-files.md); the English where none.
export function localized(record, field) {
  return (current !== "en" && record?.[`${field}_${current}`]) || record?.[field];
}

export function has(key) {
  return key in strings;
}

// The string for `key` with {placeholders} filled from `values`.
export function t(key, values = {}) {
  const entry = strings[key] ?? en[key];
  if (entry === undefined) return key;
  if (typeof entry === "function") return entry(values);
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// A touch screen (a phone, a tablet): its hints speak of taps, not of a mouse or arrow keys.
export const touchScreen = () => globalThis.matchMedia?.("(pointer: coarse)").matches ?? false;

// Translate the page's static text: data-i18n sets the text (data-i18n-touch instead, where
// given, on a touch screen), data-i18n-ATTR an attribute.
export function translatePage(root = document, { touch = touchScreen() } = {}) {
  for (const element of root.querySelectorAll("[data-i18n]")) {
    const key = (touch && element.dataset.i18nTouch) || element.dataset.i18n;
    if (key in en) element.textContent = t(key);  // (a recording lacks the live app's strings: kept as written)
  }
  for (const attribute of ["placeholder", "title", "aria-label"]) {
    const data = `i18n${attribute.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
    for (const element of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      element.setAttribute(attribute, t(element.dataset[data]));
    }
  }
}

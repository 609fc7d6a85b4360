// The interface's language: English or Simplified Chinese, from the `lang` URL parameter
// or else the browser's language. One strings table per language (en.js, zh.js).
import { STRINGS as en } from "./en.js";
import { STRINGS as zh } from "./zh.js";

export const LANGUAGES = { en, zh };
let strings = en;

export function chooseLanguage(wanted, browser = navigator.language) {
  const lang = wanted ?? (browser?.toLowerCase().startsWith("zh") ? "zh" : "en");
  strings = LANGUAGES[lang] ?? en;
  document.documentElement.lang = lang === "zh" ? "zh-Hans" : "en";
  return lang;
}

// The string for `key` with {placeholders} filled from `values`.
export function t(key, values = {}) {
  const entry = strings[key] ?? en[key];
  if (entry === undefined) return key;
  if (typeof entry === "function") return entry(values);
  return entry.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// Translate the page's static text: data-i18n sets the text, data-i18n-ATTR an attribute.
export function translatePage(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const attribute of ["placeholder", "title", "aria-label"]) {
    const data = `i18n${attribute.replace(/(^|-)(\w)/g, (_, __, c) => c.toUpperCase())}`;
    for (const element of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      element.setAttribute(attribute, t(element.dataset[data]));
    }
  }
}

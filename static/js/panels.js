// Which panels are shown. Each panel is an element with data-panel="name"; a toolbar
// button with data-toggle="name" shows or hides it. Hidden panels do no work.
// The page's defaults are the template's `hidden` attributes; `wanted` (the `panels`
// URL parameter, e.g. ?panels=walkthrough,chain) shows exactly the panels it names.
export class Panels {
  constructor(root, onChange, wanted = null) {
    this.sections = new Map([...root.querySelectorAll("[data-panel]")].map((el) => [el.dataset.panel, el]));
    this.buttons = new Map([...root.querySelectorAll("[data-toggle]")].map((el) => [el.dataset.toggle, el]));
    this.onChange = onChange;
    for (const [name, button] of this.buttons) {
      button.addEventListener("click", () => this.set(name, !this.isVisible(name)));
    }
    this.defaults = [...this.sections].filter(([, section]) => !section.hidden).map(([name]) => name);
    const only = wanted === null ? null : new Set(wanted);
    for (const [name, section] of this.sections) this.show(name, only ? only.has(name) : !section.hidden);
  }

  isVisible(name) {
    const section = this.sections.get(name);
    return Boolean(section) && !section.hidden;
  }

  show(name, visible) {
    const section = this.sections.get(name);
    if (section) section.hidden = !visible;
    this.buttons.get(name)?.setAttribute("aria-pressed", String(visible));
  }

  // The shown panels, or null when they are `base` in any order (the page's defaults
  // unless a lesson gives its own).
  shown(base = this.defaults) {
    const names = [...this.sections.keys()].filter((name) => this.isVisible(name));
    const same = names.length === base.length && names.every((name) => base.includes(name));
    return same ? null : names;
  }

  set(name, visible) {
    this.show(name, visible);
    this.onChange(name, visible);
  }
}

// Which panels are shown: the store's `panels`. Each panel is an element with
// data-panel="name"; a toolbar button with data-toggle="name" shows or hides it (its
// aria-pressed says which). Hidden panels do no work.
export class Panels {
  constructor(root, store) {
    this.store = store;
    this.sections = new Map([...root.querySelectorAll("[data-panel]")].map((el) => [el.dataset.panel, el]));
    this.buttons = new Map([...root.querySelectorAll("[data-toggle]")].map((el) => [el.dataset.toggle, el]));
    for (const [name, button] of this.buttons) {
      button.addEventListener("click", () => this.set(name, !this.isVisible(name)));
    }
    store.subscribe((changed) => changed.has("panels") && this.render());
    this.render();
  }

  // A panel this page has (a recording keeps only those it offers) that the store shows.
  isVisible(name) {
    return this.sections.has(name) && this.store.state.panels.includes(name);
  }

  // The panels shown, in the page's order.
  shown() {
    return [...this.sections.keys()].filter((name) => this.isVisible(name));
  }

  set(name, visible) {
    const others = this.store.state.panels.filter((n) => n !== name);
    this.store.set({ panels: visible ? [...others, name] : others });
  }

  render() {
    for (const [name, section] of this.sections) section.hidden = !this.isVisible(name);
    for (const [name, button] of this.buttons) button.setAttribute("aria-pressed", String(this.isVisible(name)));
  }
}

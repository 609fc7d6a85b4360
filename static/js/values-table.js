// The current step's numbers as a table: what a screen reader reads instead of the
// diagram's colours, and what anyone can show to read every value at once.
import { t } from "./i18n/index.js";
import { vectorLabel } from "./vectors.js";

export class ValuesTable {
  constructor(table, trace) {
    this.table = table;
    this.trace = trace;
  }

  render(values) {
    if (!this.table.closest("details")?.open) return;  // built only while shown
    const { meta } = this.trace;
    const step = this.trace.current;
    if (!meta || !step || !values) {
      this.table.replaceChildren();
      return;
    }
    const caption = document.createElement("caption");
    caption.textContent = t("values_caption", { t: this.trace.t, token: step.token });
    const head = document.createElement("tr");
    head.append(cell("th", t("unit")), ...Array.from({ length: meta.hidden_size }, (_, u) => cell("th", String(u))));
    const rows = Object.entries(values).filter(([, v]) => v?.length === meta.hidden_size).map(([name, v]) => {
      const row = document.createElement("tr");
      const header = cell("th", vectorLabel(name));
      header.scope = "row";
      row.append(header, ...v.map((x) => cell("td", x.toFixed(4))));
      return row;
    });
    const thead = document.createElement("thead");
    thead.append(head);
    const tbody = document.createElement("tbody");
    tbody.append(...rows);
    this.table.replaceChildren(caption, thead, tbody);
  }
}

function cell(kind, text) {
  const element = document.createElement(kind);
  element.textContent = text;
  if (kind === "th" && text !== "") element.scope = "col";
  return element;
}

// Models trained alike, compared as Greff et al. (2015) and Jozefowicz et al. (2015)
// compared LSTM variants: each one's held-out loss while it trained (its file's
// metrics.validation_curve), one curve per model, and a table of their final held-out
// numbers. Shown for the models of the main model's task when there are two or more.
import { Chart } from "./chart.js";
import { t } from "./i18n/index.js";
import { variantLabel } from "./partner.js";

// The held-out numbers a task reports: the test part (variants), else all held-out text.
const finalMetrics = (m) => m.metrics?.test ?? m.metrics?.held_out ?? null;

export class LossCurves extends Chart {
  constructor(element, table, onOpen) {
    super(element);
    this.table = table;
    this.onOpen = onOpen;  // (model name) -> make it the main model
    this.key = "";
    // The title above the chart, as text that wraps on a phone (plotly's own does not).
    this.heading = document.createElement("h3");
    this.heading.className = "chart-title";
    this.heading.dataset.testid = "loss-curves-title";
    this.heading.hidden = true;
    element.before(this.heading);
  }

  // The models trained on main's task that record a curve, main first.
  alike(main, models) {
    if (!main?.task || !main.metrics?.validation_curve) return [];
    const same = models.filter((m) => m.task === main.task && m.metrics?.validation_curve);
    return [main, ...same.filter((m) => m.name !== main.name)];
  }

  render(main, models) {
    const curves = this.alike(main, models);
    const key = JSON.stringify([curves.map((m) => m.name), main?.name]);
    if (key === this.key) return;  // drawn already: nothing it shows has changed
    const shown = curves.length >= 2;
    this.element.hidden = !shown;
    this.heading.hidden = !shown;
    this.table.hidden = !shown;
    if (!shown) {
      this.key = key;
      return;
    }
    if (!this.ready(() => this.render(main, models))) return;
    this.key = key;
    this.drawChart(curves, main);
    this.drawTable(curves, main);
  }

  drawChart(curves, main) {
    const data = curves.map((m) => {
      const points = m.metrics.validation_curve;
      return {
        type: "scatter", mode: "lines", name: variantLabel(m), x: points.map((p) => p.epoch),
        y: points.map((p) => p.bits_per_token), line: { width: m.name === main.name ? 3.5 : 1.5 },
        hovertemplate: `${m.name}<br>%{x:.2f} ${t("curves_epochs")}: %{y:.3f} ${t("curves_bits")}<extra></extra>`,
      };
    });
    const lowest = Math.min(...curves.flatMap((m) => m.metrics.validation_curve.map((p) => p.bits_per_token)));
    // The legend goes under the plot, in as many rows as the width needs (a phone: one a line).
    const rows = Math.ceil(curves.length / Math.max(1, Math.floor((this.element.clientWidth || 800) / 210)));
    const below = 60 + 21 * rows;
    this.heading.textContent = t("curves_title");
    this.react(data, {
      height: 260 + below, margin: { l: 50, r: 10, t: 10, b: below },
      xaxis: { title: { text: t("curves_epochs") } },
      // The untrained start (log2 of the vocabulary) is far above the rest: the axis
      // shows where the cells part, from a little below the best to 4 bits.
      yaxis: { title: { text: t("curves_bits") }, range: [Math.floor((lowest - 0.1) * 10) / 10, 4] },
      legend: { orientation: "h", x: 0, y: -55 / 250, yanchor: "top" },
    });
    this.element.dataset.models = curves.map((m) => m.name).join(",");
  }

  drawTable(curves, main) {
    const head = document.createElement("tr");
    for (const key of ["curves_cell", "curves_units", "curves_parameters", "curves_test_bits", "curves_accuracy", ""]) {
      const cell = document.createElement("th");
      cell.scope = "col";
      cell.textContent = key ? t(key) : "";
      head.append(cell);
    }
    const byBits = [...curves].sort((a, b) => (finalMetrics(a)?.bits_per_token ?? Infinity)
      - (finalMetrics(b)?.bits_per_token ?? Infinity));
    const rows = byBits.map((m) => {
      const row = document.createElement("tr");
      row.dataset.testid = "loss-row";
      row.dataset.model = m.name;
      if (m.name === main.name) row.setAttribute("aria-current", "true");
      const measured = finalMetrics(m);
      const cells = [
        variantLabel(m),
        m.layers > 1 ? `${m.layers} × ${m.hidden_size}` : String(m.hidden_size),
        m.training?.parameters?.toLocaleString() ?? "—",
        measured ? measured.bits_per_token.toFixed(3) : "—",
        measured ? `${(measured.accuracy * 100).toFixed(1)}%` : "—",
      ];
      for (const [k, text] of cells.entries()) {
        const cell = document.createElement(k === 0 ? "th" : "td");
        if (k === 0) cell.scope = "row";
        cell.textContent = text;
        row.append(cell);
      }
      const open = document.createElement("button");
      open.type = "button";
      open.dataset.testid = "loss-open";
      open.textContent = t("curves_open");
      open.setAttribute("aria-label", t("curves_open_model", { name: m.name }));
      open.disabled = m.name === main.name;
      open.addEventListener("click", () => this.onOpen(m.name));
      const last = document.createElement("td");
      last.append(open);
      row.append(last);
      return row;
    });
    const caption = document.createElement("caption");
    caption.textContent = t("curves_caption");
    this.table.replaceChildren(caption, head, ...rows);
  }
}

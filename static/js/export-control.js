// Export: the view as it is shown, as one HTML file that plays with no server, in the
// page's language and theme (GET /api/export records it). The dialog fetches the file for
// the panels ticked and says its size before it is saved; a refusal is shown as a sentence.
import { pageUrl } from "./address.js";
import { t } from "./i18n/index.js";

export function sizeText(bytes) {
  return bytes < 1024 * 1024 ? `${Math.max(1, Math.round(bytes / 1024))} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function panelChoice(name) {
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.value = name;
  box.checked = true;
  box.dataset.testid = `export-panel-${name}`;
  const toggle = document.querySelector(`[data-toggle="${name}"]`);
  label.append(box, " ", toggle?.textContent ?? name);
  return label;
}

export function connectExport($, currentQuery, shownPanels) {
  const dialog = $("export-dialog");
  const choices = $("export-panels");
  const size = $("export-size");
  const problem = $("export-error");
  const save = $("export-save");
  let asking = null;  // the request for the current choice, aborted when the choice changes

  function address() {
    const params = new URLSearchParams(currentQuery());
    params.set("panels", [...choices.querySelectorAll("input:checked")].map((box) => box.value).join(","));
    params.set("lang", document.documentElement.lang.startsWith("zh") ? "zh" : "en");
    params.set("theme", document.documentElement.dataset.theme || "light");
    return pageUrl("api/export", params.toString());  // beside the page, under any path prefix
  }

  function forgetFile() {
    if (save.href) URL.revokeObjectURL(save.href);
    save.removeAttribute("href");
  }

  async function prepare() {
    asking?.abort();
    asking = new AbortController();
    forgetFile();
    problem.hidden = true;
    size.textContent = t("export_measuring");
    try {
      const response = await fetch(address(), { signal: asking.signal });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.detail?.message ?? response.statusText);
      }
      const file = await response.blob();
      save.href = URL.createObjectURL(file);
      save.download = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "gatescope.html";
      const plotly = response.headers.get("X-Gatescope-Plotly") === "1";
      size.textContent = t("export_size", { size: sizeText(file.size) }) + (plotly ? t("export_plotly") : "");
      size.dataset.bytes = String(file.size);
    } catch (error) {
      if (error.name === "AbortError") return;
      size.textContent = "";
      problem.textContent = t("export_failed", { message: error.message });
      problem.hidden = false;
    }
  }

  $("export").addEventListener("click", () => {
    const legend = choices.querySelector("legend");
    choices.replaceChildren(legend, ...shownPanels().map(panelChoice));
    dialog.showModal();
    prepare();
  });
  choices.addEventListener("change", prepare);
  $("close-export").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    asking?.abort();
    forgetFile();
  });
}

// Sharing a view: a link, and an embed builder for course pages — the chrome to hide, the
// panels, language, theme, autoplay and loop, speed and height, with a live preview —
// whose link and <iframe> snippet follow every choice. And the single-file export.
import { pageUrl } from "./address.js";
import { t } from "./i18n/index.js";

const PREVIEW_WAIT_MS = 400;  // the preview reloads once the choices settle

async function copy(text, field) {
  field.value = text;
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    field.select();  // no clipboard here (plain http, or denied): leave it selected to copy by hand
    return false;
  }
}

// The snippet a course page pastes: the embed, and the host script that resizes it.
export function embedSnippet(query, height, base = document.baseURI) {
  const src = pageUrl("embed", query, base);
  const script = pageUrl("static/embed-host.js", "", base);
  const attribute = (value) => value.replaceAll("&", "&amp;").replaceAll('"', "&quot;");
  return `<iframe src="${attribute(src)}" title="${attribute(t("embed_title"))}" ` +
    `width="100%" height="${height}" style="border:0" loading="lazy"></iframe>\n` +
    `<script src="${attribute(script)}"></script>`;
}

// The builder's form: its fields are named after the store's properties (and `height`).
class EmbedBuilder {
  constructor(form, store, contract) {
    this.form = form;
    this.store = store;
    this.contract = contract;
    this.fields = form.elements;
  }

  // Start from the view as it is shown.
  fill() {
    const { state } = this.store;
    const check = (name, values) => {
      for (const box of this.form.querySelectorAll(`input[name="${name}"]`)) box.checked = values.includes(box.value);
    };
    check("panels", state.panels);
    check("hide", state.hide);
    this.fields.lang.value = state.lang ?? "";
    this.fields.theme.value = state.theme;
    this.fields.autoplay.checked = state.autoplay;
    this.fields.loop.checked = state.loop;
    this.fields.speed.value = state.speed;
    this.fields.height.value ||= this.contract.embed.height;
  }

  // The store's properties the builder sets, over the view as it is.
  get choices() {
    const checked = (name) => [...this.form.querySelectorAll(`input[name="${name}"]:checked`)].map((box) => box.value);
    const [fastest, slowest] = this.contract.limits.speed;
    const speed = Number(this.fields.speed.value);
    return {
      panels: checked("panels"),
      hide: checked("hide"),
      lang: this.fields.lang.value || null,
      theme: this.fields.theme.value,
      autoplay: this.fields.autoplay.checked,
      loop: this.fields.loop.checked,
      speed: Number.isInteger(speed) ? Math.min(Math.max(speed, fastest), slowest) : this.store.state.speed,
    };
  }

  get height() {
    const [lowest, highest] = this.contract.limits.embed_height;
    const height = Number(this.fields.height.value);
    return Number.isInteger(height) ? Math.min(Math.max(height, lowest), highest) : this.contract.embed.height;
  }
}

export function connectSharing($, store, contract) {
  const dialog = $("share-dialog");
  const link = $("share-link");
  const snippet = $("embed-code");
  const note = $("share-note");
  const preview = $("embed-preview");
  const builder = new EmbedBuilder($("embed-builder"), store, contract);
  let previewTimer = null;

  const update = ({ now = false } = {}) => {
    const query = store.serialize(builder.choices);
    link.value = pageUrl("./", query);
    snippet.value = embedSnippet(query, builder.height);
    preview.style.height = `${builder.height}px`;
    clearTimeout(previewTimer);
    const src = pageUrl("embed", query);
    const load = () => { if (dialog.open && preview.src !== src) preview.src = src; };
    if (now) load();
    else previewTimer = setTimeout(load, PREVIEW_WAIT_MS);
  };

  $("embed-builder").addEventListener("input", () => update());
  $("embed-builder").addEventListener("submit", (event) => event.preventDefault());
  $("share").addEventListener("click", async () => {
    builder.fill();
    dialog.showModal();
    update({ now: true });
    note.textContent = t((await copy(link.value, link)) ? "link_copied" : "link_copy_by_hand");
  });
  $("copy-link").addEventListener("click", async () => {
    note.textContent = t((await copy(link.value, link)) ? "link_copied" : "link_copy_by_hand");
  });
  $("copy-embed").addEventListener("click", async () => {
    note.textContent = t((await copy(snippet.value, snippet)) ? "embed_copied" : "embed_copy_by_hand");
  });
  $("close-share").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    clearTimeout(previewTimer);
    preview.src = "about:blank";  // its live trace ends with the dialog
  });
}

export function connectExport($, currentQuery, visiblePanels) {
  $("export").addEventListener("click", () => {
    const params = new URLSearchParams(currentQuery());
    const shown = visiblePanels();  // the file shows what is shown now (none: its default views)
    if (shown.length) params.set("panels", shown.join(","));
    else params.delete("panels");
    location.assign(pageUrl("api/export", params.toString()));
  });
}

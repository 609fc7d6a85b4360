// Sharing a view: a link, an <iframe> snippet for course pages, and a single-file export.
import { t } from "./i18n/index.js";

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

export function embedSnippet(query, origin = location.origin) {
  const src = `${origin}/embed${query ? `?${query}` : ""}`;
  return `<iframe src="${src.replaceAll('"', "&quot;")}" title="Gatescope: an LSTM reading text, live" ` +
    `width="100%" height="720" style="border:0" loading="lazy"></iframe>\n` +
    `<script src="${origin}/static/embed-host.js"></script>`;
}

export function connectSharing($, currentQuery, visiblePanels) {
  const dialog = $("share-dialog");
  const link = $("share-link");
  const snippet = $("embed-code");
  const note = $("share-note");

  $("share").addEventListener("click", async () => {
    const url = `${location.origin}${location.pathname}?${currentQuery()}`;
    snippet.value = embedSnippet(currentQuery());
    dialog.showModal();
    note.textContent = t((await copy(url, link)) ? "link_copied" : "link_copy_by_hand");
  });
  $("copy-embed").addEventListener("click", async () => {
    note.textContent = t((await copy(snippet.value, snippet)) ? "embed_copied" : "embed_copy_by_hand");
  });
  $("close-share").addEventListener("click", () => dialog.close());
  $("export").addEventListener("click", () => {
    const params = new URLSearchParams(currentQuery());
    params.set("panels", visiblePanels().join(","));  // the file shows what is shown now
    location.assign(`api/export?${params}`);
  });
}

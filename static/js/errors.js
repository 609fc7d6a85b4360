// What a refusal from the server says to the student. Every error the server sends
// carries a `code` (docs/api.md); an English page shows the server's own message, which
// names the details, and any other language the strings table's sentence for the code.
import { has, language, t } from "./i18n/index.js";

export function errorText(error) {
  const key = `error_${error?.code}`;
  if (language() === "en" && error?.message) return error.message;
  return has(key) ? t(key, { limit: error.limit ?? "" }) : t("error_other", { code: error?.code ?? "?" });
}

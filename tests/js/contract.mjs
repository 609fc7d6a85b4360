// The UI contract the JavaScript is built from, as the server writes it (python -m app.ui).
// `make js` writes it to a file and passes its path in GATESCOPE_UI_CONTRACT.
import { readFileSync } from "node:fs";

export function loadContract() {
  const path = process.env.GATESCOPE_UI_CONTRACT;
  if (!path) throw new Error("run `make js`: it writes the UI contract (python -m app.ui) for these tests");
  return JSON.parse(readFileSync(path, "utf-8"));
}

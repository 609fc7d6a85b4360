// Lessons (app/lessons.py): each opens a bundled model on the article's section it
// teaches. The server puts the lessons whose models are installed into the page's
// contract, each with its URL properties (its unit already picked from its model's
// labels); `?lesson=id` starts from those properties, and any property the URL gives
// itself overrides them. The address is then written against the lesson's view, so it
// keeps `lesson` and only what differs from it. A beat of the guided walk (`?walk=3`,
// app/walk.py) is opened the same way, from its own properties.
import { defaults, readState } from "./state.js";

const LOOK = new Set(["lang", "theme"]);  // how to look, not what to show

// The view a link opens and the view its address is written against: a beat's or a
// lesson's properties under the link's own, and the beat's or lesson's view; or the link
// over the defaults. A link that names no view at all (a first visit) opens `home` (the
// contract's: a trained model), its address written against the defaults. A lesson or
// beat not offered here (its model is not installed) is dropped, over the defaults.
export function startingPoint(search, lessons, table, { beats = [], home = null } = {}) {
  const params = new URLSearchParams(search);
  const first = [...params.keys()].every((key) => LOOK.has(key));
  const beat = params.has("walk") ? beats[Number(params.get("walk")) - 1] : undefined;
  const lesson = beat ? undefined : lessons.find((l) => l.id === params.get("lesson"));
  if (beat) params.delete("lesson");
  else params.delete("walk");
  if (!beat && !lesson) {
    params.delete("lesson");
    const base = defaults(table);
    return { state: readState(params.toString(), table, first && home ? readState(home, table) : base), base, first };
  }
  const base = readState((beat ?? lesson).query, table);
  return { state: readState(params.toString(), table, base), base, first: false };
}

// The sentence the "Try:" chip offers with `model`: the text of a lesson on it (as its
// main model, else as the one compared), which the model was made to read; else `fallback`
// (the article's "the clouds are in the sky", which a character model reads at all).
export function exampleFor(model, lessons, fallback) {
  const lesson = lessons.find((l) => l.model === model) ?? lessons.find((l) => l.compare === model);
  return (lesson && new URLSearchParams(lesson.query).get("text")) || fallback;
}

// A chip's label for a text: its first line, at most `most` characters.
export function chipLabel(text, most = 40) {
  const line = text.split("\n")[0];
  return line.length > most || line.length < text.length ? `${line.slice(0, most).trimEnd()}…` : line;
}

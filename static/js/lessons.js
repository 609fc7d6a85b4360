// Lessons (app/lessons.py): each opens a bundled model on the article's section it
// teaches. The server puts the lessons whose models are installed into the page's
// contract, each with its URL properties (its unit already picked from its model's
// labels); `?lesson=id` starts from those properties, and any property the URL gives
// itself overrides them. The address is then written against the lesson's view, so it
// keeps `lesson` and only what differs from it.
import { defaults, readState } from "./state.js";

// The view a link opens and the view its address is written against: the lesson's
// properties under the link's own, and the lesson's view; or the link over the defaults.
// A lesson not offered here (its model is not installed) is dropped.
export function startingPoint(search, lessons, table) {
  const params = new URLSearchParams(search);
  const lesson = lessons.find((l) => l.id === params.get("lesson"));
  if (!lesson) {
    params.delete("lesson");
    return { state: readState(params.toString(), table), base: defaults(table) };
  }
  const base = readState(lesson.query, table);
  return { state: readState(search, table, base), base };
}

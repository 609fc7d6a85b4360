// Lessons (app/lessons.py): each opens a bundled model on the article's section it
// teaches. The server puts the lessons whose models are installed into the page, each
// with its URL properties (its unit already picked from its model's labels); `?lesson=id`
// starts from those properties, and any property the URL gives itself overrides them.
import { readState } from "./state.js";

function offered() {
  const element = document.getElementById("gatescope-lessons");
  return element ? JSON.parse(element.textContent) : [];
}

// The query the page starts from and the view the URL is written against: a lesson's
// properties (with the URL's own over them) and its view, or the URL as it is and the
// defaults. A lesson not offered here (its model is not installed) is dropped.
export function startingPoint(search) {
  const params = new URLSearchParams(search);
  const lesson = offered().find((l) => l.id === params.get("lesson"));
  if (!lesson) {
    params.delete("lesson");
    return { query: params.toString(), base: readState("") };
  }
  const merged = new URLSearchParams(lesson.query);
  for (const [name, value] of params) merged.set(name, value);
  return { query: merged.toString(), base: readState(lesson.query) };
}

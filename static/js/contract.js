// What the server put into the page as data: the UI contract (app/ui.py: panels,
// hideable parts, limits, defaults, lessons), and, in an exported file, the recording.
function pageData(id) {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
}

export const pageContract = () => pageData("gatescope-ui");
export const pageRecording = () => pageData("gatescope-recording");  // null: a live page

// A link's look, fixed for the page's life: its theme and the parts it hides.
export function applyLook(root, { theme, hide }) {
  root.documentElement.dataset.theme = theme;
  for (const name of hide) {
    for (const element of root.querySelectorAll(`[data-hideable~="${name}"]`)) element.hidden = true;
  }
}

// The keyboard: outside the text box, arrows move through time (or, with the walk-through
// shown, through its four steps and on into the next token); space plays and pauses.
export function connectKeys(root, { player, walkthrough, walkthroughShown }) {
  root.addEventListener("keydown", (event) => {
    if (event.target.closest("textarea, input, select, dialog")) return;
    const walking = walkthroughShown() && walkthrough.applies && !event.shiftKey;
    if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
      const delta = event.key === "ArrowLeft" ? -1 : 1;
      event.preventDefault();
      if (walking) walkthrough.move(delta);
      else player.stepBy(delta);
    } else if (event.key === " " && event.target === root.body) {
      event.preventDefault();
      player.timer ? player.pause() : player.play();
    }
  });
}

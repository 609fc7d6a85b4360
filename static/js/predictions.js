// The model's next-token guesses at the current step, most probable first. A model trained
// to guess only after some tokens (a task scored only at its answer) marks its guesses
// elsewhere: the step says so (trained_guess: false), and they are shown greyed, under a note.
import { visibleToken } from "./text.js";
import { t } from "./i18n/index.js";

// The note over guesses the model never learnt to make, naming where it did learn to guess.
export function untrainedGuessNote(meta) {
  const after = (meta?.guesses_after ?? []).map((token) => `“${visibleToken(token)}”`).join(", ");
  return after ? t("untrained_guess_after", { after }) : t("untrained_guess");
}

export class Predictions {
  constructor(element, trace) {
    this.element = element;
    this.trace = trace;
  }

  render() {
    const step = this.trace.current;
    const list = step?.predictions ?? [];
    const untrained = list.length > 0 && step.trained_guess === false;
    this.element.classList.toggle("untrained-guess", untrained);
    const note = [];
    if (untrained) {
      const item = document.createElement("li");
      item.className = "prediction-note";
      item.dataset.testid = "untrained-guess";
      item.textContent = untrainedGuessNote(this.trace.meta);
      note.push(item);
    }
    this.element.replaceChildren(...note, ...list.map(({ token, p }) => {
      const row = document.createElement("li");
      row.dataset.testid = "prediction";
      const name = document.createElement("span");
      name.className = "prediction-token";
      name.textContent = visibleToken(token);
      const bar = document.createElement("span");
      bar.className = "prediction-bar";
      bar.style.width = `${Math.round(p * 100)}%`;
      const value = document.createElement("span");
      value.className = "prediction-p";
      value.textContent = `${(p * 100).toFixed(1)}%`;
      row.append(name, bar, value);
      return row;
    }));
  }
}

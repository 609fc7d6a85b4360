// The model's next-token guesses at the current step, most probable first.
import { visibleToken } from "./text.js";

export class Predictions {
  constructor(element, trace) {
    this.element = element;
    this.trace = trace;
  }

  render() {
    const step = this.trace.current;
    const list = step?.predictions ?? [];
    this.element.replaceChildren(...list.map(({ token, p }) => {
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

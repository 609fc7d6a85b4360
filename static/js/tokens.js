// The token strip: the sequence read so far, the current step highlighted; click to jump.
import { revealInside } from "./scroll.js";
import { visibleToken } from "./text.js";
import { t } from "./i18n/index.js";

export class TokenStrip {
  constructor(element, trace) {
    this.element = element;
    this.trace = trace;
    this.buttons = [];
    element.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-t]");
      if (button) trace.seek(Number(button.dataset.t));
    });
  }

  render(change) {
    const { steps } = this.trace;
    if (change === "reset") {
      this.element.replaceChildren();
      this.buttons = [];
    }
    for (let t = this.buttons.length; t < steps.length; t++) this.buttons.push(this.tokenButton(steps[t]));
    const current = this.buttons[this.trace.t] ?? null;
    if (current === this.current) return;
    this.current?.classList.remove("current");
    this.current?.removeAttribute("aria-current");
    this.current = current;
    current?.classList.add("current");
    current?.setAttribute("aria-current", "step");
    this.scrollWanted = true;
  }

  // Bring the current token into view, inside the strip, when it changed; it reads layout,
  // so the page calls it after all its writes of a frame.
  scrollToCurrent() {
    if (!this.scrollWanted) return;
    this.scrollWanted = false;
    revealInside(this.element, this.current);
  }

  tokenButton(step) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "token";
    button.dataset.t = step.t;
    button.dataset.testid = "token";
    button.textContent = visibleToken(step.token);  // text, never markup
    if (step.unk) {
      button.classList.add("unk");
      button.title = t("unk_token", { token: step.token });
    } else if (step.read_as != null) {
      // A typographic form the vocabulary lacks (“), read as its plain form ("): the mark shows which.
      button.classList.add("read-as");
      button.dataset.readAs = visibleToken(step.read_as);
      button.title = t("read_as_token", { t: step.t, token: step.token, read_as: step.read_as });
    } else {
      button.title = t("step_title", { t: step.t });
    }
    if (step.trained_guess === false) {  // its next-token guess is one the model never learnt to make
      button.classList.add("untrained-guess");
      button.title += ` · ${t("untrained_guess")}`;
    }
    this.element.appendChild(button);
    return button;
  }
}

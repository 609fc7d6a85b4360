// One floating label for the numbers under the pointer.
export class Tooltip {
  constructor(element) {
    this.element = element;
  }

  show(text, clientX, clientY) {
    this.element.textContent = text;  // always text, never markup
    this.element.hidden = false;
    const pad = 12;
    const { innerWidth } = window;
    const width = this.element.offsetWidth;
    const left = Math.min(clientX + pad, innerWidth - width - 4);
    this.element.style.left = `${Math.max(left, 4)}px`;
    this.element.style.top = `${clientY + pad}px`;
  }

  hide() {
    this.element.hidden = true;
  }
}

// The guided walk through the article (app/walk.py, static/walk/): beats in the article's
// order, each a view of the page (its model, text, step, unit, stage, panels) with a short
// text beside it. A beat is a link (`?walk=3`): its view is opened as a lesson's is, through
// the store, with the address written against it. Where the article makes a claim the beat
// asks a question first, and shows what the model does once it is answered.
//
// The words come from static/walk/LANG.json, fetched when the walk (or its invitation) is
// first shown. A first visit to the app (not an embed, not an exported file) is invited
// once; taking or declining the invitation is remembered in localStorage.
import { besidePage } from "./address.js";
import { language, t } from "./i18n/index.js";
import { defaults, readState } from "./state.js";
import { scripted } from "./text.js";

const ANSWERED = "gatescope.walk-invitation";  // localStorage: "taken" or "declined"
const LOOK = ["lang", "theme", "hide"];  // how the page looks, which a beat keeps

// The view of beat k (from 1) and the base its address is written against: the beat's
// properties over the defaults, with the page's look kept.
export function beatView(beats, k, table, current) {
  const beat = beats[k - 1];
  const base = readState(beat.query, table);
  const look = Object.fromEntries(LOOK.map((key) => [key, current[key]]));
  return { beat, base, state: { ...base, ...look, walk: k } };
}

// The view once a beat's question is answered: its reveal over the view now.
export function revealed(beat, table, state) {
  return readState(beat.question.reveal, table, state);
}

// The browser's localStorage, or null where reading it throws (a sandboxed frame: a notebook's view).
export function browserStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function paragraphs(container, texts) {
  container.replaceChildren(...texts.map((text) => {
    const p = document.createElement("p");
    p.append(...scripted(text));
    return p;
  }));
}

export class Walk {
  // card: the walk's <aside>; beats: the contract's walk; invite: whether this page may
  // invite (the app, not an embed or a file); onBeat(beat | null): a beat was opened or left
  constructor(card, { store, table, beats, invite, storage, onBeat, onError }) {
    this.card = card;
    this.store = store;
    this.table = table;
    this.beats = beats;
    this.storage = storage;
    this.onBeat = onBeat;
    this.answers = new Map();  // beat id -> the choice given
    this.words = null;
    const $ = (id) => card.querySelector(`[data-testid="${id}"]`);
    this.parts = {
      invite: $("walk-invite"), beat: $("walk-beat"), section: $("walk-section"), progress: $("walk-progress"),
      title: $("walk-title"), text: $("walk-text"), question: $("walk-question"), feedback: $("walk-feedback"),
      after: $("walk-after"), links: $("walk-links"), back: $("walk-back"), next: $("walk-next"), leave: $("walk-leave"),
    };
    this.inviting = invite && beats.length > 0 && !this.answered();
    const go = (k) => this.go(k).catch(onError);
    $("walk-start").addEventListener("click", () => this.start().catch(onError));
    $("walk-skip").addEventListener("click", () => this.decline());
    this.parts.back.addEventListener("click", () => go(this.current - 1));
    this.parts.next.addEventListener("click", () => (this.current < this.beats.length ? go(this.current + 1) : this.leave()));
    this.parts.leave.addEventListener("click", () => this.leave());
    store.subscribe((changed) => changed.has("walk") && this.render());
  }

  get current() {
    const k = this.store.state.walk;
    return k !== null && k >= 1 && k <= this.beats.length ? k : null;
  }

  answered() {
    try {
      return Boolean(this.storage?.getItem(ANSWERED));
    } catch {
      return false;  // storage refused: invite, and forget it
    }
  }

  remember(answer) {
    this.inviting = false;
    try {
      this.storage?.setItem(ANSWERED, answer);
    } catch {
      // nothing to do: the invitation comes back on the next visit
    }
  }

  // The words in the page's language, fetched once.
  async fetchWords() {
    if (this.words) return;
    const path = `static/walk/${language()}.json`;
    const response = await fetch(besidePage(path));
    if (!response.ok) throw new Error(`${path}: ${response.status}`);
    this.words = await response.json();
  }

  // Show what the page opened on: a beat, or the invitation (or nothing).
  async open() {
    if (this.current === null && !this.inviting) return;
    await this.fetchWords();
    this.render();
    if (this.current !== null) this.onBeat(this.beats[this.current - 1]);
  }

  start() {
    this.remember("taken");
    return this.go(1);
  }

  decline() {
    this.remember("declined");
    this.render();
  }

  // Open beat k: its view, then its step (a new text follows the newest step, input.js), and,
  // if its question was answered before, what the answer revealed.
  async go(k) {
    await this.fetchWords();
    const { beat, base, state } = beatView(this.beats, k, this.table, this.store.state);
    const { t, ...rest } = state;
    this.store.reopen({ ...rest, t: null }, base);
    this.store.set({ t });
    if (beat.question && this.answers.has(beat.id)) this.store.set(revealed(beat, this.table, this.store.state));
    this.onBeat(beat);
    this.render();
    this.parts.title.focus({ preventScroll: true });  // a screen reader reads on from the beat's title
  }

  // Leave the walk where it stands: the view stays, its address written against the defaults.
  leave() {
    this.store.reopen({ ...this.store.state, walk: null }, defaults(this.table));
    this.onBeat(null);
  }

  answer(beat, choice) {
    this.answers.set(beat.id, choice);
    this.store.set(revealed(beat, this.table, this.store.state));
    this.onBeat(beat);
    this.render();
  }

  render() {
    const k = this.current;
    const { parts, words } = this;
    const showing = words && (k !== null || this.inviting);
    this.card.hidden = !showing;
    if (!showing) return;
    const ui = words.ui;
    parts.invite.hidden = k !== null;
    parts.beat.hidden = k === null;
    this.card.setAttribute("aria-label", ui.walk);
    if (k === null) {
      this.card.querySelector("[data-role=invite-title]").textContent = ui.invite_title;
      this.card.querySelector("[data-role=invite-text]").textContent = fill(ui.invite_text, { n: this.beats.length });
      this.card.querySelector('[data-testid="walk-start"]').textContent = ui.start;
      this.card.querySelector('[data-testid="walk-skip"]').textContent = ui.skip;
      return;
    }
    const beat = this.beats[k - 1];
    const said = words.beats[beat.id];
    this.card.dataset.beat = beat.id;
    parts.section.textContent = fill(ui.section, { s: beat.section });
    parts.progress.textContent = fill(ui.progress, { k, n: this.beats.length });
    parts.title.replaceChildren(...scripted(said.title));
    paragraphs(parts.text, said.text);
    this.renderQuestion(beat, said, ui);
    this.renderLinks(beat, ui);
    parts.back.textContent = ui.back;
    parts.back.disabled = k === 1;
    parts.next.textContent = k < this.beats.length ? ui.next : ui.finish;
    parts.leave.textContent = ui.leave;
  }

  renderQuestion(beat, said, ui) {
    const { question, feedback, after } = this.parts;
    question.hidden = !beat.question;
    feedback.hidden = after.hidden = true;
    if (!beat.question) return;
    const chosen = this.answers.get(beat.id);
    question.querySelector("[data-role=guess]").textContent = ui.guess;
    question.querySelector("[data-role=prompt]").replaceChildren(...scripted(said.question.prompt));
    question.querySelector("[data-role=choices]").replaceChildren(...said.question.choices.map((text, choice) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.testid = `walk-choice-${choice}`;
      button.append(...scripted(text));
      button.setAttribute("aria-pressed", String(choice === chosen));
      button.disabled = chosen !== undefined;
      if (chosen !== undefined && choice === beat.question.answer) button.classList.add("right");
      button.addEventListener("click", () => this.answer(beat, choice));
      return button;
    }));
    if (chosen === undefined) return;
    const right = chosen === beat.question.answer;
    feedback.hidden = after.hidden = false;
    feedback.dataset.right = String(right);
    feedback.textContent = right ? ui.right : fill(ui.wrong, { answer: said.question.choices[beat.question.answer] });
    paragraphs(after, said.question.after);
  }

  // Lessons to go on with (their titles are the page's own strings) and reading beyond the article.
  renderLinks(beat, ui) {
    const { links } = this.parts;
    links.hidden = !beat.lessons.length && !beat.further.length;
    links.replaceChildren();
    const list = (label, items) => {
      if (!items.length) return;
      const heading = document.createElement("p");
      heading.textContent = label;
      const ul = document.createElement("ul");
      ul.append(...items.map(([href, text, testid]) => {
        const a = document.createElement("a");
        a.href = href;
        a.textContent = text;
        if (testid) a.dataset.testid = testid;
        if (/^https:/.test(href)) a.rel = "noopener";
        const li = document.createElement("li");
        li.append(a);
        return li;
      }));
      links.append(heading, ul);
    };
    list(ui.lessons, beat.lessons.map((id) => [`?lesson=${encodeURIComponent(id)}`, t(`lesson_${id}`), `walk-lesson-${id}`]));
    list(ui.further, beat.further.map(({ href, title }) => [href, title]));
  }
}

// The text box: what the user types is streamed as it is typed. Text added at the end
// is appended to the trace (the server continues from its state); any other edit
// starts the trace again from the whole text.

const WORD_FLUSH_MS = 600;  // word models: send a trailing word once typing pauses

export class TextFeed {
  // extra: () => more fields for each start message (the what-if interventions)
  constructor(textarea, stream, { extra = () => ({}) } = {}) {
    this.textarea = textarea;
    this.stream = stream;
    this.extra = extra;
    this.model = null;
    this.tokenizer = "char";
    this.sent = null;  // the text the current trace holds; null: no trace yet
    this.flushTimer = null;
    textarea.addEventListener("input", () => this.sync());
  }

  // Start a trace of the whole text with `model` (on load, or when the model changes).
  restart(model, tokenizer) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.sent = null;
    this.sync();
  }

  // The part of `text` that is safe to send now: all of it for characters; for words,
  // up to the last separator, so a word is never cut in two ("Fr" + "ance"); for
  // whitespace-split words, up to the last whitespace ("don't" is one word).
  ready(text) {
    if (this.tokenizer === "whitespace") {
      const match = /\s\S*$/u.exec(text);
      return match ? text.slice(0, match.index + 1) : "";
    }
    if (this.tokenizer !== "word") return text;
    const match = /[\s\p{P}\p{S}][^\s\p{P}\p{S}]*$/u.exec(text);
    return match ? text.slice(0, match.index + 1) : "";
  }

  sync(flush = false) {
    if (!this.model) return;
    const text = this.textarea.value;
    const upTo = flush || this.textarea.readOnly ? text : this.ready(text);  // read-only: no word is half typed
    clearTimeout(this.flushTimer);
    if (upTo !== text) this.flushTimer = setTimeout(() => this.sync(true), WORD_FLUSH_MS);
    if (this.sent !== null && upTo.startsWith(this.sent)) {
      const added = upTo.slice(this.sent.length);
      if (added) this.stream.append(added);
    } else {
      this.stream.start(this.model, upTo, this.extra());
    }
    this.sent = upTo;
  }
}

// The text box and the store's `text`, kept one: typing sets the store; a text set
// elsewhere (a host page, an example) is written into the box and read at once, by
// every feed of the box (the compared model's too). A text that does not carry on from
// the last one is a new trace, shown as it is read (the newest step followed).
export function bindTextBox(textarea, store, feed) {
  textarea.value = store.state.text;
  let last = store.state.text;
  textarea.addEventListener("input", () => store.set({ text: textarea.value }));
  store.subscribe((changed) => {
    if (!changed.has("text")) return;
    const { text } = store.state;
    if (!text.startsWith(last)) store.set({ t: null });
    last = text;
    if (textarea.value === text) return;  // typed
    textarea.value = text;
    textarea.dispatchEvent(new Event("input"));
    feed.sync(true);
  });
}

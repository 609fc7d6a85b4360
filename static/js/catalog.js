// The models this server offers: the list the server put in the page (what GET
// /api/models answers, saving a round trip), else that request; a recording's models.
import { besidePage } from "./address.js";

export class Catalog {
  constructor() {
    this.models = [];
    this.byName = new Map();
  }

  async load(recording) {
    const inPage = document.getElementById("gatescope-models");
    this.models = recording ? recording.models
      : inPage ? JSON.parse(inPage.textContent).models
      : (await (await fetch(besidePage("api/models"))).json()).models;
    this.byName = new Map(this.models.map((m) => [m.name, m]));
    return this.models;
  }

  // A model trained in the page: usable for the rest of the session, like the others.
  add(summary) {
    this.models = [...this.models.filter((m) => m.name !== summary.name), summary];
    this.byName.set(summary.name, summary);
  }

  get(name) {
    return this.byName.get(name);
  }

  // A model that is here and loads.
  usable(name) {
    const model = this.byName.get(name);
    return Boolean(model) && !model.error;
  }
}

// Binary step messages of WS /ws/trace (docs/api.md, "Binary step frames"; app/tracing/wire.py
// writes them): decoded into the same step objects as the JSON frames, with DataView.
//
// Every value is fixed point, q / 32767, in 2 or 3 bytes (or a float32 where 3 bytes do
// not hold it), so it is within 1.53e-5 of the cell's float32: the 4 decimals the page
// shows are off by at most one in the last digit, as with JSON's 5-decimal rounding.

export const VERSION = 1;
const SCALE = 32767;
const UNK = 1, HAS_X = 2, HAS_PREDICTIONS = 4, READ_AS = 8, HAS_TRAINED_GUESS = 16, TRAINED_GUESS = 32;
const utf8 = new TextDecoder("utf-8", { fatal: true });

class Reader {
  constructor(buffer) {
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    this.at = 0;
  }

  u8() {
    if (this.at >= this.bytes.length) throw new Error("binary message: ends too early");
    return this.bytes[this.at++];
  }

  // Unsigned LEB128; multiplication, not shifts, so ids up to 2^53 stay exact.
  varint() {
    let n = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = this.u8();
      n += (byte & 0x7f) * scale;
      if (byte < 0x80) return n;
    }
  }

  string() {
    const length = this.varint();
    if (this.at + length > this.bytes.length) throw new Error("binary message: ends inside a string");
    const text = utf8.decode(this.bytes.subarray(this.at, this.at + length));
    this.at += length;
    return text;
  }

  // A plain Array of n numbers, as JSON.parse would give.
  vector(n) {
    const width = this.u8();
    if (this.at + width * n > this.bytes.length) throw new Error("binary message: ends inside a vector");
    const values = new Array(n);
    const { view, bytes } = this;
    let at = this.at;
    if (width === 2) {
      for (let k = 0; k < n; k++, at += 2) values[k] = view.getInt16(at, true) / SCALE;
    } else if (width === 3) {  // 24-bit two's complement: shift into the top of an int32 and back
      for (let k = 0; k < n; k++, at += 3) values[k] = ((bytes[at] << 8 | bytes[at + 1] << 16 | bytes[at + 2] << 24) >> 8) / SCALE;
    } else if (width === 4) {
      for (let k = 0; k < n; k++, at += 4) values[k] = view.getFloat32(at, true);
    } else {
      throw new Error(`binary message: unknown vector width ${width}`);
    }
    this.at = at;
    return values;
  }
}

// The message's request id (undefined when it has none), read before anything that needs
// the trace's meta, and `steps(meta)`, which decodes its step frames with that meta.
export function openMessage(buffer) {
  const reader = new Reader(buffer);
  const version = reader.u8();
  if (version !== VERSION) throw new Error(`binary message: layout version ${version}, not ${VERSION}`);
  const idPlusOne = reader.varint();
  const id = idPlusOne === 0 ? undefined : idPlusOne - 1;
  return {
    id,
    steps(meta) {
      const count = reader.varint();
      const names = [...meta.gates, ...meta.states, ...meta.extras];
      const gates = new Set(meta.gates);
      const steps = [];
      for (let k = 0; k < count; k++) steps.push(readStep(reader, meta, names, gates, id));
      if (reader.at !== reader.bytes.length) throw new Error("binary message: bytes left over");
      return steps;
    },
  };
}

// One step's frame; names: the layer-mask's bit order, gates: those kept under record.gates.
function readStep(reader, meta, names, gates, id) {
  const t = reader.varint();
  const tokenId = reader.varint();
  const flags = reader.u8();
  const step = { type: "step", t, token: reader.string(), token_id: tokenId, unk: (flags & UNK) !== 0 };
  if (flags & READ_AS) step.read_as = reader.string();
  const layers = [];
  for (let l = 0; l < meta.layers; l++) {
    const mask = reader.varint();  // bit k: the k-th name is in this layer (a depth-gated LSTM's bottom has no d)
    const record = { gates: {} };
    names.forEach((name, k) => {
      if (Math.floor(mask / 2 ** k) % 2 === 0) return;
      const values = reader.vector(meta.hidden_size);
      if (gates.has(name)) record.gates[name] = values;
      else record[name] = values;
    });
    layers.push(record);
  }
  // JSON repeats the top layer's record at the step's top level; here its arrays are shared.
  Object.assign(step, layers[layers.length - 1]);
  if (layers.length > 1) step.layers = layers;
  if (flags & HAS_X) step.x = reader.vector(meta.input_size);
  if (flags & HAS_PREDICTIONS) {
    const k = reader.varint();
    const tokens = [];
    for (let n = 0; n < k; n++) {
      const tokenIdOf = reader.varint();
      tokens.push({ token: reader.string(), id: tokenIdOf });
    }
    const p = reader.vector(k);
    step.predictions = tokens.map((entry, n) => ({ ...entry, p: p[n] }));
  }
  if (flags & HAS_TRAINED_GUESS) step.trained_guess = (flags & TRAINED_GUESS) !== 0;
  if (id !== undefined) step.id = id;
  return step;
}

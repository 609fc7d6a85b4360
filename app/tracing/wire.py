"""Step frames as compact binary WebSocket messages (docs/api.md, "Binary step frames").

A client asks for them with `"encoding": "binary"` on `start`; meta, done and error stay
JSON. One message holds one or more steps of one request. Every value is fixed point
with a step of 1/32767 in the smallest of 2 or 3 bytes that holds the whole vector, or
the cell's own float32 when even 3 bytes do not (|v| > 256, or not finite), so every
value is within ERROR_BOUND of the float32 the cell computed, whatever its kind: a gate
in [0, 1] and a tanh in [-1, 1] take 2 bytes, a cell state or an embedding 2 or 3.

All numbers little-endian; varint = unsigned LEB128. Layout version 1:

    message   u8 version (1) · varint id + 1 (0: no id) · varint n · n steps
    step      varint t · varint token_id · u8 flags (1 unk, 2 has x, 4 has predictions,
              8 has read_as, 16 has trained_guess, 32 trained_guess is true) · string token ·
              read_as: string (the entry a typographic form was read as, when flag 8 is set) ·
              per layer, bottom first: varint mask, then one vector of
              H values for each name of meta's gates + states + extras (in that order)
              whose bit is set in the mask (bit i: the i-th name) · x: a vector of meta.input_size
              values · predictions: varint k · k × (varint id · string token) · a vector
              of the k probabilities
    string    varint byte length · UTF-8
    vector    u8 width w · n values: w = 2 int16, w = 3 int24 (value = q / 32767),
              w = 4 float32
"""

from __future__ import annotations

import numpy as np

from app.models.model import Model
from app.tracing.session import TracedStep

VERSION = 1
SCALE = 32767  # value = q / SCALE: int16 then holds [-1, 1] exactly at its ends
ERROR_BOUND = 0.5 / SCALE  # rounding to the nearest step: 1.53e-5
INT24_LIMIT = 2**23 - 1
UNK, HAS_X, HAS_PREDICTIONS, HAS_READ_AS, HAS_TRAINED_GUESS, TRAINED_GUESS = 1, 2, 4, 8, 16, 32


class WireError(ValueError):
    """Bytes that are not a binary message of this layout."""


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low, n = n & 0x7F, n >> 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def string(text: str) -> bytes:
    data = text.encode("utf-8")
    return varint(len(data)) + data


def quantised(values: np.ndarray) -> bytes:
    """A vector: fixed point in 2 or 3 bytes when its largest value fits, else float32."""
    return quantised_rows(np.asarray(values)[None])[0]


def quantised_rows(rows: np.ndarray) -> list[bytes]:
    """Each row of a 2-d array as `quantised` gives it, with the arithmetic done once for all."""
    rows = np.asarray(rows, dtype=np.float32)
    q = np.rint(rows.astype(np.float64) * SCALE)
    largest = np.abs(q).max(axis=1, initial=0)  # NaN where a row has one: then no width below holds it
    out = []
    for row, q_row, big in zip(rows, q, largest):
        if big <= SCALE:
            out.append(b"\x02" + q_row.astype("<i2").tobytes())
        elif big <= INT24_LIMIT:
            out.append(b"\x03" + q_row.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes())
        else:
            out.append(b"\x04" + row.astype("<f4").tobytes())
    return out


def vector_names(gates, states, extras) -> list[str]:
    """The order of a layer's vectors (and of its mask's bits): meta's gates, states, extras."""
    return [*gates, *states, *extras]


def encode_step(model: Model, step: TracedStep) -> bytes:
    """One step record of a message; run in the tracer's worker thread."""
    flags = (UNK if step.token.unk else 0) | (HAS_X if step.x is not None else 0)
    flags |= HAS_PREDICTIONS if step.predictions is not None else 0
    flags |= HAS_READ_AS if step.token.read_as is not None else 0
    trained = model.trained_to_guess_after(step.token.id) if step.predictions is not None else None
    flags |= 0 if trained is None else HAS_TRAINED_GUESS | (TRAINED_GUESS if trained else 0)
    parts = [varint(step.t), varint(step.token.id), bytes([flags]), string(step.token.text)]
    if step.token.read_as is not None:
        parts.append(string(step.token.read_as))
    names = vector_names(model.cell.gates, model.cell.states, model.cell.extras)
    for record in step.layers:  # a layer may lack some of them: a depth-gated LSTM's bottom layer has no d
        mine = set(record.GATES + record.STATES + record.EXTRAS)
        if not mine <= set(names):
            raise ValueError(f"{sorted(mine - set(names))} are not among the cell's vectors {names}")
        parts.append(varint(sum(1 << k for k, name in enumerate(names) if name in mine)))
        parts += quantised_rows(np.stack([getattr(record, name) for name in names if name in mine]))
    if step.x is not None:
        parts.append(quantised(step.x))
    if step.predictions is not None:
        best, probabilities = step.predictions
        parts.append(varint(len(best)))
        parts += [varint(int(i)) + string(model.tokenizer.vocab[i]) for i in best]
        parts.append(quantised(probabilities))
    return b"".join(parts)


def message(steps: list[bytes], request_id: int | None) -> bytes:
    """Step records of one request as one binary message."""
    head = bytes([VERSION]) + varint(0 if request_id is None else request_id + 1) + varint(len(steps))
    return head + b"".join(steps)


# --- decoding: the reference reader, for tests, benchmarks and other clients ---


class Reader:
    def __init__(self, data: bytes):
        self.data = memoryview(data)
        self.at = 0

    def take(self, n: int) -> memoryview:
        if self.at + n > len(self.data):
            raise WireError(f"the message ends at byte {len(self.data)}; {n} more were expected at {self.at}")
        self.at += n
        return self.data[self.at - n : self.at]

    def varint(self) -> int:
        n = shift = 0
        while True:
            byte = self.take(1)[0]
            n |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return n

    def string(self) -> str:
        return bytes(self.take(self.varint())).decode("utf-8")

    def vector(self, n: int) -> list[float]:
        width = self.take(1)[0]
        raw = np.frombuffer(self.take(width * n), np.uint8)
        if width == 2:
            return (raw.view("<i2") / SCALE).tolist()
        if width == 3:  # sign-extend each 3-byte integer into 4
            padded = np.zeros((n, 4), np.uint8)
            padded[:, :3] = raw.reshape(n, 3)
            return ((padded.view("<i4")[:, 0] << 8 >> 8) / SCALE).tolist()
        if width == 4:
            return raw.view("<f4").astype(np.float64).tolist()
        raise WireError(f"unknown vector width {width}")


def decode(data: bytes, meta: dict) -> tuple[int | None, list[dict]]:
    """A binary message as (id, step frames): the frames JSON would carry, each value
    within ERROR_BOUND of the cell's float32 (JSON's are within 0.5 × 10^-decimals)."""
    reader = Reader(data)
    version = reader.take(1)[0]
    if version != VERSION:
        raise WireError(f"layout version {version}; this reader knows {VERSION}")
    sent_id = reader.varint() - 1  # varint 0: no id
    request_id = None if sent_id < 0 else sent_id
    frames = [read_step(reader, meta) for _ in range(reader.varint())]
    if reader.at != len(reader.data):
        raise WireError(f"{len(reader.data) - reader.at} bytes left over")
    for frame in frames:
        if request_id is not None:
            frame["id"] = request_id
    return request_id, frames


def read_step(reader: Reader, meta: dict) -> dict:
    t, token_id, flags = reader.varint(), reader.varint(), reader.take(1)[0]
    frame = {"type": "step", "t": t, "token": reader.string(), "token_id": token_id, "unk": bool(flags & UNK)}
    if flags & HAS_READ_AS:
        frame["read_as"] = reader.string()
    names = vector_names(meta["gates"], meta["states"], meta["extras"])
    layers = []
    for _ in range(meta["layers"]):
        mask = reader.varint()
        values = {name: reader.vector(meta["hidden_size"]) for k, name in enumerate(names) if mask >> k & 1}
        record: dict = {"gates": {name: v for name, v in values.items() if name in meta["gates"]}}
        record.update({name: v for name, v in values.items() if name not in meta["gates"]})
        layers.append(record)
    frame.update(layers[-1])
    if len(layers) > 1:
        frame["layers"] = layers
    if flags & HAS_X:
        frame["x"] = reader.vector(meta["input_size"])
    if flags & HAS_PREDICTIONS:
        tokens = [(reader.varint(), reader.string()) for _ in range(reader.varint())]
        ps = reader.vector(len(tokens))
        frame["predictions"] = [{"token": token, "id": i, "p": p} for (i, token), p in zip(tokens, ps)]
    if flags & HAS_TRAINED_GUESS:
        frame["trained_guess"] = bool(flags & TRAINED_GUESS)
    return frame

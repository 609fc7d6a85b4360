"""Reading R's data files without R: the part of R's serialisation format that holds
plain vectors, enough for a package's lazy-loaded data (`data/Rdata.rdb` + `.rdx`).

R's XDR serialisation ("R Internals", §1.8): a header `X\\n`, the format version (2 or
3; 3 adds the native encoding's name), then items. Each item starts with a 32-bit
big-endian flags word: type = flags & 0xFF, has-attributes = bit 9, has-tag = bit 10,
and for a CHARSXP the encoding in the "levels" (flags >> 12). Vectors give a length and
their elements (integers and doubles big-endian; strings as CHARSXPs, length -1 = NA);
attributes, when present, follow as a pairlist. Only what data vectors need is read:
anything else (closures, environments, bytecode) raises ValueError instead of guessing.

A lazy-load database: the `.rdx` is a compressed serialised list — `variables`: for
each object, the (offset, length) of its record in the `.rdb`; `compressed`: TRUE for
zlib, 2 for bzip2, 3 for xz. A record is a 4-byte big-endian uncompressed length, then
(for 2 and 3 only) a one-byte type — '1' zlib, '2' bzip2, 'Z' a raw LZMA2 stream at xz's
preset 6 (no xz container), '0' stored — then the compressed serialisation (R's
connections.c, R_decompress1/2/3).
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

NA_INTEGER = -(2**31)
NIL, SYMBOL, PAIRLIST, CHARS, LOGICAL, INTEGER, REAL, STRINGS, LIST = 254, 1, 2, 9, 10, 13, 14, 16, 19
ALTREP, REFERENCE, EMPTY_ENV, BASE_ENV, GLOBAL_ENV = 238, 255, 242, 241, 253
LATIN1, UTF8 = 1 << 2, 1 << 3  # CHARSXP encoding bits in the levels


class RVector(list):
    """An R vector: its elements (None for NA) and its attributes (names, class, …)."""

    def __init__(self, items=(), attributes: dict | None = None):
        super().__init__(items)
        self.attributes = attributes or {}

    @property
    def names(self) -> list[str] | None:
        return self.attributes.get("names")

    def as_dict(self) -> dict:
        """A named list as {name: element}."""
        if self.names is None:
            raise ValueError("the list has no names")
        return dict(zip(self.names, self))


@dataclass
class Reader:
    data: bytes
    at: int = 0
    references: list = field(default_factory=list)

    def take(self, count: int) -> bytes:
        if self.at + count > len(self.data):
            raise ValueError("R serialisation ends early")
        chunk = self.data[self.at : self.at + count]
        self.at += count
        return chunk

    def int32(self) -> int:
        """A big-endian 32-bit integer."""
        return struct.unpack(">i", self.take(4))[0]

    def length(self) -> int:
        n = self.int32()
        if n == -1:  # a long vector: two words
            upper, lower = self.int32(), self.int32()
            n = (upper << 32) + lower
        if n < 0 or n > len(self.data):
            raise ValueError(f"bad length {n}")
        return n

    def item(self):
        flags = self.int32()
        kind, has_attributes, has_tag = flags & 0xFF, bool(flags & (1 << 9)), bool(flags & (1 << 10))
        if kind in (NIL, EMPTY_ENV, BASE_ENV, GLOBAL_ENV):
            return None
        if kind == REFERENCE:
            index = flags >> 8 or self.int32()
            return self.references[index - 1]
        if kind == SYMBOL:
            name = self.item()
            self.references.append(name)
            return name
        if kind == PAIRLIST:
            return self.pairlist(has_attributes, has_tag)
        if kind == CHARS:
            n = self.int32()
            if n == -1:
                return None
            raw = self.take(n)
            return raw.decode("latin-1" if (flags >> 12) & LATIN1 else "utf-8")
        if kind == ALTREP:
            return self.altrep()
        if kind in (LOGICAL, INTEGER):
            n = self.length()
            values = struct.unpack(f">{n}i", self.take(4 * n))
            items = [None if v == NA_INTEGER else (bool(v) if kind == LOGICAL else v) for v in values]
        elif kind == REAL:
            n = self.length()
            items = list(struct.unpack(f">{n}d", self.take(8 * n)))
        elif kind in (STRINGS, LIST):
            items = [self.item() for _ in range(self.length())]
        else:
            raise ValueError(f"R type {kind} is not a data vector; not read")
        return RVector(items, self.attributes() if has_attributes else None)

    def pairlist(self, has_attributes: bool, has_tag: bool) -> dict:
        """A pairlist (as attributes are stored) as {tag: value}."""
        out: dict[str, object] = {}
        while True:
            if has_attributes:
                self.item()
            tag = self.item() if has_tag else str(len(out))
            out[tag] = self.item()
            flags = self.int32()  # the cdr: another pairlist cell, or NIL
            if flags & 0xFF == NIL:
                return out
            if flags & 0xFF != PAIRLIST:
                raise ValueError("a pairlist ends in something other than NIL")
            has_attributes, has_tag = bool(flags & (1 << 9)), bool(flags & (1 << 10))

    def attributes(self) -> dict:
        flags = self.int32()
        if flags & 0xFF != PAIRLIST:
            raise ValueError("attributes are not a pairlist")
        return self.pairlist(bool(flags & (1 << 9)), bool(flags & (1 << 10)))

    def altrep(self):
        """R ≥ 3.5's compact forms: a sequence 1:n, or a wrapper around an ordinary vector."""
        info, state, attributes = self.item(), self.item(), self.item()
        kind = info["0"]
        if kind in ("compact_intseq", "compact_realseq"):
            n, start, step = state  # stored as doubles
            cast = int if kind == "compact_intseq" else float
            return RVector([cast(start + k * step) for k in range(int(n))], attributes)
        if kind.startswith("wrap_"):
            return RVector(state[0], attributes or state[0].attributes)
        raise ValueError(f"R's compact form {kind!r} is not read")


def unserialize(data: bytes):
    """One serialised R object (uncompressed), in XDR format."""
    if data[:2] != b"X\n":
        raise ValueError("not R's XDR serialisation")
    reader = Reader(data, 2)
    version = reader.int32()
    reader.int32(), reader.int32()  # the writer's R version, the oldest that reads it
    if version == 3:
        reader.take(reader.int32())  # the native encoding's name
    elif version != 2:
        raise ValueError(f"R serialisation version {version} is not read")
    return reader.item()


def decompress(data: bytes) -> bytes:
    """An .rds file's bytes: gzip, bzip2, xz or none, told by their magic numbers."""
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:3] == b"BZh":
        return bz2.decompress(data)
    if data[:6] == b"\xfd7zXZ\x00":
        return lzma.decompress(data)
    return data


def read_rds(path: Path):
    return unserialize(decompress(Path(path).read_bytes()))


RECORD_DECOMPRESSORS: dict[bytes, Callable[[bytes], bytes]] = {
    b"1": zlib.decompress,
    b"2": bz2.decompress,
    b"Z": lambda body: lzma.decompress(body, format=lzma.FORMAT_RAW, filters=[{"id": lzma.FILTER_LZMA2, "preset": 6}]),
    b"0": bytes,
}


def read_lazy_load(rdb: Path) -> dict:
    """Every object of a lazy-load database ({name}.rdb beside {name}.rdx) by name."""
    rdb = Path(rdb)
    index = read_rds(rdb.with_suffix(".rdx")).as_dict()
    mode = index["compressed"][0]
    data = rdb.read_bytes()
    out = {}
    for name, (offset, size) in index["variables"].as_dict().items():
        record = data[int(offset) : int(offset) + int(size)]
        expected = struct.unpack(">I", record[:4])[0]
        body = record[4:] if mode is True else record[5:]
        kind = b"1" if mode is True else record[4:5]
        if kind not in RECORD_DECOMPRESSORS:
            raise ValueError(f"{name}: unknown compression type {kind!r}")
        raw = RECORD_DECOMPRESSORS[kind](body)
        if len(raw) != expected:
            raise ValueError(f"{name}: {len(raw)} bytes, the index says {expected}")
        out[name] = unserialize(raw)
    return out

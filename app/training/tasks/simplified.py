"""Traditional Chinese characters to Simplified, as OpenCC's `t2s` does it: phrases first
(乾坤 stays 乾坤, where 乾 alone becomes 干), then character by character.

The tables are OpenCC's (Apache-2.0), as the npm package `opencc-js` (MIT) ships them:
each dictionary module is `export default "key value[ value…]|key value|…"`; the first
value is the usual one.
"""

from __future__ import annotations

import re

from app.training.tasks.npm_package import NpmPackage, fetch, read_members

OPENCC = NpmPackage(
    "opencc-js",
    "1.4.2",
    "sha512-EdcspgdROiCCZDM+jZR6Pa670xW+EW2QhctPBQ8gRjg6lrx4IHEl+2s+kt5izk/TkxVRgdWuFgaGkaEdIUfdaw==",
    "MIT (opencc-js); its tables are OpenCC's data, Apache-2.0",
)
DICTIONARIES = ("package/dist/esm-lib/dict/TSPhrases.js", "package/dist/esm-lib/dict/TSCharacters.js")
EXPORTED = re.compile(r'export default "([^"\\]*)"')


def parse_dictionary(source: str) -> dict[str, str]:
    """{traditional: simplified} from one dictionary module's text."""
    match = EXPORTED.search(source)
    if match is None:
        raise ValueError("not an opencc-js dictionary module")
    table = {}
    for entry in match.group(1).split("|"):
        key, *values = entry.split(" ")
        if values:
            table[key] = values[0]
    return table


class Simplifier:
    """Converts text with a phrase table and a character table."""

    def __init__(self, phrases: dict[str, str], characters: dict[str, str]):
        self.phrases = phrases
        self.characters = str.maketrans({k: v for k, v in characters.items() if len(k) == 1})
        longest_first = sorted(phrases, key=len, reverse=True)
        self.phrase_pattern = re.compile("(" + "|".join(map(re.escape, longest_first)) + ")") if phrases else None

    def __call__(self, text: str) -> str:
        if self.phrase_pattern is None:
            return text.translate(self.characters)
        pieces = self.phrase_pattern.split(text)  # odd pieces are phrases
        return "".join(
            self.phrases[piece] if k % 2 else piece.translate(self.characters) for k, piece in enumerate(pieces)
        )


def simplifier() -> Simplifier:
    members = read_members(fetch(OPENCC), lambda name: name in DICTIONARIES)
    phrases, characters = (parse_dictionary(members[name].decode("utf-8")) for name in DICTIONARIES)
    return Simplifier(phrases, characters)

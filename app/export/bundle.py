"""Join the page's ES modules into one script, for pages opened from file:// (where a
browser will not fetch modules) and for notebooks.

This is not a general bundler: it reads the project's own modules, which keep to two
forms — `import { a, b as c } from "./x.js";` on one line, and `export` before a top-level
const/function/class — and wraps each module in a function scope:

    /* config.js */ const __config = (() => { ...body...; return { NAME, ... }; })();

with each import turned into `const { a, b: c } = __x;`. Modules come out in dependency
order, each once.

A recording (an export, a notebook cell) cannot ask the server, so its bundle leaves out
the modules that only do that (LIVE_ONLY): their names are undefined there, and the page
makes none of their views when it plays a recording.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path, PurePosixPath

from app.export.compact import compact

IMPORT = re.compile(r'^import \{([^}]*)\} from "(\.{1,2}/[^"]+\.js)";\s*$', re.MULTILINE)
EXPORT = re.compile(r"^export (?:async )?(?:const|let|function\*?|class) (\w+)", re.MULTILINE)
ANY_IMPORT_OR_EXPORT = re.compile(r"^\s*(import|export)\s", re.MULTILINE)  # not an "export:" key


# What only the live app does: open a layer (POST /api/layer), train (WS /ws/train), share
# and export a view, walk through the article (its beats are links to live views), the Terms
# dialog (index.html's); and the strings only those have.
LIVE_ONLY = frozenset(
    map(
        PurePosixPath,
        (
            "inside-layer.js",
            "train-panel.js",
            "share.js",
            "export-control.js",
            "walk.js",
            "glossary.js",
            "i18n/en-live.js",
            "i18n/zh-live.js",
        ),
    )
)


class BundleError(ValueError):
    """A module uses a form of import or export the bundler does not handle."""


def module_variable(path: PurePosixPath) -> str:
    return "__" + re.sub(r"\W", "_", str(path.with_suffix("")))


def bundle(static_js: Path, entry: str = "main.js", leave_out: frozenset[PurePosixPath] = frozenset()) -> str:
    sources = module_sources(static_js, entry, leave_out)
    return "\n".join(_wrap(path, source) for path, source in sources.items())


def current_bundle(static_js: Path, *, recording: bool = False) -> str:
    """`bundle(static_js)` compacted (app.export.compact), joined again only when a module
    changed: the app serves it as its page script (/app.js); exports inline the one
    for a recording, without the LIVE_ONLY modules."""
    stamp = tuple((str(path), path.stat().st_mtime_ns) for path in sorted(static_js.rglob("*.js")))
    return _bundle_of(static_js, stamp, LIVE_ONLY if recording else frozenset())


@functools.lru_cache(maxsize=4)
def _bundle_of(static_js: Path, stamp: tuple, leave_out: frozenset[PurePosixPath]) -> str:
    return compact(bundle(static_js, leave_out=leave_out))


@functools.lru_cache(maxsize=4)
def etag_of(script: str) -> str:
    """A strong HTTP validator for a bundle (hashed once per version of it)."""
    return '"' + hashlib.sha256(script.encode()).hexdigest()[:20] + '"'


def module_sources(
    static_js: Path, entry: str = "main.js", leave_out: frozenset[PurePosixPath] = frozenset()
) -> dict[PurePosixPath, str]:
    """Every module `entry` imports, directly or not, and itself, in dependency order
    (a module after all it imports), each with its source; a module of `leave_out` is
    there empty (exporting nothing), and what only it imports is not there."""
    sources: dict[PurePosixPath, str] = {}

    def visit(relative: PurePosixPath, stack: tuple[PurePosixPath, ...]) -> None:
        if relative in sources:
            return
        if relative in stack:
            raise BundleError(f"import cycle: {' -> '.join(map(str, (*stack, relative)))}")
        if relative in leave_out:
            sources[relative] = ""
            return
        source = (static_js / relative).read_text(encoding="utf-8")
        for _, target in IMPORT.findall(source):
            visit(PurePosixPath(_normalize(relative.parent / target)), (*stack, relative))
        sources[relative] = source

    visit(PurePosixPath(entry), ())
    return sources


def _normalize(path: PurePosixPath) -> str:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def _wrap(path: PurePosixPath, source: str) -> str:
    def rewrite_import(match: re.Match[str]) -> str:
        names = [n.strip() for n in match.group(1).split(",") if n.strip()]
        bindings = ", ".join(n.replace(" as ", ": ") for n in names)
        target = PurePosixPath(_normalize(path.parent / match.group(2)))
        return f"const {{ {bindings} }} = {module_variable(target)};"

    body = IMPORT.sub(rewrite_import, source)
    exported = EXPORT.findall(body)
    body = re.sub(r"^export (?=(?:async )?(?:const|let|function|class))", "", body, flags=re.MULTILINE)
    leftover = ANY_IMPORT_OR_EXPORT.search(body)
    if leftover:
        line = body[leftover.start() : body.find("\n", leftover.start())]
        raise BundleError(f"{path}: cannot bundle {line.strip()!r}")
    return f"/* {path} */\nconst {module_variable(path)} = (() => {{\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();\n"

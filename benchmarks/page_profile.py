"""Where the page's time goes: Chrome's sampling profiler (through Playwright's CDP
session) over one of browser.py's scenarios, summarised as self time by function.

    .venv/bin/python benchmarks/page_profile.py keystroke [--top 20]
    .venv/bin/python benchmarks/page_profile.py playback [--steps 2000 --seconds 6]

Self time is the time the sampled stack had that function on top; "(program)" is the
browser's own work outside JavaScript (style, layout, paint), "(idle)" is waiting.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import browser as scenarios  # noqa: E402
from benchmarks.server import serve  # noqa: E402
from tests.e2e.conftest import CHROMIUM, LAUNCH_FLAGS  # noqa: E402


def self_times(profile: dict) -> list[tuple[str, float]]:
    """Milliseconds of self time per function (name and file:line), largest first."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    totals: collections.Counter = collections.Counter()
    deltas = profile["timeDeltas"]
    for sample, delta in zip(profile["samples"][1:], deltas[1:]):  # a delta is the time before its sample
        frame = nodes[sample]["callFrame"]
        where = frame["url"].rsplit("/", 1)[-1]
        name = frame["functionName"] or "(anonymous)"
        key = f"{name}  {where}:{frame['lineNumber'] + 1}" if where else name
        totals[key] += delta / 1000
    return totals.most_common()


@contextlib.contextmanager
def profiler(page, into: dict):
    """Chrome's CPU profiler on around the block; its profile lands in into["profile"]."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Profiler.enable")
    cdp.send("Profiler.setSamplingInterval", {"interval": 200})  # µs
    cdp.send("Profiler.start")
    try:
        yield
    finally:
        into["profile"] = cdp.send("Profiler.stop")["profile"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", choices=["keystroke", "playback"])
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=6)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as models, sync_playwright() as playwright:
        scenarios.untrained_model(Path(models), 256)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        try:
            with serve(Path(models)) as server:
                captured: dict = {}
                around = lambda page: profiler(page, captured)  # noqa: E731
                if args.scenario == "keystroke":
                    result = scenarios.keystroke(browser, server.url, (scenarios.SAMPLE * 2)[:200], around)
                else:
                    result = scenarios.playback(browser, server.url, args.steps, args.seconds, around)
                print(result)
                totals = self_times(captured["profile"])
                total = sum(ms for _, ms in totals)
                busy = sum(ms for name, ms in totals if name != "(idle)")
                print(f"profiled {total:.0f} ms, busy {busy:.0f} ms; self time by function:")
                for name, ms in totals[: args.top]:
                    print(f"{ms:9.1f} ms  {100 * ms / total:5.1f}%  {name}")
                by_file: collections.Counter = collections.Counter()
                for name, ms in totals:
                    by_file[name.split("  ")[1].split(":")[0] if "  " in name else name] += ms
                print("by file: " + ", ".join(f"{where} {ms:.0f} ms" for where, ms in by_file.most_common(8)))
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

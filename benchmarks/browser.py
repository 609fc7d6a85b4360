"""What a person feels in the browser: headless Chromium (Debian's, driven by Playwright)
against a `gatescope serve` it starts on loopback. Every time is taken in the page
(performance.now()), from a MutationObserver that sees the diagram's data-t change.

    .venv/bin/python benchmarks/browser.py [--only keystroke playback first-view]

keystroke   type 200 characters one key at a time into the default model's text box;
            per key, keydown → the diagram showing that key's step. Target p95 ≤ 16 ms.
playback    an untrained H = 256 LSTM, a 2,000-step text, seven panels shown, play at
            50 ms a step (the fastest the app allows); requestAnimationFrame intervals for a few seconds.
            Target: median ≥ 55 fps, no frame over 50 ms.
first-view  a cold load (new context, empty cache) of / and of /embed; bytes transferred
            (HTTP, as Resource Timing counts them) and time to the first belt frame.
            Target for /embed without chart panels: ≤ 200 KB and ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.long_text import SAMPLE  # noqa: E402
from benchmarks.machine import describe  # noqa: E402
from benchmarks.server import serve  # noqa: E402
from tests.e2e.conftest import CHROMIUM, LAUNCH_FLAGS  # noqa: E402

# Injected before the page's own scripts: when the diagram container's data-t changes,
# note the time and the step. The page's CSP does not apply to init scripts.
WATCH_DIAGRAM = """
window.__belt = [];  // [performance.now(), t] for every change of the diagram's step
window.__keys = [];  // performance.now() of every keydown
new MutationObserver((changes) => {
  const now = performance.now();
  for (const change of changes) {
    if (change.target.dataset && change.target.dataset.testid === "diagram-container")
      window.__belt.push([now, Number(change.target.dataset.t)]);
  }
}).observe(document, { subtree: true, attributes: true, attributeFilter: ["data-t"] });
document.addEventListener("keydown", () => window.__keys.push(performance.now()), true);
"""
PLAY_SPEED_MS = 50  # the fastest the app plays (state.js accepts 50–5000 ms a step)
PLAYBACK_PANELS = "walkthrough,chain,predictions,unit-text,inspector,saturation,heatmap"
FIRST_VIEWS = ("/", "/embed?text=hello&panels=walkthrough")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def keystroke(browser, url: str, text: str, around=lambda page: contextlib.nullcontext()) -> dict:
    """around(page): a context manager around the measured part (page_profile.py's profiler)."""
    page = browser.new_page(bypass_csp=True)  # the probes below are evaluated strings, which the CSP forbids
    page.add_init_script(WATCH_DIAGRAM)
    page.goto(f"{url}/?text=")
    box = page.get_by_test_id("text-input")
    box.fill("")
    box.click()
    page.wait_for_timeout(300)  # the empty start settles
    with around(page):
        for k, character in enumerate(text):
            page.keyboard.type(character)
            page.wait_for_function(f"window.__belt.some(([, t]) => t === {k})", timeout=5000)
    latencies = page.evaluate(
        """(n) => {
      const keys = window.__keys.slice(-n);
      return keys.map((down, k) => {
        const shown = window.__belt.find(([at, t]) => t === k && at >= down);
        return shown ? shown[0] - down : null;
      });
    }""",
        len(text),
    )
    page.close()
    measured = [v for v in latencies if v is not None]
    return {
        "keys": len(text),
        "measured": len(measured),
        "p50_ms": percentile(measured, 0.5),
        "p95_ms": percentile(measured, 0.95),
        "max_ms": max(measured),
    }


def keystroke_floor(browser, url: str, keys: int = 100) -> dict:
    """The browser's own share of keystroke → belt: a bare page (a text box and the same
    WebSocket, no drawing) sends each key as an append; per key, keydown → its step frame
    handled. After a key, Chromium runs the frame that shows the typed character before
    it runs the socket's message (rendering comes first after input), so this is about
    the time to that frame even though the server answers in about a millisecond."""
    page = browser.new_page(bypass_csp=True)
    page.goto(f"{url}/healthz")  # any page of the app's origin: the socket checks Origin
    page.evaluate(
        """async (url) => {
      document.body.innerHTML = "<textarea></textarea>";
      window.__keys = []; window.__steps = [];
      const socket = new WebSocket(url);
      await new Promise((open) => socket.addEventListener("open", open));
      socket.addEventListener("message", (event) => {
        if (JSON.parse(event.data).type === "step") window.__steps.push(performance.now());
      });
      socket.send(JSON.stringify({ type: "start", model: "lstm-demo", text: "", id: 1 }));
      let id = 2;
      const box = document.querySelector("textarea");
      box.addEventListener("keydown", () => window.__keys.push(performance.now()));
      box.addEventListener("input", () => socket.send(JSON.stringify({ type: "append", text: box.value.slice(-1), id: id++ })));
    }""",
        url.replace("http", "ws", 1) + "/ws/trace",
    )
    page.click("textarea")
    for k in range(keys):
        page.keyboard.type("a")
        page.wait_for_function(f"window.__steps.length > {k}", timeout=5000)
    latencies = page.evaluate("window.__keys.map((down, k) => window.__steps[k] - down)")
    page.close()
    return {"keys": keys, "p50_ms": percentile(latencies, 0.5), "p95_ms": percentile(latencies, 0.95)}


def playback(browser, url: str, steps: int, seconds: float, around=lambda page: contextlib.nullcontext()) -> dict:
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, bypass_csp=True)
    page.add_init_script(WATCH_DIAGRAM)
    text = (SAMPLE * (steps // len(SAMPLE) + 1))[:steps]
    query = urllib.parse.urlencode({"model": "big", "text": text, "panels": PLAYBACK_PANELS, "speed": PLAY_SPEED_MS})
    page.goto(f"{url}/?{query}")
    page.wait_for_function(
        f"document.querySelector('[data-testid=time-slider]').max == {steps - 1}", timeout=300_000, polling=500
    )
    page.wait_for_timeout(500)
    with around(page):
        page.get_by_test_id("play").click()
        intervals = page.evaluate(
            """(ms) => new Promise((done) => {
      const gaps = [];
      let last = performance.now();
      const end = last + ms;
      function frame(now) {
        gaps.push(now - last);
        last = now;
        if (now < end) requestAnimationFrame(frame); else done(gaps);
      }
      requestAnimationFrame(frame);
    })""",
            seconds * 1000,
        )
    shown = page.evaluate("new Set(window.__belt.map(([, t]) => t)).size")
    page.close()
    intervals = intervals[1:]  # the first gap is from the click, not a frame
    return {
        "frames": len(intervals),
        "median_fps": 1000 / statistics.median(intervals),
        "p95_ms": percentile(intervals, 0.95),
        "max_ms": max(intervals),
        "steps_drawn": shown,
    }


def first_view(browser, url: str, path: str) -> dict:
    context = browser.new_context(bypass_csp=True)  # a cold cache
    page = context.new_page()
    page.add_init_script(WATCH_DIAGRAM)
    page.goto(f"{url}{path}")
    page.wait_for_function("window.__belt.length > 0", timeout=30_000)
    page.wait_for_load_state("networkidle")
    numbers = page.evaluate("""() => {
      const navigation = performance.getEntriesByType("navigation")[0];
      const resources = performance.getEntriesByType("resource");
      const bytes = navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0);
      const step = window.__belt.find(([, t]) => t >= 0);
      return { bytes, requests: resources.length + 1, first_belt_ms: window.__belt[0][0], first_step_ms: step ? step[0] : null };
    }""")
    context.close()
    return numbers


def untrained_model(folder: Path, hidden: int) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "app.models.seeded",
            "--cell",
            "lstm",
            "--hidden",
            str(hidden),
            "-o",
            str(folder / "big.npz"),
        ],
        check=True,
        capture_output=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        nargs="+",
        choices=["keystroke", "playback", "first-view"],
        default=["keystroke", "playback", "first-view"],
    )
    parser.add_argument("--steps", type=int, default=2000, help="the playback text's length")
    parser.add_argument("--seconds", type=float, default=6, help="how long playback is measured")
    args = parser.parse_args(argv)
    print(describe())
    with tempfile.TemporaryDirectory() as models, sync_playwright() as playwright:
        untrained_model(Path(models), 256)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_FLAGS)
        try:
            with serve(Path(models)) as server:
                if "keystroke" in args.only:
                    r = keystroke(browser, server.url, (SAMPLE * 2)[:200])
                    print(
                        f"keystroke → belt, {r['measured']}/{r['keys']} keys: p50 {r['p50_ms']:.1f} ms, "
                        f"p95 {r['p95_ms']:.1f} ms, max {r['max_ms']:.1f} ms  (target p95 ≤ 16 ms: "
                        f"{'met' if r['p95_ms'] <= 16 else 'MISSED'})"
                    )
                    r = keystroke_floor(browser, server.url)
                    print(
                        f"  the browser's floor (a bare page, no drawing), {r['keys']} keys: keydown → step frame "
                        f"handled p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms"
                    )
                if "playback" in args.only:
                    r = playback(browser, server.url, args.steps, args.seconds)
                    met = r["median_fps"] >= 55 and r["max_ms"] <= 50
                    print(
                        f"playback, H=256, {args.steps} steps, {PLAYBACK_PANELS}: median {r['median_fps']:.1f} fps, "
                        f"p95 frame {r['p95_ms']:.1f} ms, max frame {r['max_ms']:.1f} ms over {r['frames']} frames, "
                        f"{r['steps_drawn']} steps drawn  (target ≥ 55 fps, none > 50 ms: {'met' if met else 'MISSED'})"
                    )
                if "first-view" in args.only:
                    for path in FIRST_VIEWS:
                        r = first_view(browser, server.url, path)
                        print(
                            f"first view {path}: {r['bytes'] / 1024:.0f} KB in {r['requests']} requests, "
                            f"first belt frame at {r['first_belt_ms']:.0f} ms"
                            + (f", its first step drawn at {r['first_step_ms']:.0f} ms" if r["first_step_ms"] else "")
                        )
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

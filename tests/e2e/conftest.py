"""Browser tests: the real server on a free port, driven in Debian's headless Chromium.

Playwright's own browser download is never used: it cannot work offline. Set
GATESCOPE_CHROMIUM to use another Chromium binary.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.live_server import live_server

CHROMIUM = os.environ.get("GATESCOPE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
LAUNCH_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# An assertion waits up to 15 s for the page to reach what it expects (Playwright's default is 5 s):
# a plotly chart's first draw on a busy 2-core machine can take longer than 5 s. A page that
# never gets there still fails.
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(items):
    for item in items:
        if Path(item.fspath).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `make test` (installs Debian's chromium) or set GATESCOPE_CHROMIUM"
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": LAUNCH_FLAGS}


@pytest.fixture(scope="session")
def server_url():
    """`gatescope serve` as a user runs it."""
    with live_server() as server:
        yield server.url


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under tests/e2e/screenshots/ (kept out of git)."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=path, full_page=True)
        return path

    return take

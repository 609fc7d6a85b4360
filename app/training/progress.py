"""A one-line progress bar redrawn with \\r: no dependency needed for one line of text.
When the output is not a terminal (a log file, CI) it prints a line per report instead."""

from __future__ import annotations

import sys
from typing import Protocol, TextIO


class Progress(Protocol):
    """What the training loop reports to: a ProgressBar, or the page's silent one."""

    def draw(self, done: float, text: str, elapsed: float) -> None: ...

    def note(self, text: str) -> None: ...

    def close(self) -> None: ...


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressBar:
    def __init__(self, stream: TextIO = sys.stderr, width: int = 24):
        self.stream = stream
        self.width = width
        self.live = stream.isatty()
        self._last_length = 0

    def draw(self, done: float, text: str, elapsed: float) -> None:
        """done: the fraction of the run (0…1); the ETA extrapolates the elapsed time."""
        done = min(max(done, 0.0), 1.0)
        filled = int(round(done * self.width))
        eta = clock(elapsed * (1 - done) / done) if done > 0 else "?"
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done:4.0%} {text} | {clock(elapsed)} elapsed, {eta} left"
        )
        if self.live:
            self.stream.write("\r" + line.ljust(self._last_length))
            self._last_length = len(line)
            self.stream.flush()

    def note(self, text: str) -> None:
        """A line that stays (a validation result, a saved checkpoint)."""
        if self.live and self._last_length:
            self.stream.write("\r" + " " * self._last_length + "\r")
            self._last_length = 0
        self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.live and self._last_length:
            self.stream.write("\n")
            self._last_length = 0

"""Progress of the command line's jobs: a one-line bar on a terminal."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO, TypeVar

from archive_browser.core.jobs import Job, Progress, run

T = TypeVar("T")


class TerminalProgress:
    """A one-line progress bar on a terminal; silent when the stream is not a terminal."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self._last = 0.0
        self._drawn = False
        self._phase = ""

    def __call__(self, progress: Progress) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        # At most ten lines a second, but the first of each phase ("Reading", "Storing",
        # "Indexing"...) always: a phase shorter than that is still named.
        phase = progress.message.split(" ", 1)[0]
        if now - self._last < 0.1 and progress.fraction not in (None, 1.0) and phase == self._phase:
            return
        self._last = now
        self._phase = phase
        width = shutil.get_terminal_size((80, 20)).columns
        fraction = progress.fraction
        if fraction is None:
            bar = ""
        else:
            filled = int(fraction * 24)
            bar = f"[{'#' * filled}{'.' * (24 - filled)}] {fraction * 100:3.0f}% "
        line = (bar + progress.message)[: width - 1]
        self.stream.write("\r" + line.ljust(width - 1))
        self.stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self.stream.write("\r" + " " * (shutil.get_terminal_size((80, 20)).columns - 1) + "\r")
            self.stream.flush()
            self._drawn = False


def run_job(job: Job[T]) -> T | None:
    """Runs a job with a progress bar; Ctrl+C stops it cleanly (what was done is kept)."""
    bar = TerminalProgress()
    try:
        return run(job, bar)
    finally:
        bar.finish()

"""Long jobs as generators: they yield `Progress` and return their result.

A job is asked to stop with `cancel()`, which raises `CancelledError` at the step where it is:
a job that can say what it did so far catches it and returns that (an import returns its report,
marked cancelled); `finally` blocks keep what was finished and leave the archive consistent.
The GUI runs jobs on a worker thread, the CLI with a terminal progress bar.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

from archive_browser.core.errors import CancelledError

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Progress:
    """How far a job is: `done` of `total` units (total 0 when unknown) and what it is doing."""

    done: float
    total: float
    message: str = ""

    @property
    def fraction(self) -> float | None:
        return min(1.0, self.done / self.total) if self.total else None


Job = Generator[Progress, None, T]


def cancel(job: Job[T]) -> T | None:
    """Stops a job; returns what it returns when stopped (None when it says nothing)."""
    try:
        job.throw(CancelledError())
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    except CancelledError:
        return None
    job.close()  # it went on instead of stopping
    return None


def run(
    job: Job[T],
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> T | None:
    """Runs a job to its end and returns its result. When `should_stop` says so, the job is
    cancelled and what it returns then is returned."""
    try:
        while True:
            progress = next(job)
            if on_progress is not None:
                on_progress(progress)
            if should_stop is not None and should_stop():
                return cancel(job)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    except BaseException:
        job.close()
        raise

"""Long jobs as generators: they yield `Progress` and return their result.

A job stops cleanly when its consumer calls `close()` on it between two steps: its `finally`
blocks keep what was finished and leave the archive consistent. The GUI runs jobs on a worker
thread, the CLI with a terminal progress bar; both use `run()`.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TypeVar

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


def run(
    job: Job[T],
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> T | None:
    """Runs a job to its end and returns its result; returns None when `should_stop` said so
    (the job is closed, so it cleans up)."""
    try:
        while True:
            progress = next(job)
            if on_progress is not None:
                on_progress(progress)
            if should_stop is not None and should_stop():
                job.close()
                return None
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    except BaseException:
        job.close()
        raise

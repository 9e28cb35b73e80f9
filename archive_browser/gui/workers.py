"""Running archive work off the GUI thread.

Two pools: one thread for writes (imports, reindexing, tagging, edits run one after another,
as the archive allows one writer) and two for reads (searches, facets, counts), so that a long
import never holds up a search. Plain calls run as `Task`; core jobs (generators yielding
`Progress`) as `JobTask`, which relays progress and stops when cancelled.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from archive_browser.core.jobs import Job, Progress, cancel


class TaskSignals(QObject):
    """Signals of one task, delivered on the GUI thread."""

    progressed = Signal(object)  # Progress
    finished = Signal(object)  # the result
    failed = Signal(object, str)  # the exception and its traceback


class Task(QRunnable):
    """Runs `fn()` on a pool thread."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = TaskSignals()
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.fn()
        except BaseException as e:  # every failure goes to the window
            self.signals.failed.emit(e, traceback.format_exc())
        else:
            self.signals.finished.emit(result)


class JobTask(Task):
    """Runs a core job on a pool thread, relays its progress (at most 20 times a second) and
    cancels it when asked; `finished` then carries what the job returns when cancelled."""

    def __init__(self, job: Job[Any]) -> None:
        super().__init__(lambda: None)
        self.job = job
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        last = 0.0
        try:
            while True:
                try:
                    progress: Progress = next(self.job)
                except StopIteration as stop:
                    self.signals.finished.emit(stop.value)
                    return
                now = time.monotonic()
                if now - last > 0.05:
                    last = now
                    self.signals.progressed.emit(progress)
                if self._cancel.is_set():
                    self.signals.finished.emit(cancel(self.job))
                    return
        except BaseException as e:  # every failure goes to the window
            self.job.close()
            self.signals.failed.emit(e, traceback.format_exc())


class Runner(QObject):
    """Submits tasks to the write pool or the read pool and keeps them alive until done."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.write_pool = QThreadPool(self)
        self.write_pool.setMaxThreadCount(1)
        self.read_pool = QThreadPool(self)
        self.read_pool.setMaxThreadCount(2)
        self._tasks: set[Task] = set()

    def submit(
        self,
        task: Task,
        *,
        write: bool,
        finished: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException, str], None] | None = None,
        progressed: Callable[[Progress], None] | None = None,
    ) -> Task:
        self._tasks.add(task)
        if finished is not None:
            task.signals.finished.connect(finished)
        if failed is not None:
            task.signals.failed.connect(failed)
        if progressed is not None:
            task.signals.progressed.connect(progressed)
        task.signals.finished.connect(lambda _r, t=task: self._tasks.discard(t))
        task.signals.failed.connect(lambda _e, _tb, t=task: self._tasks.discard(t))
        (self.write_pool if write else self.read_pool).start(task)
        return task

    def call(self, fn: Callable[[], Any], *, write: bool, **callbacks: Any) -> Task:
        return self.submit(Task(fn), write=write, **callbacks)

    @property
    def busy(self) -> bool:
        return bool(self._tasks)

    def shutdown(self, timeout_ms: int = 30000) -> None:
        """Cancels running jobs and waits for every task to end."""
        for task in list(self._tasks):
            if isinstance(task, JobTask):
                task.cancel()
        self.read_pool.waitForDone(timeout_ms)
        self.write_pool.waitForDone(timeout_ms)

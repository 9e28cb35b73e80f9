"""The one long job at a time: run on a worker with a progress bar and a Cancel button in the
status bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from archive_browser.core.jobs import Job, Progress
from archive_browser.gui.errors import ErrorReporter
from archive_browser.gui.workers import JobTask, Runner


class JobBar(QObject):
    """Runs long jobs one at a time and shows their progress; `finished` carries each job's
    result (None when it failed)."""

    started = Signal()
    finished = Signal(object)
    ended = Signal()  # the bar is free again (emitted before `finished`)
    progressed = Signal(object)  # the running job's Progress

    def __init__(self, runner: Runner, errors: ErrorReporter, status: QStatusBar) -> None:
        super().__init__(runner)
        self.runner = runner
        self.errors = errors
        self.label = QLabel("")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # progress names files
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        for w in (self.label, self.progress, self.cancel_button):
            w.hide()
            status.addPermanentWidget(w)
        self._task: JobTask | None = None

    @property
    def current(self) -> JobTask | None:
        """The job running now, if any."""
        return self._task

    @property
    def busy(self) -> bool:
        return self._task is not None

    def run(
        self,
        job: Job[Any],
        label: str,
        done: Callable[[Any], None] | None = None,
        failed: Callable[[BaseException, str], None] | None = None,
        *,
        write: bool = True,
    ) -> JobTask | None:
        """Runs a job on a worker (a job that only reads runs beside the writes); `done` gets
        its result, `failed` its error after it was reported."""
        if self._task is not None:
            job.close()
            self.errors.show_message("Another job is running; wait for it or cancel it first.")
            return None
        task = JobTask(job)
        self._task = task
        self.label.setText(label)
        self.progress.setValue(0)
        self.progress.setRange(0, 0)
        for w in (self.label, self.progress, self.cancel_button):
            w.show()
        self.cancel_button.setEnabled(True)
        self.started.emit()

        def finished(result: Any) -> None:
            self._end()
            if done is not None:
                done(result)
            self.finished.emit(result)

        def on_failure(error: BaseException, details: str) -> None:
            self._end()
            if failed is not None:
                failed(error, details)
            self.errors.report(error, details)
            self.finished.emit(None)

        self.runner.submit(
            task, write=write, finished=finished, failed=on_failure, progressed=self._progressed
        )
        return task

    def _progressed(self, progress: Progress) -> None:
        fraction = progress.fraction
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        percent = "" if fraction is None else f" · {fraction:.0%}"
        self.label.setText(progress.message + percent)
        self.progressed.emit(progress)

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText("Cancelling…")

    def forget(self) -> None:
        """Drops the job (the archive closed; its worker was stopped)."""
        if self._task is not None:
            self._end()

    def _end(self) -> None:
        self._task = None
        for w in (self.label, self.progress, self.cancel_button):
            w.hide()
        self.ended.emit()

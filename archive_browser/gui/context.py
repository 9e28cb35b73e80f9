"""What a feature of the window is built from: the open archive, the job runner, the error
reporter, the status bar, and the two signals every feature listens to."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from archive_browser.core.archive import Archive
from archive_browser.gui.actions import ActionBook, State
from archive_browser.gui.errors import ErrorReporter
from archive_browser.gui.job_bar import JobBar
from archive_browser.gui.workers import Runner


class WindowContext(QObject):
    """Shared by the window and its features. `changes_made(Changes)` follows every write
    (and the opening of an archive, as `Changes.all()`); `state_changed` whatever enablement
    depends on (the archive, a job, the selection)."""

    changes_made = Signal(object)
    state_changed = Signal()
    archive_opened = Signal()
    archive_closed = Signal()
    #: An import's progress while it runs (a `Progress`), None when it ended.
    import_progress = Signal(object)

    def __init__(
        self,
        window: QWidget,
        runner: Runner,
        errors: ErrorReporter,
        status: QStatusBar,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.runner = runner
        self.errors = errors
        self.status = status
        self.jobs = JobBar(runner, errors, status)
        self.jobs.started.connect(self.state_changed)
        self.jobs.ended.connect(self.state_changed)
        self.actions = ActionBook(window)
        self.archive: Archive | None = None
        #: Why the open archive is read-only (the window sets it when it opens one so).
        self.readonly_reason = "The archive is open read-only."
        #: How many releases are selected (the results feature tells).
        self.selected_count: Callable[[], int] = lambda: 0
        self.state_changed.connect(lambda: self.actions.update(self.state()))

    def state(self) -> State:
        archive = self.archive
        return State(
            has_archive=archive is not None,
            writable=archive is not None and not archive.readonly,
            idle=not self.jobs.busy,
            selected=self.selected_count() if archive is not None else 0,
            readonly_reason=self.readonly_reason,
        )

    @property
    def writable(self) -> bool:
        return self.archive is not None and not self.archive.readonly

    def ask(self, title: str, question: str) -> bool:
        """Asks a yes/no question (tests replace this)."""
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(QMessageBox.Icon.Question, title, question, yes | no, self.window)
        box.setTextFormat(Qt.TextFormat.PlainText)  # questions quote tag and file names
        return box.exec() == yes

    def show_status(self, message: str, ms: int = 0) -> None:
        self.status.showMessage(message, ms)

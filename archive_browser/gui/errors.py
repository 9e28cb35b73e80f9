"""Showing errors: a plain message for what the user can act on, a bug dialog with the
traceback (which can be copied) for everything else. No error is swallowed: uncaught
exceptions on any thread end up here too."""

from __future__ import annotations

import html
import sys
import threading
import traceback
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from archive_browser import APP_NAME, __version__
from archive_browser.core.errors import UserFacingError
from archive_browser.core.integrity import is_damage


class BugDialog(QDialog):
    """Says that something went wrong in the program, with the traceback to copy."""

    def __init__(self, parent: QWidget | None, summary: str, details: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: something went wrong")
        layout = QVBoxLayout(self)
        label = QLabel(
            f"<b>{APP_NAME} ran into a problem it did not expect.</b><br>"
            f"{html.escape(summary)}<br><br>"
            "Your archive is safe: every change is kept in its database before the index is "
            "touched. Please copy the details below into a bug report."
        )
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(label)
        self.details = QPlainTextEdit(f"{APP_NAME} {__version__}\n\n{details}")
        self.details.setReadOnly(True)
        self.details.setMinimumSize(640, 260)
        layout.addWidget(self.details)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        copy = buttons.addButton("Copy details", QDialogButtonBox.ButtonRole.ActionRole)
        copy.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


class ErrorReporter(QObject):
    """Where every error goes. Tests replace `show_message` and `show_bug`."""

    _thread_error = Signal(object, str)

    def __init__(self) -> None:
        super().__init__()
        self.parent_widget: QWidget | None = None
        self._thread_error.connect(self.report)

    def report(self, error: BaseException, details: str = "") -> None:
        """Shows an error; a user-facing one as a message, anything else as a bug."""
        if isinstance(error, UserFacingError):
            self.show_message(str(error))
        elif is_damage(error):
            # Damage the checks on opening (bounded in time) did not reach: named, no traceback.
            self.show_message(
                f"The archive's file is damaged: SQLite cannot read part of it ({error}). "
                "Nothing was written into it. Restore a backup, or salvage what can be read "
                "into a new archive (archive-browser salvage NEW_FOLDER)."
            )
        else:
            details = details or "".join(
                traceback.format_exception(type(error), error, error.__traceback__)
            )
            self.show_bug(f"{type(error).__name__}: {error}", details)

    def show_message(self, message: str) -> None:
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            APP_NAME,
            message,
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # messages quote file names and titles
        box.exec()

    def show_bug(self, summary: str, details: str) -> None:
        BugDialog(self.parent_widget, summary, details).exec()

    def install_hooks(self) -> None:
        """Routes uncaught exceptions of every thread to this reporter."""

        def excepthook(
            kind: type[BaseException], error: BaseException, tb: TracebackType | None
        ) -> None:
            details = "".join(traceback.format_exception(kind, error, tb))
            if sys.__stderr__ is not None:
                sys.__stderr__.write(details)
            self._thread_error.emit(error, details)

        def thread_hook(args: threading.ExceptHookArgs) -> None:
            if args.exc_value is not None:
                excepthook(args.exc_type, args.exc_value, args.exc_traceback)

        sys.excepthook = excepthook
        threading.excepthook = thread_hook

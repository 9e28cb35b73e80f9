"""When the archive the window opens is damaged: one dialog that names the damage and offers
the ways out (restore a backup, salvage what can be read into a new archive, or read it as it
is). The archive stays open read-only meanwhile; nothing is written into the damaged file."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive_browser import APP_NAME
from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.integrity import Damage
from archive_browser.core.salvage import salvage


class Window(Protocol):
    """What this needs of the main window (which imports this module)."""

    reader: Any

    def close_archive(self) -> None: ...
    def open_archive(self, folder: Path, *, seed_demo: bool = False) -> bool: ...
    def refresh(self) -> None: ...
    def statusBar(self) -> Any: ...
    def run_job(
        self, job: Any, label: str, done: Callable[[Any], None] | None = None, *, write: bool = True
    ) -> Any: ...


class DamagedArchiveDialog(QDialog):
    """Names the damage of an archive's file and offers restore, salvage or reading it."""

    def __init__(self, parent: QWidget | None, damage: Damage) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{APP_NAME}: the archive is damaged")
        self.damage = damage
        layout = QVBoxLayout(self)
        self.message = QLabel(damage.message())
        self.message.setTextFormat(Qt.TextFormat.PlainText)  # names from the disk, not markup
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.restore_button: QPushButton = buttons.addButton(
            "Restore a backup…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.salvage_button: QPushButton = buttons.addButton(
            "Salvage into a new archive…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.read_only_button: QPushButton = buttons.addButton(
            "Open read-only", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.read_only_button.setDefault(True)
        self.read_only_button.clicked.connect(self.accept)
        layout.addWidget(buttons)


class DamagedArchiveOffer:
    """The ways out of a damaged archive, run with the window's jobs."""

    def __init__(self, window: Window, folder: Path, damage: Damage) -> None:
        self.window = window
        self.folder = folder
        self.damage = damage
        self.dialog = DamagedArchiveDialog(window if isinstance(window, QWidget) else None, damage)
        self.dialog.restore_button.clicked.connect(self.choose_backup)
        self.dialog.salvage_button.clicked.connect(self.choose_salvage_folder)

    def choose_backup(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self.dialog,
            "Choose the backup to restore",
            str(self.folder / "backups"),
            "Archive backups (*.sqlite3 *.sqlite *.db);;All files (*)",
        )
        if name:
            self.restore(Path(name))

    def choose_salvage_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.dialog, "Choose an empty folder for the new archive"
        )
        if folder:
            self.salvage(Path(folder))

    def restore(self, backup: Path) -> None:
        """Restores `backup` over the damaged file (kept aside), then opens the archive."""
        self.dialog.accept()
        window = self.window
        window.close_archive()  # the damaged file is moved aside, not read meanwhile
        window.run_job(
            Archive.restore_damaged(self.folder, backup), "Restoring the backup", self._restored
        )

    def _restored(self, report: Any) -> None:
        if report is None:
            return
        self.window.open_archive(self.folder)
        self.window.statusBar().showMessage(
            f"Restored {report.releases:,} releases; the damaged file is kept aside as "
            f"{report.kept}.",
            20000,
        )

    def salvage(self, dest: Path) -> None:
        """Copies what can be read into a new archive in `dest`, then opens that one."""
        self.dialog.accept()
        self.window.run_job(
            salvage(self.folder / DB_NAME, dest), "Salvaging what can be read", self._salvaged
        )

    def _salvaged(self, report: Any) -> None:
        if report is None:
            return
        self.window.open_archive(report.dest)
        self.window.statusBar().showMessage(report.summary(), 30000)


def offer_recovery(window: Window, archive: Archive) -> DamagedArchiveOffer | None:
    """Shows what can be read of an archive opened damaged, and the dialog with the ways out
    (not blocking); None when the archive is whole."""
    if archive.damage is None:
        return None
    try:
        window.refresh()
    except sqlite3.DatabaseError:
        window.reader.show_message("The archive's file is damaged; its releases cannot be listed.")
    offer = DamagedArchiveOffer(window, archive.folder, archive.damage)
    offer.dialog.open()
    return offer

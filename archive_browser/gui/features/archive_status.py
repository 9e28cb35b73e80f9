"""The status bar's account of the archive: how many releases, and the index's state."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from archive_browser.core.changes import Changes
from archive_browser.gui.background import pending_count
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature


class ArchiveStatus(Feature):
    """Two labels at the left of the status bar."""

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx)
        self.count_label = QLabel("")
        self.index_label = QLabel("")
        ctx.status.addWidget(self.count_label)
        ctx.status.addWidget(self.index_label)

    def update(self) -> None:
        archive = self.ctx.archive
        if archive is None:
            self.count_label.setText("No archive")
            self.index_label.setText("")
            return
        self.count_label.setText(f"{archive.count():,} releases in {archive.folder.name}")
        if archive.index_problem:
            self.index_label.setText("Index must be rebuilt")
        else:
            pending = pending_count(archive)
            self.index_label.setText(
                "Index up to date" if not pending else f"Index: {pending:,} changes pending"
            )

    def on_changes(self, changes: Changes) -> None:
        if changes.results or changes.tags or changes.index:
            self.update()

    def on_closed(self) -> None:
        self.update()

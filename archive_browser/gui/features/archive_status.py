"""The status bar's account of the archive: how many releases, and the index's state."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from archive_browser.core.changes import Changes
from archive_browser.core.jobs import Progress
from archive_browser.gui.background import pending_count
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature
from archive_browser.gui.features.importing import import_phase


class ArchiveStatus(Feature):
    """Two labels at the left of the status bar."""

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx)
        self.count_label = QLabel("")
        self.index_label = QLabel("")
        for label in (self.count_label, self.index_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        ctx.status.addWidget(self.count_label)
        ctx.status.addWidget(self.index_label)
        self._import: Progress | None = None
        #: Above the search while the archive is read-only: why, and that changes are off.
        self.banner = QLabel("")
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "QLabel { background: #fde2e1; color: #5a1a17; padding: 6px; font-weight: bold; }"
        )
        self.banner.hide()
        ctx.archive_opened.connect(self._opened)
        ctx.import_progress.connect(self._import_progressed)

    def _import_progressed(self, progress: Progress | None) -> None:
        self._import = progress
        self.update()

    def update(self) -> None:
        archive = self.ctx.archive
        if archive is None:
            self.count_label.setText("No archive")
            self.index_label.setText("")
            return
        running = self._import
        if running is not None:
            # Stored releases are listed at once; the index follows them.
            fraction = running.fraction or 0
            phase = import_phase(running)
            self.count_label.setText(f"{archive.count():,} stored · {phase} {fraction:.0%}")
            self.index_label.setText("The newest releases are not searchable yet")
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

    def _opened(self) -> None:
        archive = self.ctx.archive
        readonly = archive is not None and archive.readonly
        self.banner.setText(self.ctx.readonly_reason if readonly else "")
        self.banner.setVisible(readonly)

    def on_closed(self) -> None:
        self.banner.hide()
        self.update()

"""Importing files and folders: the split of text files shown for correction first, the
import in a child process with progress and Cancel, then a summary per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from archive_browser.core import importers
from archive_browser.core.changes import Changes
from archive_browser.core.errors import UserFacingError
from archive_browser.core.jobs import Progress
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.background import import_job
from archive_browser.gui.context import WindowContext
from archive_browser.gui.dialogs import ImportSummaryDialog, SplitPreviewDialog
from archive_browser.gui.features.base import Feature
from archive_browser.gui.operations import job_op, read_op

#: The split of text files is shown for correction when an import holds at most this many.
MAX_SPLIT_PREVIEW_FILES = 50

#: The file dialog's filter, built from the importers' registry.
FILE_FILTER = importers.file_filter()

Previews = dict[Path, tuple[list[importers.Paragraph], list[int]]]

#: How often the list is read again while an import stores releases (milliseconds).
BROWSE_REFRESH_MS = 1000


def import_phase(progress: Progress) -> str:
    """The phase an import's progress message names: "reading", "storing" or "indexing"."""
    if progress.message.startswith("Storing"):
        return "storing"
    return "reading" if progress.message.startswith("Read") else "indexing"


def split_previews(paths: list[Path], options: importers.ImportOptions) -> Previews:
    """The proposed split of each text file among `paths` that holds several releases (none
    when there are too many text files to look through)."""
    files, _problems = importers.discover(paths)
    # A file kept whole ("file": every PDF unless a split is chosen) has nothing to show.
    text_files = [
        f
        for f in files
        if importers.is_text_file(f) and importers.split_strategy(f, options) != "file"
    ]
    if len(text_files) > MAX_SPLIT_PREVIEW_FILES:
        return {}
    out = {}
    for f in text_files:
        try:
            paragraphs, starts = importers.preview_split(f, importers.split_strategy(f, options))
        except UserFacingError:
            continue  # the import reports it
        if len(starts) > 1:
            out[f] = (paragraphs, starts)
    return out


class ImportFeature(Feature):
    """Ctrl+I imports files, Ctrl+Shift+I a folder. `preview_opened` and `summary_opened`
    carry the dialogs as they open."""

    preview_opened = Signal(object)  # SplitPreviewDialog
    summary_opened = Signal(object)  # ImportSummaryDialog

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx)
        # While an import runs, what it stored is listed as it is committed.
        self._refresh = QTimer(self)
        self._refresh.setInterval(BROWSE_REFRESH_MS)
        self._refresh.timeout.connect(self._stored_more)
        self._stored = -1
        ctx.jobs.progressed.connect(self._progressed)
        ctx.jobs.ended.connect(self._ended)

    def actions(self) -> list[ActionSpec]:
        when = When(writable=True, idle=True)
        return [
            ActionSpec(
                "file.import_files",
                "&Import files…",
                "file",
                self.choose_files,
                "Ctrl+I",
                when,
                section=1,
            ),
            ActionSpec(
                "file.import_pdfs_split",
                "Import PDFs &split into releases…",
                "file",
                self.choose_pdfs_to_split,
                None,
                when,
                section=1,
                order=2,
            ),
            ActionSpec(
                "file.import_folder",
                "Import &folder…",
                "file",
                self.choose_folder,
                "Ctrl+Shift+I",
                when,
                section=1,
                order=1,
            ),
        ]

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self.ctx.window, "Import releases", "", FILE_FILTER)
        if names:
            self.start([Path(n) for n in names])

    def choose_pdfs_to_split(self) -> None:
        """PDFs that hold several releases: their text split as text files are, shown for
        correction first (an import of files keeps each PDF one release)."""
        names, _ = QFileDialog.getOpenFileNames(
            self.ctx.window, "Import PDFs split into releases", "", "PDF documents (*.pdf)"
        )
        if names:
            self.start([Path(n) for n in names], importers.ImportOptions(pdf_split="auto"))

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self.ctx.window, "Import a folder of releases")
        if folder:
            self.start([Path(folder)])

    def start(
        self,
        paths: list[Path],
        options: importers.ImportOptions | None = None,
        *,
        preview: bool = True,
    ) -> None:
        """Imports files; text files holding several releases are first shown split, for the
        user to correct (see `preview_opened`)."""
        if self.ctx.archive is None or self.ctx.jobs.busy:
            return
        options = options or importers.ImportOptions()
        if not preview:
            self._run(paths, options)
            return
        read_op(
            self.ctx,
            lambda _archive: split_previews(paths, options),
            lambda found: self._previewed(paths, options, found),
        )

    def _previewed(
        self, paths: list[Path], options: importers.ImportOptions, found: Previews
    ) -> None:
        if not found:
            self._run(paths, options)
            return
        dialog = SplitPreviewDialog(self.ctx.window, found)

        def accepted() -> None:
            options.splits.update({str(p.resolve()): starts for p, starts in dialog.starts.items()})
            self._run(paths, options)

        dialog.accepted.connect(accepted)
        dialog.open()
        self.preview_opened.emit(dialog)

    def _run(self, paths: list[Path], options: importers.ImportOptions) -> None:
        archive = self.ctx.archive
        if archive is not None:
            task = job_op(self.ctx, import_job(archive, paths, options), "Importing", self._done)
            if task is not None:
                self._stored = archive.count()
                self._refresh.start()
                self.ctx.import_progress.emit(Progress(0, 0, "Reading"))

    @property
    def running(self) -> bool:
        """True while an import runs."""
        return self._refresh.isActive()

    def _progressed(self, progress: Progress) -> None:
        if self.running:
            self.ctx.import_progress.emit(progress)

    def _stored_more(self) -> None:
        archive = self.ctx.archive
        if archive is None:
            return
        count = archive.count()
        if count != self._stored:
            self._stored = count
            self.ctx.changes_made.emit(Changes(metadata=True))

    def _ended(self) -> None:
        if self.running:
            self._refresh.stop()
            self.ctx.import_progress.emit(None)

    def _done(self, report: Any) -> None:
        if report is not None:
            dialog = ImportSummaryDialog(self.ctx.window, report)
            dialog.open()
            self.summary_opened.emit(dialog)

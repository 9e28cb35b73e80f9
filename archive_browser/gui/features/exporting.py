"""Exporting the selected or shown releases to PDF, CSV or JSON, or as a BagIt bag, in a
child process."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStandardPaths, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices

from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.background import export_job
from archive_browser.gui.context import WindowContext
from archive_browser.gui.dialogs import ExportDialog
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import job_op


class ExportFeature(Feature):
    """Ctrl+P exports to PDF; the dialog chooses the selection or all results, the order and
    highlighting. `opener_finished` carries the exit code of the program that opened a file."""

    opener_finished = Signal(int)

    def __init__(self, ctx: WindowContext, results: ResultsFeature) -> None:
        super().__init__(ctx)
        self.results = results
        results.add_menu_items(self._menu_items)

    def actions(self) -> list[ActionSpec]:
        when = When(archive=True, idle=True)
        return [
            ActionSpec(
                "file.export_pdf",
                "Export to &PDF…",
                "file",
                lambda: self.choose(".pdf"),
                "Ctrl+P",
                when,
                section=2,
            ),
            ActionSpec(
                "file.export",
                "E&xport to CSV or JSON…",
                "file",
                lambda: self.choose(".csv"),
                when=when,
                section=2,
                order=1,
            ),
            ActionSpec(
                "file.export_bag",
                "Export as a BagIt &bag…",
                "file",
                lambda: self.choose(".zip"),
                when=when,
                section=2,
                order=2,
            ),
        ]

    def _menu_items(self, _ids: list[int]) -> list[MenuItem]:
        return [None, ("Export to PDF…", lambda: self.choose(".pdf"))]

    def choose(self, ending: str) -> ExportDialog | None:
        """Asks what to export where (the dialog is returned), then exports in the
        background."""
        archive = self.ctx.archive
        if archive is None:
            return None
        selected = self.results.selected_ids()
        shown = self.results.model.ids()
        if not shown:
            self.ctx.errors.show_message("There is nothing to export: no release is shown.")
            return None
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        stamp = time.strftime("%Y-%m-%d")
        suggested = Path(folder or Path.home()) / f"{archive.name}-{stamp}{ending}"
        dialog = ExportDialog(
            self.ctx.window,
            selected=len(selected),
            results=len(shown),
            query=self.results.spec.query,
            suggested=suggested,
            highlightable=bool(self.results.terms),
        )

        def accepted() -> None:
            ids = selected if dialog.scope.currentData() == "selected" else shown
            query = self.results.spec.query
            self.start(
                ids,
                dialog.out(),
                order=dialog.order.currentData(),
                highlight=query if dialog.highlight.isChecked() else None,
                open_after=dialog.open_after.isChecked(),
            )

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def start(
        self,
        ids: list[int],
        out: Path,
        *,
        order: str = "shown",
        highlight: str | None = None,
        open_after: bool = False,
    ) -> None:
        archive = self.ctx.archive
        if archive is None or not ids:
            return
        if order in ("date", "-date"):
            ids = archive.sort_ids(ids, order)
        job = export_job(archive, ids, out, self.results.spec.query or None, highlight)
        job_op(
            self.ctx,
            job,
            f"Exporting {len(ids):,} releases",
            lambda report: self._done(report, open_after),
            write=False,
        )

    def _done(self, report: Any, open_after: bool) -> None:
        if report is None:
            self.ctx.show_status("Export cancelled; no file was written.", 8000)
            return
        pages = f", {report.pages:,} pages" if report.pages else ""
        self.ctx.show_status(f"Exported {report.count:,} releases to {report.path}{pages}.", 15000)
        if open_after:
            self.open_file(report.path)

    def open_file(self, path: Path) -> None:
        """Opens a file in the program the desktop uses for it, or says that none can."""
        if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
            opener = shutil.which("xdg-open")
            if opener is None:
                self._cannot_open(path, "xdg-open is not installed")
                return
            process = subprocess.Popen(
                [opener, str(path)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            self._reap(process, path)
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self._cannot_open(path, "")

    def _reap(self, process: subprocess.Popen[bytes], path: Path) -> None:
        """Waits for the opener without blocking (so it never lingers as a zombie) and says
        when it found no application."""
        timer = QTimer(self)
        timer.setInterval(200)

        def check() -> None:
            code = process.poll()
            if code is None:
                return
            timer.stop()
            timer.deleteLater()
            self.opener_finished.emit(code)
            if code != 0:
                self._cannot_open(path, "")

        timer.timeout.connect(check)
        timer.start()

    def _cannot_open(self, path: Path, why: str) -> None:
        reason = f" ({why})" if why else ""
        self.ctx.errors.show_message(
            f"No application could open {path.name}{reason}. The file was written to {path}."
        )

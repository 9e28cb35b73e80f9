"""Keeping the archive sound: checking it, rebuilding the index, backups (by hand, and the
rotating one when an archive opens), and bringing the index up to date on opening."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFileDialog

from archive_browser.core.archive import Archive, CheckReport
from archive_browser.core.jobs import run
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.background import reindex_job, repair_job
from archive_browser.gui.features.base import Feature
from archive_browser.gui.operations import job_op, read_op, write_op


def describe_problems(report: CheckReport) -> list[str]:
    """What a check found, in words."""
    problems = []
    if report.index_problem:
        problems.append(f"the index cannot be used ({report.index_problem})")
    for label, ids in (
        ("missing from the index", report.missing),
        ("in the index only", report.extra),
        ("outdated in the index", report.stale),
    ):
        if ids:
            problems.append(f"{len(ids):,} releases {label}")
    if report.pending:
        problems.append(f"{report.pending:,} index updates not applied")
    return problems


def _auto_backup(archive: Archive) -> None:
    run(archive.auto_backup())


class MaintenanceFeature(Feature):
    """Tools > Check archive and Rebuild index, File > Back up archive. `check_finished`
    carries each check's report."""

    check_finished = Signal(object)  # CheckReport

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "file.backup",
                "&Back up archive…",
                "file",
                self.choose_backup,
                when=When(archive=True, idle=True),
                section=2,
                order=2,
            ),
            ActionSpec(
                "tools.check",
                "&Check archive",
                "tools",
                self.check,
                when=When(archive=True, idle=True),
            ),
            ActionSpec(
                "tools.reindex",
                "&Rebuild index",
                "tools",
                self.rebuild_index,
                when=When(writable=True, idle=True),
                order=1,
            ),
        ]

    # --- on opening

    def bring_up_to_date(self, *, seed_demo: bool = False) -> bool:
        """Repairs the index of the archive just opened if it needs it, or seeds the demo
        releases when asked; then starts the day's backup. True when a job started (it
        reports its changes when done)."""
        archive = self.ctx.archive
        if archive is None or archive.readonly:
            return False
        started = False
        if archive.needs_repair:
            started = self._job(repair_job(archive), "Bringing the index up to date")
        elif seed_demo:
            from archive_browser.core.demo import seed_demo as demo_job

            started = self._job(demo_job(archive), "Adding the demo releases")
        # Rotating copies in the archive's backups folder, one a day, the newest five kept.
        write_op(self.ctx, _auto_backup)
        return started

    def _job(self, job: Any, label: str) -> bool:
        return job_op(self.ctx, job, label) is not None

    # --- checking and rebuilding

    def check(self) -> None:
        """Checks the archive in the background; a mismatch offers to rebuild the index."""
        if self.ctx.archive is None:
            return
        label = self.ctx.jobs.label
        label.setText("Checking the archive…")
        label.show()
        read_op(self.ctx, lambda archive: archive.check(), self._checked)

    def _checked(self, report: CheckReport) -> None:
        self.ctx.jobs.label.hide()
        self.check_finished.emit(report)
        if report.consistent:
            message = f"The archive is consistent: {report.releases:,} releases, all indexed."
            if report.missing_originals:
                n = len(report.missing_originals)
                message += f" {n:,} kept original files are missing: Tools > Verify lists them."
            QTimer.singleShot(0, lambda: self.ctx.show_status(message, 8000))
            return
        if self.ctx.ask(
            "Check archive",
            "The index does not match the archive: "
            + "; ".join(describe_problems(report))
            + ".\n\nRebuild the index now? (Your releases are safe; the index is rebuilt from "
            "them.)",
        ):
            self.rebuild_index()

    def rebuild_index(self) -> None:
        archive = self.ctx.archive
        if archive is not None and not archive.readonly:
            job_op(self.ctx, reindex_job(archive), "Rebuilding the index")

    # --- backups

    def choose_backup(self) -> None:
        archive = self.ctx.archive
        if archive is None:
            return
        folder = QFileDialog.getExistingDirectory(self.ctx.window, "Folder to put the backup in")
        if folder:
            name = f"{archive.name}-backup-{time.strftime('%Y%m%d-%H%M%S')}"
            self.start_backup(Path(folder) / name)

    def start_backup(self, dest: Path) -> None:
        archive = self.ctx.archive
        if archive is not None:
            job_op(self.ctx, archive.backup(dest), "Backing up", self._backed_up, write=False)

    def _backed_up(self, report: Any) -> None:
        if report is not None:
            self.ctx.show_status(
                f"Backed up {report.releases:,} releases to {report.path.parent}. "
                "Open that folder as an archive to use the copy.",
                15000,
            )

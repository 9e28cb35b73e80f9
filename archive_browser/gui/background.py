"""The window's long archive jobs that run in a child process, in one place: the only module of
the window that knows how the core starts them (so a change of that API is a change here)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive_browser.core import background
from archive_browser.core.archive import Archive, ImportReport
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import Job


def import_job(
    archive: Archive, paths: Sequence[Path], options: ImportOptions
) -> Job[ImportReport]:
    """Imports files and folders in a child process."""
    return background.run_in_process(archive, background.import_task, list(paths), options)


def export_job(
    archive: Archive,
    ids: Sequence[int],
    out: Path,
    query: str | None,
    highlight: str | None,
) -> Job[Any]:
    """Exports releases to a file (the format from its ending) in a child process."""
    return background.run_in_process(
        archive, background.export_task, list(ids), out, query, highlight, readonly=True
    )


def repair_job(archive: Archive) -> Job[None]:
    """Brings the index up to date with the stored releases, in a child process."""
    return background.run_in_process(archive, background.repair_task)


def reindex_job(archive: Archive) -> Job[None]:
    """Rebuilds the index from the stored releases, in a child process."""
    return background.run_in_process(archive, background.reindex_task)


def verify_job(archive: Archive) -> Job[Any]:
    """Re-hashes every kept original file (the fixity check) in a child process."""
    return background.run_in_process(archive, background.verify_task)


def versions_job(archive: Archive) -> Job[None]:
    """Finds the versions of every release anew, in a child process."""
    return background.run_in_process(archive, background.versions_task)


def paragraphs_job(archive: Archive) -> Job[int]:
    """Hashes the paragraphs of releases stored before paragraph reuse, in a child process."""
    return background.run_in_process(archive, background.paragraphs_task)


def pending_count(archive: Archive) -> int:
    """How many recorded index updates are not applied yet."""
    return archive.pending_index_count()

"""Provenance reads and the fixity check: where a release came from, its kept original, and
`verify`, which re-hashes every kept original and logs what it found."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import archive_browser.core.archive.originals as originals
from archive_browser.core.archive.base import ArchiveBase, write_errors
from archive_browser.core.errors import CancelledError
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.provenance import Provenance
from archive_browser.core.reports import CheckReport
from archive_browser.core.store import now_iso
from archive_browser.core.store.provenance import VerificationRow


@dataclass(frozen=True, slots=True)
class FixityProblem:
    """A kept original that is missing or whose bytes changed, with its releases."""

    sha256: str
    path: str
    problem: str  # "missing" or "changed"
    releases: list[int]
    found_sha256: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "path": self.path,
            "problem": self.problem,
            "releases": self.releases,
            "found_sha256": self.found_sha256,
        }


@dataclass(slots=True)
class VerifyReport:
    """What a fixity check found."""

    started: str
    checked: int = 0
    problems: list[FixityProblem] = field(default_factory=list)
    duration: float = 0.0
    cancelled: bool = False

    @property
    def missing(self) -> list[FixityProblem]:
        return [p for p in self.problems if p.problem == "missing"]

    @property
    def changed(self) -> list[FixityProblem]:
        return [p for p in self.problems if p.problem == "changed"]

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "started": self.started,
            "checked": self.checked,
            "missing": len(self.missing),
            "changed": len(self.changed),
            "duration": round(self.duration, 3),
            "cancelled": self.cancelled,
            "problems": [p.to_json() for p in self.problems],
        }


class FixityManager:
    """Provenance and kept originals of one archive, and their fixity check."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    def provenance(self, release_id: int) -> Provenance:
        """Where a release came from; raises NotFoundError for an unknown id."""
        store = self._archive.store
        store.get_release(release_id)  # NotFoundError for an unknown id
        return store.provenance(release_id)

    def original_file(self, release_id: int) -> Path | None:
        """The kept original file of a release, if it is kept and present."""
        row = self._archive.store.original_of(release_id)
        if row is None:
            return None
        path = originals.original_path(self._archive.folder, row.sha256, row.ending)
        return path if path.is_file() else None

    def missing_originals(self) -> list[str]:
        """The SHA-256 of kept originals whose file is not there (for `check`: no hashing)."""
        folder = self._archive.folder
        return [
            row.sha256
            for row in self._archive.store.originals()
            if not originals.original_path(folder, row.sha256, row.ending).is_file()
        ]

    def add_missing_originals(self, report: CheckReport) -> CheckReport:
        """`report` with the kept originals that are missing (unless the file cannot say)."""
        try:
            missing = self.missing_originals()
        except sqlite3.DatabaseError:
            return report
        return dataclasses.replace(report, missing_originals=tuple(missing))

    def verify(self) -> Job[VerifyReport]:
        """Re-hashes every kept original; reports the missing and changed ones with their
        releases, and logs the check in the archive (also when cancelled, marked so)."""
        archive = self._archive
        store = archive.store
        folder = archive.folder
        rows = store.originals()
        report = VerifyReport(now_iso())
        begun = time.monotonic()
        total = float(sum(max(1, r.size) for r in rows))
        done = 0.0
        bad: list[tuple[str, str, str, str]] = []
        try:
            yield Progress(0, total, f"Checking {len(rows):,} original files")
            for n, row in enumerate(rows, 1):
                path = originals.original_path(folder, row.sha256, row.ending)
                try:
                    found = originals.sha256_of_file(path)
                except FileNotFoundError:
                    bad.append((row.sha256, str(path), "missing", ""))
                except OSError:
                    bad.append((row.sha256, str(path), "missing", "(cannot be read)"))
                else:
                    if found != row.sha256:
                        bad.append((row.sha256, str(path), "changed", found))
                report.checked += 1
                done += max(1, row.size)
                if n % 50 == 0 or n == len(rows):
                    yield Progress(done, total, f"Checked {n:,} of {len(rows):,}")
        except CancelledError:
            report.cancelled = True
        releases = store.releases_with_sha(b[0] for b in bad)
        report.problems = [
            FixityProblem(sha, path, what, releases.get(sha, []), found)
            for sha, path, what, found in bad
        ]
        report.duration = time.monotonic() - begun
        if not archive.readonly:
            with archive.write_lock, write_errors(folder), store.transaction():
                store.add_verification(
                    report.started,
                    report.checked,
                    len(report.missing),
                    len(report.changed),
                    report.duration,
                    [p.to_json() for p in report.problems],
                    report.cancelled,
                )
        return report

    def verifications(self, limit: int | None = None) -> list[VerificationRow]:
        return self._archive.store.verifications(limit)

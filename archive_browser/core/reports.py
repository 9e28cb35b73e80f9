"""What the archive's jobs and queries report: searches, imports, backups, restores, checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive_browser.core.index import ParsedQuery


@dataclass(frozen=True, slots=True)
class SearchResults:
    """Ids of the releases matching a query, in order, with the total count."""

    query: ParsedQuery
    total: int
    ids: list[int]
    scores: list[float]


@dataclass(frozen=True, slots=True)
class ImportMatch:
    """A release read by an import whose text an archive's release has: "same" (equal in
    text, title, date, URL and source: not stored, `id` None) or "possible" (stored as `id`,
    linked to `matched_id` as a possible duplicate)."""

    path: str
    title: str
    id: int | None
    matched_id: int
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "title": self.title,
            "id": self.id,
            "matched_id": self.matched_id,
            "kind": self.kind,
        }


@dataclass(slots=True)
class FileOutcome:
    """What importing one file gave."""

    path: str
    imported: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)  # stored ids of skipped copies
    errors: list[str] = field(default_factory=list)
    matches: list[ImportMatch] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


@dataclass(slots=True)
class ImportReport:
    """What an import gave, file by file."""

    files: list[FileOutcome] = field(default_factory=list)
    cancelled: bool = False

    @property
    def imported_ids(self) -> list[int]:
        return [i for f in self.files for i in f.imported]

    @property
    def duplicate_ids(self) -> list[int]:
        return [i for f in self.files for i in f.duplicates]

    @property
    def matches(self) -> list[ImportMatch]:
        """Every copy skipped and every possible duplicate stored, file by file."""
        return [m for f in self.files for m in f.matches]

    @property
    def failures(self) -> list[tuple[str, str]]:
        return [(f.path, e) for f in self.files for e in f.errors]

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": len(self.imported_ids),
            "duplicates": len(self.duplicate_ids),
            "failed": [{"path": p, "error": e} for p, e in self.failures],
            "ids": self.imported_ids,
            "matches": [m.to_json() for m in self.matches],
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True, slots=True)
class BackupReport:
    """Where a backup was written."""

    path: Path
    bytes: int
    releases: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "releases": self.releases}


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What a restore did: the releases now in the archive, and where the old state is."""

    releases: int
    kept: Path


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Whether the index holds exactly what SQLite holds."""

    releases: int
    indexed: int
    missing: list[int]  # in SQLite, not in the index
    extra: list[int]  # in the index, not in SQLite
    stale: list[int]  # in both, but the index holds an older revision
    pending: int  # recorded index work not yet applied
    index_problem: str | None  # why the index cannot be used, if it cannot
    #: What SQLite's checks find wrong with the archive's file (core.integrity), if anything.
    file_damage: str | None = None
    #: SHA-256 of kept original files that are not in the archive folder (not re-hashed:
    #: that is `verify`); these do not make the index inconsistent.
    missing_originals: tuple[str, ...] = ()

    @property
    def consistent(self) -> bool:
        return not (
            self.missing
            or self.extra
            or self.stale
            or self.pending
            or self.index_problem
            or self.file_damage
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "consistent": self.consistent,
            "releases": self.releases,
            "indexed": self.indexed,
            "missing_from_index": self.missing,
            "not_in_archive": self.extra,
            "outdated_in_index": self.stale,
            "pending_index_work": self.pending,
            "index_problem": self.index_problem,
            "file_damage": self.file_damage,
            "missing_originals": list(self.missing_originals),
        }

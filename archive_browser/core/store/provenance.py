"""The provenance tables of a store: import batches, the files each release was found in,
the kept originals and the log of fixity checks."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from archive_browser.core.provenance import ImportBatch, Provenance, Sighting
from archive_browser.core.store.base import StoreBase, chunks, now_iso


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One file a release was found in, as written to `release_sources`."""

    release_id: int
    batch_id: int | None
    path: str
    sha256: str
    record: str
    importer: str
    importer_version: str


@dataclass(frozen=True, slots=True)
class OriginalRow:
    """A kept original file, as listed in `originals`."""

    sha256: str
    size: int
    ending: str
    added: str


@dataclass(frozen=True, slots=True)
class VerificationRow:
    """One fixity check, as logged in `verifications`."""

    id: int
    started: str
    checked: int
    missing: int
    changed: int
    duration: float
    problems: list[dict[str, Any]]
    cancelled: bool


class ProvenanceTables(StoreBase):
    """Batches, sources, originals and verifications."""

    # --- import batches

    def begin_batch(self, app_version: str, options: dict[str, Any], paths: Sequence[str]) -> int:
        cur = self.db.execute(
            "INSERT INTO import_batches (started, app_version, options, paths) VALUES (?, ?, ?, ?)",
            [now_iso(), app_version, json.dumps(options, sort_keys=True), json.dumps(list(paths))],
        )
        return int(cur.lastrowid or 0)

    def finish_batch(self, batch_id: int) -> None:
        self.db.execute(
            "UPDATE import_batches SET finished = ? WHERE id = ?", [now_iso(), batch_id]
        )

    def get_batch(self, batch_id: int) -> ImportBatch | None:
        row = self.db.execute(
            "SELECT id, started, finished, app_version, options, paths FROM import_batches "
            "WHERE id = ?",
            [batch_id],
        ).fetchone()
        if row is None:
            return None
        return ImportBatch(row[0], row[1], row[2], row[3], _loads(row[4], {}), _loads(row[5], []))

    # --- where releases were found

    def add_sources(self, rows: Iterable[SourceRow]) -> None:
        self.conn.executemany(
            "INSERT INTO release_sources (release_id, batch_id, path, sha256, record, importer, "
            "importer_version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    r.release_id,
                    r.batch_id,
                    r.path,
                    r.sha256,
                    r.record,
                    r.importer,
                    r.importer_version,
                )
                for r in rows
            ],
        )

    def set_part_of(self, links: Iterable[tuple[int, int]]) -> None:
        """Links releases (first of each pair) to the release they are part of (second)."""
        self.conn.executemany(
            "UPDATE releases SET part_of_id = ? WHERE id = ? AND id != ?",
            [(parent, child, parent) for child, parent in links],
        )

    def provenance(self, release_id: int) -> Provenance:
        """Where a release came from (empty when it was stored before this was recorded)."""
        rows = self.db.execute(
            """SELECT s.path, s.sha256, s.record, s.importer, s.importer_version, s.batch_id,
                      coalesce(b.started, '')
               FROM release_sources s LEFT JOIN import_batches b ON b.id = s.batch_id
               WHERE s.release_id = ? ORDER BY s.id""",
            [release_id],
        ).fetchall()
        part = self.db.execute(
            "SELECT part_of_id FROM releases WHERE id = ?", [release_id]
        ).fetchone()
        part_of_id = part[0] if part else None
        if not rows:
            return Provenance(release_id, part_of_id=part_of_id)
        sources = tuple(Sighting(*row) for row in rows)
        first = sources[0]
        kept = first.sha256 != "" and self.get_original(first.sha256) is not None
        return Provenance(
            release_id,
            path=first.path,
            sha256=first.sha256,
            record=first.record,
            importer=first.importer,
            importer_version=first.importer_version,
            batch=self.get_batch(first.batch_id) if first.batch_id is not None else None,
            part_of_id=part_of_id,
            original_kept=kept,
            sources=sources,
        )

    def first_sources(self, ids: Sequence[int]) -> dict[int, Provenance]:
        """The provenance of many releases at once (their first source, and their batch),
        for exports; releases with none are left out."""
        out: dict[int, Provenance] = {}
        batches: dict[int, ImportBatch | None] = {}
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"""SELECT s.release_id, s.path, s.sha256, s.record, s.importer,
                          s.importer_version, s.batch_id, r.part_of_id,
                          o.sha256 IS NOT NULL
                   FROM release_sources s JOIN releases r ON r.id = s.release_id
                   LEFT JOIN originals o ON o.sha256 = s.sha256 AND s.sha256 != ''
                   WHERE s.id IN (SELECT min(id) FROM release_sources
                                  WHERE release_id IN ({marks}) GROUP BY release_id)""",
                chunk,
            ).fetchall()
            for rid, path, sha, record, imp, ver, batch_id, part_of_id, kept in rows:
                if batch_id is not None and batch_id not in batches:
                    batches[batch_id] = self.get_batch(batch_id)
                batch = batches.get(batch_id) if batch_id is not None else None
                out[rid] = Provenance(
                    rid, path, sha, record, imp, ver, batch, part_of_id, bool(kept), ()
                )
        return out

    def releases_with_sha(self, digests: Iterable[str]) -> dict[str, list[int]]:
        """The releases found in a file of each SHA-256, by id."""
        out: dict[str, list[int]] = {}
        for digest in digests:
            rows = self.db.execute(
                "SELECT DISTINCT release_id FROM release_sources WHERE sha256 = ? ORDER BY 1",
                [digest],
            )
            out[digest] = [int(r[0]) for r in rows]
        return out

    # --- kept originals

    def add_original(self, sha256: str, size: int, ending: str) -> None:
        self.db.execute(
            "INSERT OR IGNORE INTO originals (sha256, size, ending, added) VALUES (?, ?, ?, ?)",
            [sha256, size, ending, now_iso()],
        )

    def get_original(self, sha256: str) -> OriginalRow | None:
        row = self.db.execute(
            "SELECT sha256, size, ending, added FROM originals WHERE sha256 = ?", [sha256]
        ).fetchone()
        return OriginalRow(*row) if row else None

    def originals(self) -> list[OriginalRow]:
        rows = self.db.execute("SELECT sha256, size, ending, added FROM originals ORDER BY 1")
        return [OriginalRow(*row) for row in rows]

    def original_of(self, release_id: int) -> OriginalRow | None:
        """The kept original of a release: of the first file it was found in that is kept."""
        row = self.db.execute(
            """SELECT o.sha256, o.size, o.ending, o.added FROM release_sources s
               JOIN originals o ON o.sha256 = s.sha256
               WHERE s.release_id = ? ORDER BY s.id LIMIT 1""",
            [release_id],
        ).fetchone()
        return OriginalRow(*row) if row else None

    # --- fixity checks

    def add_verification(
        self,
        started: str,
        checked: int,
        missing: int,
        changed: int,
        duration: float,
        problems: Sequence[dict[str, Any]],
        cancelled: bool,
    ) -> int:
        cur = self.db.execute(
            "INSERT INTO verifications (started, checked, missing, changed, duration, problems, "
            "cancelled) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                started,
                checked,
                missing,
                changed,
                duration,
                json.dumps(list(problems)),
                int(cancelled),
            ],
        )
        return int(cur.lastrowid or 0)

    def verifications(self, limit: int | None = None) -> list[VerificationRow]:
        """The log of fixity checks, the newest first."""
        sql = (
            "SELECT id, started, checked, missing, changed, duration, problems, cancelled "
            "FROM verifications ORDER BY id DESC"
        )
        rows = self.db.execute(sql + (f" LIMIT {int(limit)}" if limit else "")).fetchall()
        return [
            VerificationRow(i, s, c, m, ch, d, _loads(p, []), bool(x))
            for i, s, c, m, ch, d, p, x in rows
        ]


def _loads(text: str, default: Any) -> Any:
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return default

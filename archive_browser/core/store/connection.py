"""A `Store`: one connection to an archive's SQLite file, with its releases, meta and filters."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlite_utils

import archive_browser.core.store.schema as schema
from archive_browser.core.errors import ArchiveFormatError, NotFoundError, UserFacingError
from archive_browser.core.model import RELEASE_COLUMNS, Release, ReleaseDraft
from archive_browser.core.store.base import chunks, now_iso
from archive_browser.core.store.provenance import ProvenanceTables
from archive_browser.core.store.saved import IndexQueue, SavedSearchTables
from archive_browser.core.store.tags import TagTables
from archive_browser.core.tagnames import tag_key
from archive_browser.core.textnorm import checksum, record_checksum


class Store(TagTables, SavedSearchTables, IndexQueue, ProvenanceTables):
    """One connection to an archive's SQLite file."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        if readonly:
            conn = sqlite3.connect(
                f"{path.as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False
            )
        else:
            # Used by one thread only; check_same_thread=False lets the archive close it
            # from another thread when it shuts down.
            conn = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self.db = sqlite_utils.Database(conn)
        self.conn = conn
        self.db.execute("PRAGMA foreign_keys = ON")
        self.db.execute("PRAGMA busy_timeout = 30000")
        if not readonly:
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")

    def close(self) -> None:
        self.conn.close()

    # --- transactions and schema

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together or not at all. Nested blocks are savepoints."""
        with self.db.atomic():
            yield

    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        """Brings the schema up to date, each migration in its own transaction."""
        # Looked up on the module each time, so that a test can swap in other migrations.
        migrations, latest, app = schema.MIGRATIONS, schema.SCHEMA_VERSION, schema.APPLICATION_ID
        app_id = self.db.execute("PRAGMA application_id").fetchone()[0]
        version = self.schema_version()
        if app_id not in (0, app) or (app_id == 0 and self.db.table_names()):
            raise ArchiveFormatError(f"{self.path} is not an Archive Browser archive.")
        if version > latest:
            raise ArchiveFormatError(
                f"{self.path} was written by a newer Archive Browser (schema {version}); "
                f"this one reads up to schema {latest}."
            )
        for number in range(version + 1, latest + 1):
            with self.transaction():
                migrations[number - 1](self.db)
                self.db.execute(f"PRAGMA user_version = {number}")
                self.db.execute(f"PRAGMA application_id = {app}")

    # --- meta

    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    # --- releases

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM releases").fetchone()[0])

    def id_for_checksum(self, digest: str) -> int | None:
        """The release stored with this record checksum (see textnorm.record_checksum)."""
        row = self.db.execute("SELECT id FROM releases WHERE checksum = ?", [digest]).fetchone()
        return row[0] if row else None

    def insert_release(self, draft: ReleaseDraft, *, stamp: str | None = None) -> int | None:
        """Stores a new release with its tags and queues it for indexing. Returns its id, or
        None when the same release (text, title, date, URL and source) is already stored."""
        return self.place_release(draft, stamp=stamp)[0]

    def place_release(
        self, draft: ReleaseDraft, *, stamp: str | None = None
    ) -> tuple[int | None, int | None, str]:
        """Stores a release unless the same one is stored: returns (new id or None, the id
        of the stored release it matches or None, "same" / "possible" / "new"). A release of
        the same text as a stored one but another title, date, URL or source is stored and
        linked to it (the oldest such) as a possible duplicate."""
        digest = record_checksum(draft.body, draft.title, draft.date, draft.url, draft.source)
        text_digest = checksum(draft.body)
        stamp = stamp or now_iso()
        cur = self.db.execute(
            """INSERT INTO releases (title, date, body, summary, source, url, language, place,
                   kind, notes, orig_path, orig_format, checksum, text_checksum, added, modified)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(checksum) DO NOTHING""",
            [
                draft.title,
                draft.date,
                draft.body,
                draft.summary,
                draft.source,
                draft.url,
                draft.language,
                draft.place,
                draft.kind,
                draft.notes,
                draft.orig_path,
                draft.orig_format,
                digest,
                text_digest,
                stamp,
                stamp,
            ],
        )
        if cur.rowcount == 0:
            return None, self.id_for_checksum(digest), "same"
        release_id = int(cur.lastrowid or 0)
        row = self.db.execute(
            "SELECT min(id) FROM releases WHERE text_checksum = ? AND id != ?",
            [text_digest, release_id],
        ).fetchone()
        matched = row[0] if row else None
        if matched is not None:
            self.db.execute(
                "INSERT OR IGNORE INTO release_matches (release_id, matched_id, kind) "
                "VALUES (?, ?, 'possible')",
                [release_id, matched],
            )
        if draft.tags:
            self._link_tags([release_id], draft.tags)
        self.enqueue([release_id])
        return release_id, matched, "possible" if matched is not None else "new"

    def possible_duplicates(self, release_id: int) -> list[tuple[int, str]]:
        """The releases linked to this one as possible duplicates (the one it matched when
        imported, those that matched it, and those that matched the same one), by id, with
        the kind of link."""
        rows = self.db.execute(
            """SELECT matched_id, kind FROM release_matches WHERE release_id = :id
               UNION SELECT release_id, kind FROM release_matches WHERE matched_id = :id
               UNION SELECT b.release_id, b.kind FROM release_matches a
                   JOIN release_matches b ON b.matched_id = a.matched_id
                   WHERE a.release_id = :id AND b.release_id != :id
               ORDER BY 1""",
            {"id": release_id},
        ).fetchall()
        return [(int(i), str(kind)) for i, kind in rows]

    def _rows_to_releases(self, rows: Iterable[sqlite3.Row | tuple[Any, ...]]) -> list[Release]:
        releases = [Release(*row) for row in rows]
        tags = self.tags_of([r.id for r in releases])
        for r in releases:
            r.tags = tags.get(r.id, [])
        return releases

    def get_release(self, release_id: int) -> Release:
        found = self.get_releases([release_id])
        if not found:
            raise NotFoundError(f"There is no release with id {release_id}.")
        return found[0]

    def get_releases(self, ids: Sequence[int]) -> list[Release]:
        """The releases with these ids, in the order asked; unknown ids are left out."""
        by_id: dict[int, Release] = {}
        cols = ", ".join(RELEASE_COLUMNS)
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT {cols} FROM releases WHERE id IN ({marks})", chunk)
            for r in self._rows_to_releases(rows):
                by_id[r.id] = r
        return [by_id[i] for i in ids if i in by_id]

    def iter_releases(self, batch: int = 500) -> Iterator[Release]:
        """Every release in id order, read in batches."""
        cols = ", ".join(RELEASE_COLUMNS)
        last = 0
        while True:
            rows = self.db.execute(
                f"SELECT {cols} FROM releases WHERE id > ? ORDER BY id LIMIT ?", [last, batch]
            ).fetchall()
            if not rows:
                return
            yield from self._rows_to_releases(rows)
            last = rows[-1][0]

    def release_rows(
        self, ids: Sequence[int], columns: Sequence[str]
    ) -> dict[int, tuple[Any, ...]]:
        """Selected columns of many releases at once (for tables that show many rows)."""
        bad = set(columns) - set(RELEASE_COLUMNS)
        if bad:
            raise ValueError(f"unknown columns {sorted(bad)}")
        cols = ", ".join(("id", *columns))
        out: dict[int, tuple[Any, ...]] = {}
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(f"SELECT {cols} FROM releases WHERE id IN ({marks})", chunk):
                out[row[0]] = tuple(row[1:])
        return out

    def ids(self, order: str = "-date") -> list[int]:
        """All release ids, newest first by default; unknown dates last."""
        sql = f"SELECT r.id FROM releases r ORDER BY {_ORDERS[order]}"
        return [row[0] for row in self.db.execute(sql)]

    def revisions(self) -> dict[int, int]:
        return dict(self.db.execute("SELECT id, rev FROM releases").fetchall())

    def update_release(self, release_id: int, changes: dict[str, Any]) -> None:
        """Sets metadata fields of one release, bumps its revision and queues it."""
        if not changes:
            return
        if _RECORD_FIELDS & set(changes):
            # The checksum covers these fields: kept in step, so that the release as it now
            # is counts as a copy when it is imported again (e.g. from an export).
            row = self.db.execute(
                "SELECT body, title, date, url, source FROM releases WHERE id = ?", [release_id]
            ).fetchone()
            if row is not None:
                now = dict(zip(("body", "title", "date", "url", "source"), row, strict=True))
                now.update((k, v) for k, v in changes.items() if k in now)
                changes = {
                    **changes,
                    "checksum": record_checksum(
                        now["body"], now["title"], now["date"], now["url"], now["source"]
                    ),
                }
        sets = ", ".join(f"{name} = ?" for name in changes)
        try:
            cur = self.db.execute(
                f"UPDATE releases SET {sets}, rev = rev + 1, modified = ? WHERE id = ?",
                [*changes.values(), now_iso(), release_id],
            )
        except sqlite3.IntegrityError:
            raise UserFacingError(
                "Another release has the same text, title, date, URL and source; "
                "this change would make the two copies of one release."
            ) from None
        if cur.rowcount == 0:
            raise NotFoundError(f"There is no release with id {release_id}.")
        self.enqueue([release_id])

    def delete_releases(self, ids: Sequence[int]) -> int:
        deleted = 0
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            deleted += self.db.execute(
                f"DELETE FROM releases WHERE id IN ({marks})", chunk
            ).rowcount
        self.enqueue(ids)
        return deleted

    # --- filters

    def filter_ids(
        self, ids: Sequence[int] | None, filters: Iterable[tuple[str, str]], order: str = "-date"
    ) -> list[int]:
        """The ids (all releases when None, in `order`; otherwise in the order given) whose
        fields match every (field, value) filter: tag, year, source, language or kind."""
        where: list[str] = []
        params: list[Any] = []
        for fieldname, value in filters:
            if fieldname == "tag":
                where.append(
                    "r.id IN (SELECT rt.release_id FROM release_tags rt "
                    "JOIN tags t ON t.id = rt.tag_id WHERE t.key = ?)"
                )
                params.append(tag_key(value))
            elif fieldname == "year":
                where.append("substr(r.date, 1, 4) = ?")
                params.append(value)
            elif fieldname in ("source", "language", "kind"):
                where.append(f"r.{fieldname} = ?")
                params.append(value)
            else:
                raise ValueError(f"cannot filter on {fieldname!r}")
        condition = " AND ".join(where) or "1"
        if ids is None:
            sql = f"SELECT r.id FROM releases r WHERE {condition} ORDER BY {_ORDERS[order]}"
            return [row[0] for row in self.db.execute(sql, params)]
        self.db.execute(
            "CREATE TEMP TABLE IF NOT EXISTS filter_ids (pos INTEGER PRIMARY KEY, id INTEGER)"
        )
        self.db.execute("DELETE FROM filter_ids")
        self.conn.executemany("INSERT INTO filter_ids VALUES (?, ?)", list(enumerate(ids)))
        sql = (
            f"SELECT r.id FROM temp.filter_ids f JOIN releases r ON r.id = f.id "
            f"WHERE {condition} ORDER BY f.pos"
        )
        return [row[0] for row in self.db.execute(sql, params)]

    # --- statistics

    def stats(self) -> dict[str, Any]:
        def grouped(sql: str) -> dict[str, int]:
            return {str(k) if k is not None else "": n for k, n in self.db.execute(sql)}

        return {
            "releases": self.count(),
            "by_year": grouped(
                "SELECT substr(date, 1, 4) AS y, count(*) FROM releases "
                "WHERE date IS NOT NULL GROUP BY y ORDER BY y"
            ),
            "undated": int(
                self.db.execute("SELECT count(*) FROM releases WHERE date IS NULL").fetchone()[0]
            ),
            "by_source": grouped(
                "SELECT source, count(*) FROM releases GROUP BY source ORDER BY count(*) DESC"
            ),
            "by_language": grouped(
                "SELECT language, count(*) FROM releases GROUP BY language ORDER BY count(*) DESC"
            ),
            "by_kind": grouped(
                "SELECT kind, count(*) FROM releases GROUP BY kind ORDER BY count(*) DESC"
            ),
            "by_tag": dict(self.tag_counts()),
        }


_RECORD_FIELDS = frozenset({"title", "date", "url", "source"})

_ORDERS = {
    "-date": "r.date IS NULL, r.date DESC, r.id DESC",
    "date": "r.date IS NULL, r.date ASC, r.id ASC",
    "id": "r.id",
    "-added": "r.added DESC, r.id DESC",
}

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

#: What placing a release gave: (new id or None, the id of the stored release it matches or
#: None, "same" / "possible" / "new").
Placed = tuple[int | None, int | None, str]


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

    def place_release(self, draft: ReleaseDraft, *, stamp: str | None = None) -> Placed:
        """Stores a release unless the same one is stored: returns (new id or None, the id
        of the stored release it matches or None, "same" / "possible" / "new"). A release of
        the same text as a stored one but another title, date, URL or source is stored and
        linked to it (the oldest such) as a possible duplicate."""
        return self.place_releases([draft], stamp=stamp)[0]

    def place_releases(
        self, drafts: Sequence[ReleaseDraft], *, stamp: str | None = None
    ) -> list[Placed]:
        """`place_release` for many drafts at once, in their order (a draft that repeats an
        earlier one of the same call is "same" as it), with a few statements per call instead
        of five per draft: the caller holds the transaction."""
        if not drafts:
            return []
        stamp = stamp or now_iso()
        texts = [checksum(d.body) for d in drafts]
        digests = [
            record_checksum(d.body, d.title, d.date, d.url, d.source, text_checksum=t)
            for d, t in zip(drafts, texts, strict=True)
        ]
        stored = self._ids_for_checksums(digests)
        # The first draft of each record checksum not stored yet is inserted; later ones
        # (and those already stored) are copies of it.
        first: dict[str, int] = {}
        for n, digest in enumerate(digests):
            if digest not in stored and digest not in first:
                first[digest] = n
        if first:
            self.conn.executemany(
                """INSERT INTO releases (title, date, body, summary, source, url, language,
                       place, kind, notes, orig_path, orig_format, checksum, text_checksum,
                       added, modified)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                [
                    (
                        (d := drafts[n]).title,
                        d.date,
                        d.body,
                        d.summary,
                        d.source,
                        d.url,
                        d.language,
                        d.place,
                        d.kind,
                        d.notes,
                        d.orig_path,
                        d.orig_format,
                        digest,
                        texts[n],
                        stamp,
                        stamp,
                    )
                    for digest, n in first.items()
                ],
            )
        new_ids = self._ids_for_checksums(list(first))
        # Ids only grow (AUTOINCREMENT): the least id of a text is the release of that text
        # stored first, and every other release of it, stored before or in this call, was
        # linked to it when stored.
        oldest = self._least_ids_by_text([texts[n] for n in first.values()])
        out: list[Placed] = []
        matches: list[tuple[int, int]] = []
        for n, digest in enumerate(digests):
            if first.get(digest) != n:
                out.append((None, stored.get(digest, new_ids.get(digest)), "same"))
                continue
            release_id = new_ids[digest]
            matched = oldest[texts[n]]
            if matched == release_id:
                out.append((release_id, None, "new"))
            else:
                matches.append((release_id, matched))
                out.append((release_id, matched, "possible"))
        self.conn.executemany(
            "INSERT OR IGNORE INTO release_matches (release_id, matched_id, kind) "
            "VALUES (?, ?, 'possible')",
            matches,
        )
        # Each tag with the releases that have it, in the order tags first appear (so that
        # new tags get their ids in the order of the drafts, as one by one).
        tagged: dict[str, dict[int, None]] = {}
        for draft, placed in zip(drafts, out, strict=True):
            if placed[0] is not None:
                for name in draft.tags:
                    tagged.setdefault(name, {})[placed[0]] = None
        for name, ids in tagged.items():
            self._link_tags(list(ids), [name])
        self.enqueue([p[0] for p in out if p[0] is not None])
        return out

    def _ids_for_checksums(self, digests: Sequence[str]) -> dict[str, int]:
        """The release id of each of these record checksums that is stored."""
        found: dict[str, int] = {}
        for chunk in _str_chunks(digests):
            marks = ",".join("?" * len(chunk))
            found.update(
                (str(d), int(i))
                for i, d in self.db.execute(
                    f"SELECT id, checksum FROM releases WHERE checksum IN ({marks})", chunk
                )
            )
        return found

    def _least_ids_by_text(self, digests: Sequence[str]) -> dict[str, int]:
        """For text checksums, the least id of a release with that text."""
        found: dict[str, int] = {}
        for chunk in _str_chunks(sorted(set(digests))):
            marks = ",".join("?" * len(chunk))
            found.update(
                (str(d), int(i))
                for d, i in self.db.execute(
                    f"SELECT text_checksum, min(id) FROM releases "
                    f"WHERE text_checksum IN ({marks}) GROUP BY text_checksum",
                    chunk,
                )
            )
        return found

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


def _str_chunks(items: Sequence[str], size: int = 900) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_RECORD_FIELDS = frozenset({"title", "date", "url", "source"})

_ORDERS = {
    "-date": "r.date IS NULL, r.date DESC, r.id DESC",
    "date": "r.date IS NULL, r.date ASC, r.id ASC",
    "id": "r.id",
    "-added": "r.added DESC, r.id DESC",
}

"""Salvage: every readable release, tag and saved search of a damaged archive, copied into a
new archive.

The damaged file is only read, never written. Where the `sqlite3` shell is installed, its
`.recover` reads every page it can (SQLite's own recovery, which also finds rows in pages the
damaged tree no longer reaches) into a scratch database; otherwise, and for what `.recover`
cannot give, the tables are read row by row in ranges of ids, a range that fails being split
until only the unreadable rows are left out. The new archive's index is built from what was
saved.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archive_browser.core.errors import UserFacingError
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import RELEASE_COLUMNS
from archive_browser.core.tagnames import tag_key
from archive_browser.core.textnorm import checksum, record_checksum

#: Rows read at once; a range that fails is halved until single rows are left.
RANGE = 512
#: How long the `sqlite3` shell may take over `.recover`, in seconds.
RECOVER_SECONDS = 600


@dataclass(frozen=True)
class SalvageReport:
    """What was copied out of a damaged archive."""

    source: Path
    dest: Path
    releases: int
    #: The highest release id the damaged file had given (ids are never reused), when known:
    #: at most `highest_id - releases` releases were lost (fewer where some had been deleted).
    highest_id: int | None
    #: What the damaged file itself counted, when it could still count.
    counted: int | None
    tags: int
    tag_links: int
    saved_searches: int
    method: str  # "sqlite3 .recover" or "row by row"

    @property
    def lost_at_most(self) -> int | None:
        candidates = [n for n in (self.highest_id, self.counted) if n is not None]
        return max(0, max(candidates) - self.releases) if candidates else None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "dest": str(self.dest),
            "releases": self.releases,
            "highest_id": self.highest_id,
            "counted": self.counted,
            "lost_at_most": self.lost_at_most,
            "tags": self.tags,
            "tag_links": self.tag_links,
            "saved_searches": self.saved_searches,
            "method": self.method,
        }

    def summary(self) -> str:
        lost = self.lost_at_most
        of = f" of at most {self.releases + lost:,}" if lost else ""
        tail = (
            f"; up to {lost:,} could not be read (fewer if some had been deleted)"
            if lost
            else "; how many could not be read is not known (the file cannot count them)"
            if lost is None
            else ""
        )
        return (
            f"Saved {self.releases:,}{of} releases, {_n(self.tags, 'tag')} on "
            f"{_n(self.tag_links, 'release')} and {_n(self.saved_searches, 'saved search')} "
            f"into {self.dest} "
            f"({self.method}){tail}. The damaged file was not changed."
        )


def _n(count: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("h") else "s")
    return f"{count:,} {noun if count == 1 else plural}"


def _one(conn: sqlite3.Connection, sql: str) -> Any:
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    try:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    except sqlite3.DatabaseError:
        return []


def read_rows(
    conn: sqlite3.Connection, table: str, columns: list[str], key: str
) -> Iterator[tuple[Any, ...]]:
    """Every readable row of `table`, by ranges of the integer `key`; unreadable rows are
    left out."""
    low = _one(conn, f"SELECT min({key}) FROM {table}")
    high = _one(conn, f"SELECT max({key}) FROM {table}")
    if low is None or high is None:
        # The tree cannot even say its ends (a file cut short): read in order as far as it
        # goes, then look for rows beyond the unreadable part.
        yield from _scan(conn, table, columns, key)
        return
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {key} BETWEEN ? AND ?"
    ranges = [(a, min(a + RANGE - 1, int(high))) for a in range(int(low), int(high) + 1, RANGE)]
    stack = list(reversed(ranges))
    while stack:
        a, b = stack.pop()
        try:
            rows = conn.execute(sql, (a, b)).fetchall()
        except sqlite3.DatabaseError:
            if a < b:
                middle = (a + b) // 2
                stack.append((middle + 1, b))
                stack.append((a, middle))
            continue
        yield from rows


#: How far beyond an unreadable part a scan looks for more rows: 1, 2, 4, ... ids on.
SCAN_REACH = 1 << 24


def _scan(
    conn: sqlite3.Connection, table: str, columns: list[str], key: str
) -> Iterator[tuple[Any, ...]]:
    """Every row of `table` readable in the order of `key`, stepping over unreadable parts."""
    sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {key} > ? ORDER BY {key}"
    position = columns.index(key) if key in columns else None
    if position is None:
        return
    after: int = -(1 << 62)
    while True:
        try:
            for row in conn.execute(sql, (after,)):
                key_value = int(row[position])
                if key_value <= after:
                    # A damaged tree can lead back to pages already read (ids out of order,
                    # or a loop of pages that never ends): take it as unreadable from here.
                    break
                after = key_value
                yield row
            else:
                return
        except sqlite3.DatabaseError:
            pass
        # Unreadable after `after`: find the next id that can be read, further and further on.
        step, found = 1, None
        while step <= SCAN_REACH and found is None:
            found = _one_param(
                conn, f"SELECT min({key}) FROM {table} WHERE {key} > ?", after + step
            )
            step *= 2
        if found is None:
            return
        after = int(found) - 1


def _one_param(conn: sqlite3.Connection, sql: str, value: int) -> Any:
    try:
        row = conn.execute(sql, (value,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def _whole_pages(damaged: Path, tmp: Path) -> Path:
    """`damaged`, or for a file cut short a copy padded with zeros to the size its header
    gives: SQLite finds the whole file malformed when pages it expects are missing, even the
    ones it could read, so the padding lets it read what is left."""
    try:
        size = damaged.stat().st_size
        with damaged.open("rb") as f:
            header = f.read(100)
    except OSError:
        return damaged
    if len(header) < 100 or not header.startswith(b"SQLite format 3\x00"):
        return damaged
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return damaged
    declared = int.from_bytes(header[28:32], "big") * page_size
    whole = max(declared, -(-size // page_size) * page_size)
    if whole <= size:
        return damaged
    padded = tmp / "padded.sqlite3"
    shutil.copyfile(damaged, padded)
    with padded.open("r+b") as f:
        f.truncate(whole)
    return padded


def _recover_with_shell(damaged: Path, scratch: Path) -> bool:
    """SQLite's `.recover` of `damaged` into `scratch`; False where there is no shell or it
    could not recover anything."""
    shell = shutil.which("sqlite3")
    if shell is None:
        return False
    try:
        dump = subprocess.run(
            [shell, f"file:{damaged.as_posix()}?mode=ro", ".recover"],
            capture_output=True,
            timeout=RECOVER_SECONDS,
            check=False,
        )
        if not dump.stdout:
            return False
        load = subprocess.run(
            [shell, str(scratch)],
            input=dump.stdout,
            capture_output=True,
            timeout=RECOVER_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return load.returncode == 0 or scratch.exists()


def salvage(damaged: Path, dest: Path) -> Job[SalvageReport]:
    """Copies what can be read of the archive file `damaged` into a new archive at `dest`
    (a folder that must not hold an archive yet), then builds its index."""
    from archive_browser.core.archive import DB_NAME, Archive

    damaged = Path(damaged).expanduser().absolute()
    if damaged.is_dir():
        damaged = damaged / DB_NAME
    if not damaged.is_file():
        raise UserFacingError(f"There is no archive file at {damaged}.")
    dest = Path(dest).expanduser().absolute()
    if (dest / DB_NAME).exists():
        raise UserFacingError(f"{dest} already holds an archive; name a new folder.")
    if dest == damaged.parent:
        raise UserFacingError("Salvage into a new folder, not into the damaged archive's own.")
    yield Progress(0, 4, f"Reading what can be read of {damaged.name}")
    with tempfile.TemporaryDirectory(prefix="archive-salvage-") as tmp:
        scratch = Path(tmp) / "recovered.sqlite3"
        readable = _whole_pages(damaged, Path(tmp))
        method = "sqlite3 .recover" if _recover_with_shell(readable, scratch) else "row by row"
        original = sqlite3.connect(f"{readable.as_uri()}?mode=ro", uri=True)
        source = sqlite3.connect(scratch) if method != "row by row" else original
        try:
            counted = _one(original, "SELECT count(*) FROM releases")
            highest = _one(original, "SELECT seq FROM sqlite_sequence WHERE name = 'releases'")
            if highest is None:
                highest = _one(source, "SELECT seq FROM sqlite_sequence WHERE name = 'releases'")
            report = yield from _copy(source, original, damaged, dest, method, counted, highest)
        finally:
            if source is not original:
                source.close()
            original.close()
    archive = Archive.open(dest)
    try:
        yield Progress(3, 4, "Building the new archive's index")
        yield from archive.reindex()
    finally:
        archive.close()
    return report


def _copy(
    source: sqlite3.Connection,
    original: sqlite3.Connection,
    damaged: Path,
    dest: Path,
    method: str,
    counted: int | None,
    highest: int | None,
) -> Job[SalvageReport]:
    from archive_browser.core.archive import Archive

    def rows(table: str, wanted: list[str], key: str) -> list[tuple[Any, ...]]:
        """The rows of `table` from the recovered copy, topped up row by row from the damaged
        file where the copy lacks them."""
        found: dict[Any, tuple[Any, ...]] = {}
        for conn in dict.fromkeys((source, original)):
            have = _columns(conn, table)
            if not have:
                continue
            cols = [c for c in wanted if c in have]
            position = cols.index(key) if key in cols else None
            for row in read_rows(conn, table, cols, key):
                full = dict(zip(cols, row, strict=True))
                marker = row[position] if position is not None else row
                found.setdefault(marker, tuple(full.get(c) for c in wanted))
        return list(found.values())

    releases = rows("releases", list(RELEASE_COLUMNS), "id")
    yield Progress(1, 4, f"Copying {len(releases):,} readable releases")
    tags = rows("tags", ["id", "name", "key"], "id")
    links = rows("release_tags", ["release_id", "tag_id"], "release_id")
    searches = rows("saved_searches", ["id", "name", "position", "spec"], "id")
    archive = Archive.open(dest)
    try:
        store = archive.store
        with store.transaction():
            saved = _insert_releases(store.conn, releases)
            kept_tags = _insert_tags(store.conn, tags)
            linked = {
                rid
                for rid, tid in links
                if rid in saved
                and tid in kept_tags
                and store.conn.execute(
                    "INSERT OR IGNORE INTO release_tags (release_id, tag_id) VALUES (?, ?)",
                    (rid, tid),
                ).rowcount
            }
            n_searches = 0
            for sid, name, position, spec in searches:
                if name is None or spec is None:
                    continue
                store.conn.execute(
                    "INSERT OR IGNORE INTO saved_searches (id, name, position, spec) "
                    "VALUES (?, ?, ?, ?)",
                    (sid, name, position or 0, spec),
                )
                n_searches += 1
        yield Progress(2, 4, f"Saved {len(saved):,} releases")
    finally:
        archive.close()
    return SalvageReport(
        damaged,
        dest,
        len(saved),
        highest,
        counted,
        len(kept_tags),
        len(linked),
        n_searches,
        method,
    )


def _insert_releases(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> set[int]:
    saved: set[int] = set()
    required = {"id", "body", "checksum", "added", "modified"}
    placeholders = ", ".join("?" for _ in RELEASE_COLUMNS)
    for row in rows:
        record = dict(zip(RELEASE_COLUMNS, row, strict=True))
        if any(record.get(name) in (None, "") for name in required - {"body"}) or not isinstance(
            record.get("body"), str
        ):
            continue
        record = {k: ("" if v is None and k not in ("date",) else v) for k, v in record.items()}
        # Both checksums are computed anew from what was read: the damaged file may be of an
        # older schema, or its checksums among what is damaged.
        record["checksum"] = record_checksum(
            record["body"], record["title"], record["date"], record["url"], record["source"]
        )
        cursor = conn.execute(
            f"INSERT OR IGNORE INTO releases ({', '.join(RELEASE_COLUMNS)}, text_checksum) "
            f"VALUES ({placeholders}, ?)",
            [*(record[c] for c in RELEASE_COLUMNS), checksum(record["body"])],
        )
        if cursor.rowcount:
            saved.add(int(record["id"]))
    # Releases of the same text are linked as possible duplicates, as an import links them.
    conn.execute(
        """INSERT OR IGNORE INTO release_matches (release_id, matched_id, kind)
           SELECT r.id, (SELECT min(o.id) FROM releases o
                         WHERE o.text_checksum = r.text_checksum AND o.id < r.id), 'possible'
           FROM releases r
           WHERE EXISTS (SELECT 1 FROM releases o
                         WHERE o.text_checksum = r.text_checksum AND o.id < r.id)"""
    )
    return saved


def _insert_tags(conn: sqlite3.Connection, rows: list[tuple[Any, ...]]) -> set[int]:
    kept: set[int] = set()
    for tid, name, _key in rows:
        if tid is None or not isinstance(name, str) or not name:
            continue
        cursor = conn.execute(
            "INSERT OR IGNORE INTO tags (id, name, key) VALUES (?, ?, ?)",
            (tid, name, tag_key(name)),
        )
        if cursor.rowcount:
            kept.add(int(tid))
    return kept

"""Paragraph reuse: which other releases hold a paragraph of this one, and since when.

The hashes of every release's countable paragraphs (see core.lineage.reuse) are kept in
`paragraph_hashes`, indexed by hash; `paragraph_done` names the releases already hashed. An
import hashes what it stored once its index is committed (`record_stored_paragraphs`, in
batches); releases stored before this table existed, or by another way in, are hashed by
`build()`, a job.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence

from archive_browser.core.archive.base import ArchiveBase, write_errors
from archive_browser.core.errors import CancelledError
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.lineage.reuse import (
    ParagraphReuse,
    hashed_paragraphs,
    is_boilerplate,
)
from archive_browser.core.store import Store

#: Releases hashed per transaction (after an import, and by `build()`). The hashes go into a
#: table ordered by hash, so that each transaction writes pages all over it: at 100,000
#: benchmark releases, batches of 500 took 13.5 s, of 5,000 10.3 s, and of 5,000 with
#: BULK_CACHE_KIB of SQLite cache 9.3 s.
BUILD_BATCH = 5000
#: SQLite's page cache while paragraphs are hashed in bulk (its default is 2 MiB).
BULK_CACHE_KIB = 65536


@contextlib.contextmanager
def _bulk_cache(store: Store) -> Iterator[None]:
    """A larger SQLite page cache for the connection while in the block, then the one before."""
    db = store.db
    before = int(db.execute("PRAGMA cache_size").fetchone()[0])
    db.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {before}")


def record_paragraphs(store: Store, releases: Sequence[tuple[int, str]]) -> None:
    """Hashes the paragraphs of (id, body) pairs just stored, inside the caller's
    transaction."""
    if not releases:
        return
    rows = [
        (p.hash, release_id, p.position)
        for release_id, body in releases
        for p in hashed_paragraphs(body)
    ]
    store.conn.executemany(
        "INSERT OR IGNORE INTO paragraph_hashes (hash, release_id, position) VALUES (?, ?, ?)",
        rows,
    )
    store.conn.executemany(
        "INSERT OR IGNORE INTO paragraph_done (release_id) VALUES (?)",
        [(release_id,) for release_id, _ in releases],
    )


def record_stored_paragraphs(store: Store, ids: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Hashes the paragraphs of releases already stored (what an import just stored), their
    bodies read back in batches of BUILD_BATCH, each batch committed; yields (done, total).
    Ids no longer stored are passed over."""
    order = sorted(set(ids))
    with _bulk_cache(store):
        for start in range(0, len(order), BUILD_BATCH):
            chunk = order[start : start + BUILD_BATCH]
            bodies = store.release_rows(chunk, ("body",))
            with store.transaction():
                record_paragraphs(store, [(int(i), str(b)) for i, (b,) in bodies.items()])
            yield start + len(chunk), len(order)


class ReuseManager:
    """Answers paragraph reuse for one archive and keeps its table complete."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    def missing_count(self) -> int:
        """How many releases are not hashed yet (e.g. stored before the table existed)."""
        row = self._archive.store.db.execute(
            "SELECT count(*) FROM releases r "
            "WHERE NOT EXISTS (SELECT 1 FROM paragraph_done d WHERE d.release_id = r.id)"
        ).fetchone()
        return int(row[0])

    def paragraph_reuse(self, release_id: int) -> list[ParagraphReuse]:
        """Every countable paragraph of a release, with the other releases that hold it.
        A release not hashed yet is hashed here (not stored), so that the answer is right
        in an archive open read-only too."""
        store = self._archive.store
        release = store.get_release(release_id)
        total = store.count()
        db = store.db
        out: list[ParagraphReuse] = []
        for p in hashed_paragraphs(release.body):
            rows = db.execute(
                "SELECT p.release_id, r.date FROM paragraph_hashes p "
                "JOIN releases r ON r.id = p.release_id "
                "WHERE p.hash = ? AND p.release_id != ?",
                [p.hash, release_id],
            ).fetchall()
            holders = sorted(
                [(d, i) for i, d in rows] + [(release.date, release_id)],
                key=lambda x: (x[0] is None, x[0] or "", x[1]),
            )
            first_date, first_id = holders[0]
            out.append(
                ParagraphReuse(
                    position=p.position,
                    start=p.start,
                    end=p.end,
                    text=release.body[p.start : p.end],
                    ids=[i for _, i in holders if i != release_id],
                    first_id=first_id,
                    first_date=first_date,
                    boilerplate=is_boilerplate(len(holders), total),
                )
            )
        return out

    def build(self, *, full: bool = False) -> Job[int]:
        """Hashes the paragraphs of every release not hashed yet (all of them with `full`,
        after clearing the table); returns how many releases were hashed. Each batch is
        committed: a cancelled build keeps what it did and the next one goes on from there."""
        archive = self._archive
        archive.require_writable()
        done = 0
        with archive.write_lock, write_errors(archive.folder), _bulk_cache(archive.store):
            store = archive.store
            if full:
                with store.transaction():
                    store.db.execute("DELETE FROM paragraph_hashes")
                    store.db.execute("DELETE FROM paragraph_done")
            total = self.missing_count()
            last = 0
            try:
                yield Progress(0, total, "Finding reused paragraphs")
                while True:
                    rows = store.db.execute(
                        "SELECT r.id, r.body FROM releases r WHERE r.id > ? AND NOT EXISTS "
                        "(SELECT 1 FROM paragraph_done d WHERE d.release_id = r.id) "
                        "ORDER BY r.id LIMIT ?",
                        [last, BUILD_BATCH],
                    ).fetchall()
                    if not rows:
                        break
                    with store.transaction():
                        record_paragraphs(store, [(int(i), str(b)) for i, b in rows])
                    done += len(rows)
                    last = rows[-1][0]
                    yield Progress(done, total, f"Paragraphs of {done:,} of {total:,} releases")
            except CancelledError:
                return done
        return done

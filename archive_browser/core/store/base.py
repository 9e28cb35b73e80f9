"""What every part of a store shares: the connection, and marking releases for the index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

import sqlite_utils


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class StoreBase:
    """The connection and the release-id helpers the tables of a store build on."""

    db: sqlite_utils.Database
    conn: sqlite3.Connection

    def existing_ids(self, ids: Sequence[int]) -> list[int]:
        found: set[int] = set()
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            found.update(
                r[0]
                for r in self.db.execute(f"SELECT id FROM releases WHERE id IN ({marks})", chunk)
            )
        return [i for i in ids if i in found]

    def _touch(self, ids: Sequence[int]) -> None:
        stamp = now_iso()
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            self.db.execute(
                f"UPDATE releases SET rev = rev + 1, modified = ? WHERE id IN ({marks})",
                [stamp, *chunk],
            )
        self.enqueue(ids)

    def enqueue(self, ids: Iterable[int]) -> None:
        self.conn.executemany(
            "INSERT INTO index_queue (release_id) VALUES (?)", [(i,) for i in ids]
        )

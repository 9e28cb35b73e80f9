"""The saved searches of a store, and the index work it has recorded."""

from __future__ import annotations

from collections.abc import Sequence

from archive_browser.core.store.base import StoreBase


class SavedSearchTables(StoreBase):
    """Saved searches, stored as JSON specs in the user's order."""

    def saved_searches(self) -> list[tuple[int, str, str]]:
        """(id, name, spec as JSON) of every saved search, in the user's order."""
        rows = self.db.execute("SELECT id, name, spec FROM saved_searches ORDER BY position, id")
        return [(int(i), str(n), str(s)) for i, n, s in rows]

    def add_saved_search(self, name: str, spec: str) -> int:
        position = self.db.execute(
            "SELECT coalesce(max(position), -1) + 1 FROM saved_searches"
        ).fetchone()[0]
        cur = self.db.execute(
            "INSERT INTO saved_searches (name, position, spec) VALUES (?, ?, ?)",
            [name, position, spec],
        )
        return int(cur.lastrowid or 0)

    def update_saved_search(
        self, search_id: int, *, name: str | None = None, spec: str | None = None
    ) -> None:
        if name is not None:
            self.db.execute("UPDATE saved_searches SET name = ? WHERE id = ?", [name, search_id])
        if spec is not None:
            self.db.execute("UPDATE saved_searches SET spec = ? WHERE id = ?", [spec, search_id])

    def delete_saved_search(self, search_id: int) -> None:
        self.db.execute("DELETE FROM saved_searches WHERE id = ?", [search_id])

    def order_saved_searches(self, ids: Sequence[int]) -> None:
        self.conn.executemany(
            "UPDATE saved_searches SET position = ? WHERE id = ?",
            [(position, i) for position, i in enumerate(ids)],
        )


class IndexQueue(StoreBase):
    """Index work recorded in the transaction of each change, cleared once applied."""

    def pending(self, after: int = 0) -> list[tuple[int, int]]:
        """(sequence number, release id) of index work not yet applied, oldest first."""
        sql = "SELECT seq, release_id FROM index_queue WHERE seq > ? ORDER BY seq"
        return [(s, r) for s, r in self.db.execute(sql, [after])]

    def last_pending(self) -> int:
        """The sequence number of the newest index work recorded (0 when there is none)."""
        return int(self.db.execute("SELECT max(seq) FROM index_queue").fetchone()[0] or 0)

    def pending_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM index_queue").fetchone()[0])

    def clear_pending(self, upto_seq: int) -> None:
        self.db.execute("DELETE FROM index_queue WHERE seq <= ?", [upto_seq])

"""The tag tables of a store: tags, and which releases carry them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from archive_browser.core.errors import NotFoundError
from archive_browser.core.store.base import StoreBase, chunks
from archive_browser.core.tagnames import clean_tag, tag_key


class TagTables(StoreBase):
    """Reading and changing tags; every change marks the releases it touched for the index."""

    def tags_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"""SELECT rt.release_id, t.name
                    FROM release_tags rt JOIN tags t ON t.id = rt.tag_id
                    WHERE rt.release_id IN ({marks}) ORDER BY t.key""",
                chunk,
            )
            for release_id, name in rows:
                out.setdefault(release_id, []).append(name)
        return out

    def _tag_id(self, name: str, *, create: bool) -> int | None:
        name = clean_tag(name)
        key = tag_key(name)
        row = self.db.execute("SELECT id FROM tags WHERE key = ?", [key]).fetchone()
        if row:
            return int(row[0])
        if not create:
            return None
        cur = self.db.execute("INSERT INTO tags (name, key) VALUES (?, ?)", [name, key])
        return int(cur.lastrowid or 0)

    def _link_tags(self, ids: Sequence[int], names: Iterable[str]) -> set[int]:
        """Links tags to releases; returns the ids that gained a tag."""
        changed: set[int] = set()
        for name in names:
            tag_id = self._tag_id(name, create=True)
            for chunk in chunks(ids, 900):
                had = set(self._ids_with_tag(chunk, tag_id))
                new = [i for i in chunk if i not in had]
                self.conn.executemany(
                    "INSERT INTO release_tags (release_id, tag_id) VALUES (?, ?)",
                    [(i, tag_id) for i in new],
                )
                changed.update(new)
        return changed

    def _ids_with_tag(self, ids: Sequence[int], tag_id: int | None) -> list[int]:
        marks = ",".join("?" * len(ids))
        return [
            r[0]
            for r in self.db.execute(
                f"SELECT release_id FROM release_tags WHERE tag_id = ? AND release_id IN ({marks})",
                [tag_id, *ids],
            )
        ]

    def add_tags(self, ids: Sequence[int], names: Iterable[str]) -> list[int]:
        """Adds tags to releases; returns the ids that gained a tag."""
        changed = sorted(self._link_tags(self.existing_ids(ids), names))
        self._touch(changed)
        return changed

    def remove_tags(self, ids: Sequence[int], names: Iterable[str]) -> list[int]:
        """Removes tags from releases; returns the ids that lost a tag."""
        changed: set[int] = set()
        for name in names:
            tag_id = self._tag_id(name, create=False)
            if tag_id is None:
                continue
            for chunk in chunks(ids, 900):
                had = self._ids_with_tag(chunk, tag_id)
                if had:
                    marks = ",".join("?" * len(had))
                    self.db.execute(
                        f"DELETE FROM release_tags WHERE tag_id = ? AND release_id IN ({marks})",
                        [tag_id, *had],
                    )
                    changed.update(had)
        result = sorted(changed)
        self._touch(result)
        self._drop_unused_tags()
        return result

    def ids_with_tag(self, name: str) -> list[int]:
        tag_id = self._tag_id(name, create=False)
        if tag_id is None:
            return []
        return [
            r[0]
            for r in self.db.execute(
                "SELECT release_id FROM release_tags WHERE tag_id = ? ORDER BY release_id", [tag_id]
            )
        ]

    def rename_tag(self, old: str, new: str) -> list[int]:
        """Renames a tag, merging it into `new` when that tag exists. Returns the ids whose
        tags changed."""
        old_id = self._tag_id(old, create=False)
        if old_id is None:
            raise NotFoundError(f"There is no tag {old!r}.")
        new = clean_tag(new)
        target = self._tag_id(new, create=False)
        affected = self.ids_with_tag(old)
        if target is None or target == old_id:
            self.db.execute(
                "UPDATE tags SET name = ?, key = ? WHERE id = ?", [new, tag_key(new), old_id]
            )
        else:
            self.db.execute(
                "INSERT OR IGNORE INTO release_tags (release_id, tag_id) "
                "SELECT release_id, ? FROM release_tags WHERE tag_id = ?",
                [target, old_id],
            )
            self.db.execute("DELETE FROM tags WHERE id = ?", [old_id])
        self._touch(affected)
        return affected

    def delete_tag(self, name: str) -> list[int]:
        tag_id = self._tag_id(name, create=False)
        if tag_id is None:
            raise NotFoundError(f"There is no tag {name!r}.")
        affected = self.ids_with_tag(name)
        self.db.execute("DELETE FROM tags WHERE id = ?", [tag_id])
        self._touch(affected)
        return affected

    def _drop_unused_tags(self) -> None:
        self.db.execute(
            "DELETE FROM tags WHERE id NOT IN (SELECT DISTINCT tag_id FROM release_tags)"
        )

    def tag_counts(self) -> list[tuple[str, int]]:
        rows = self.db.execute(
            """SELECT t.name, count(rt.release_id) FROM tags t
               LEFT JOIN release_tags rt ON rt.tag_id = t.id
               GROUP BY t.id ORDER BY t.key"""
        )
        return [(name, n) for name, n in rows]

    def tag_members(self, names: Iterable[str]) -> dict[str, list[int]]:
        """For each tag name, the ids of the releases that have it (empty when none)."""
        return {name: self.ids_with_tag(name) for name in names}

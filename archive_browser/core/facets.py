"""Facet counts (tags, years, sources, languages, kinds) of a set of releases, from memory.

Counting in SQLite joined the result ids to the releases once per facet: 440 ms for a broad
query on 100,000 releases. Here each release's year, source, language, kind and tags are read
once into compact arrays (a few MB for 100,000 releases) and counted in Python; the arrays are
read again when the archive has changed since.
"""

from __future__ import annotations

import threading
from array import array
from collections import Counter
from collections.abc import Sequence
from itertools import chain, repeat
from typing import Any

FIELDS = ("year", "source", "language", "kind")


class _Codes:
    """Strings as small integers: `code(value)` and back through `values`."""

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def code(self, value: str | None) -> int:
        value = value or ""
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.values)
            self.values.append(value)
        return found


class FacetCounts:
    """The facet columns of every release, read on first use and when the archive changed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: Any = None
        self._codes: dict[str, _Codes] = {}
        self._columns: dict[str, array[int]] = {}
        self._tags: dict[int, tuple[int, ...]] = {}
        self._tag_names: list[str] = []
        self._ids: list[int] = []

    def _load(self, db: Any) -> None:
        size = int(db.execute("SELECT coalesce(max(id), 0) + 1 FROM releases").fetchone()[0])
        codes = {name: _Codes() for name in FIELDS}
        columns = {name: array("I", bytes(4 * size)) for name in FIELDS}
        ids = []
        rows = db.execute("SELECT id, substr(date, 1, 4), source, language, kind FROM releases")
        for release_id, *values in rows:
            ids.append(release_id)
            for name, value in zip(FIELDS, values, strict=True):
                columns[name][release_id] = codes[name].code(value)
        tag_names = {tag_id: name for tag_id, name in db.execute("SELECT id, name FROM tags")}
        by_release: dict[int, list[int]] = {}
        for release_id, tag_id in db.execute("SELECT release_id, tag_id FROM release_tags"):
            by_release.setdefault(release_id, []).append(tag_id)
        names = sorted(set(tag_names.values()))
        position = {name: i for i, name in enumerate(names)}
        self._tags = {
            release_id: tuple(position[tag_names[t]] for t in tags)
            for release_id, tags in by_release.items()
        }
        self._tag_names = names
        self._codes, self._columns, self._ids = codes, columns, ids

    def counts(
        self, db: Any, stamp: Any, ids: Sequence[int] | None, limit: int = 50
    ) -> dict[str, list[tuple[str, int]]]:
        """Counts by tag, year, source, language and kind among `ids` (every release when
        None), most frequent first (years newest first); `stamp` changes with the archive."""
        with self._lock:
            if stamp != self._stamp:
                self._load(db)
                self._stamp = stamp
            size = len(self._columns["year"])
            selection: Sequence[int] = self._ids if ids is None else ids
            if selection and max(selection) >= size:  # changed since: not counted yet
                selection = [i for i in selection if i < size]
            out: dict[str, list[tuple[str, int]]] = {}
            # map() and Counter count in C: 58,000 ids in a few ms, not tens.
            for name in FIELDS:
                column, values = self._columns[name], self._codes[name].values
                counted = Counter(map(column.__getitem__, selection))
                counted.pop(0, None)  # no value
                pairs = [(values[code], n) for code, n in counted.items()]
                if name == "year":
                    pairs.sort(key=lambda p: p[0], reverse=True)
                else:
                    pairs.sort(key=lambda p: (-p[1], p[0]))
                out[name] = pairs[:limit]
            counted = Counter(chain.from_iterable(map(self._tags.get, selection, repeat(()))))
            tag_pairs = sorted(
                ((self._tag_names[t], n) for t, n in counted.items()),
                key=lambda p: (-p[1], p[0].casefold()),
            )
            out = {"tag": tag_pairs[:limit], **out}
        return out

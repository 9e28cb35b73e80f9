"""Saved searches: named search specs kept in the archive, in the user's order."""

from __future__ import annotations

from collections.abc import Sequence

from archive_browser.core.archive.base import ArchiveBase
from archive_browser.core.changes import Changes
from archive_browser.core.errors import UserFacingError
from archive_browser.core.search import SavedSearch, SearchSpec
from archive_browser.core.textnorm import one_line


class SavedSearchManager:
    """The saved searches of one archive."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    def all(self) -> list[SavedSearch]:
        """Every saved search in order; one whose spec cannot be read is named so."""
        out = []
        for search_id, name, spec in self._archive.store.saved_searches():
            try:
                out.append(SavedSearch(search_id, name, SearchSpec.from_json(spec)))
            except UserFacingError:
                out.append(SavedSearch(search_id, f"{name} (unreadable)", SearchSpec()))
        return out

    def add(self, name: str, spec: SearchSpec) -> Changes:
        """Saves a search; `new_id` is its id."""
        name = _name(name)
        new_id = int(self._archive.change(lambda s: s.add_saved_search(name, spec.to_json())))
        return Changes(saved_searches=True, new_id=new_id)

    def rename(self, search_id: int, name: str) -> Changes:
        name = _name(name)
        self._archive.change(lambda s: s.update_saved_search(search_id, name=name))
        return Changes(saved_searches=True)

    def delete(self, search_id: int) -> Changes:
        self._archive.change(lambda s: s.delete_saved_search(search_id))
        return Changes(saved_searches=True)

    def order(self, ids: Sequence[int]) -> Changes:
        self._archive.change(lambda s: s.order_saved_searches(list(ids)))
        return Changes(saved_searches=True)


def _name(name: str) -> str:
    name = one_line(name)
    if not name:
        raise UserFacingError("A saved search needs a name.")
    return name

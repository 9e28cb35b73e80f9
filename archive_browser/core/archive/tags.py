"""Tags of an archive's releases: adding, removing, renaming, and undoing a tag operation."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Iterable, Sequence

from archive_browser.core.archive.base import ArchiveBase
from archive_browser.core.changes import Changes
from archive_browser.core.errors import NotFoundError, UserFacingError
from archive_browser.core.search import Filter, SearchSpec
from archive_browser.core.store import Store
from archive_browser.core.tagnames import clean_tag, tag_key


class TagManager:
    """The tags of one archive; every change says which releases it touched."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    def add(self, ids: Sequence[int], tags: Iterable[str]) -> Changes:
        """Adds tags to releases; `releases` holds the ids that gained a tag."""
        names = _clean_tags(tags)
        return Changes.of_tags(self._archive.change(lambda s: s.add_tags(list(ids), names)))

    def remove(self, ids: Sequence[int], tags: Iterable[str]) -> Changes:
        """Removes tags from releases; `releases` holds the ids that lost a tag."""
        names = _clean_tags(tags)
        return Changes.of_tags(self._archive.change(lambda s: s.remove_tags(list(ids), names)))

    def rename(self, old: str, new: str) -> Changes:
        """Renames a tag (merging it into `new` if that exists)."""
        _clean_tags([new])
        return Changes.of_tags(self._archive.change(lambda s: s.rename_tag(old, new)))

    def rename_in_searches(
        self, old: str, new: str, only: Sequence[int] | None = None
    ) -> tuple[Changes, list[int]]:
        """Makes saved searches that use the tag `old` (as `tag:old` or a filter) use `new`
        (only those of `only` when given); returns the changes and the ids rewritten."""
        saved = self._archive.store.saved_searches()
        rewritten: dict[int, str] = {}
        for search_id, _name, text in saved:
            if only is not None and search_id not in only:
                continue
            try:
                spec = SearchSpec.from_json(text)
            except UserFacingError:
                continue
            renamed = retag_spec(spec, old, new)
            if renamed != spec:
                rewritten[search_id] = renamed.to_json()
        if rewritten:

            def apply(store: Store) -> None:
                for search_id, spec_text in rewritten.items():
                    store.update_saved_search(search_id, spec=spec_text)

            self._archive.change(apply)
        return Changes(saved_searches=bool(rewritten)), sorted(rewritten)

    def delete(self, name: str) -> Changes:
        return Changes.of_tags(self._archive.change(lambda s: s.delete_tag(name)))

    def ids_with(self, name: str) -> list[int]:
        return self._archive.store.ids_with_tag(name)

    def counts(self) -> list[tuple[str, int]]:
        """Every tag with the number of releases carrying it, by name."""
        return self._archive.store.tag_counts()

    def of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        return self._archive.store.tags_of(ids)

    def snapshot(self, names: Iterable[str]) -> dict[str, list[int]]:
        """Which releases carry each of these tags: what `restore()` needs to undo a tag
        operation."""
        return self._archive.store.tag_members(names)

    def restore(self, snapshot: dict[str, list[int]]) -> Changes:
        """Gives each tag of a snapshot exactly the releases it had then."""

        def apply(store: Store) -> list[int]:
            changed: set[int] = set()
            for name, ids in snapshot.items():
                now = set(store.ids_with_tag(name))
                then = set(store.existing_ids(ids))
                changed.update(store.remove_tags(sorted(now - then), [name]))
                changed.update(store.add_tags(sorted(then - now), [name]))
                if not then and not store.ids_with_tag(name):
                    # A tag the operation made (a rename's new name) goes again.
                    with contextlib.suppress(NotFoundError):
                        store.delete_tag(name)
            return sorted(changed)

        return Changes.of_tags(self._archive.change(apply))


def retag_query(query: str, old: str, new: str) -> str:
    """A query with each `tag:old` (quoted or not, any case) made `tag:new`."""
    quoted = f'"{new}"' if re.search(r'[\s()"]', new) else new
    pattern = rf'(?i)\b(tag:)(?:"{re.escape(old)}"|{re.escape(old)}(?=$|[\s)]))'
    return re.sub(pattern, lambda m: m.group(1) + quoted, query)


def retag_spec(spec: SearchSpec, old: str, new: str) -> SearchSpec:
    """A search spec with the tag `old` made `new`, in its query and its filters."""
    key = tag_key(old)
    filters = tuple(
        Filter("tag", new) if f.field == "tag" and tag_key(f.value) == key else f
        for f in spec.filters
    )
    return dataclasses.replace(spec, query=retag_query(spec.query, old, new), filters=filters)


def _clean_tags(tags: Iterable[str]) -> list[str]:
    try:
        names = [clean_tag(t) for t in tags]
    except ValueError as e:
        raise UserFacingError(str(e)) from None
    if not names:
        raise UserFacingError("Name at least one tag.")
    return names

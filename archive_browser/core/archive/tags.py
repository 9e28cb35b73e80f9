"""Tags of an archive's releases: adding, removing, renaming, and undoing a tag operation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from archive_browser.core.archive.base import ArchiveBase
from archive_browser.core.changes import Changes
from archive_browser.core.errors import UserFacingError
from archive_browser.core.store import Store
from archive_browser.core.tagnames import clean_tag


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
            return sorted(changed)

        return Changes.of_tags(self._archive.change(apply))


def _clean_tags(tags: Iterable[str]) -> list[str]:
    try:
        names = [clean_tag(t) for t in tags]
    except ValueError as e:
        raise UserFacingError(str(e)) from None
    if not names:
        raise UserFacingError("Name at least one tag.")
    return names

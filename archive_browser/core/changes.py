"""What a write to the archive changed, so that each part of the window refreshes only what
concerns it (in the spirit of Anki's OpChanges)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Changes:
    """The parts of an archive one operation changed.

    `releases` are the ids whose stored fields or tags changed; `removed` the ids deleted;
    `added` the ids stored anew. `everything` is set by operations after which nothing shown
    can be trusted (an import, a restore, a rebuild)."""

    releases: frozenset[int] = frozenset()
    added: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    #: Tag names, counts or memberships changed.
    tags: bool = False
    #: Title, date, source or another stored field changed (what facets and sorting read).
    metadata: bool = False
    saved_searches: bool = False
    #: Which releases are versions of which changed (clusters, "first versions only").
    versions: bool = False
    #: The index was rebuilt or brought up to date.
    index: bool = False
    everything: bool = False
    #: The id of what the operation created (a saved search), where it created one.
    new_id: int | None = None

    @classmethod
    def all(cls) -> Changes:
        return cls(
            everything=True,
            tags=True,
            metadata=True,
            saved_searches=True,
            index=True,
            versions=True,
        )

    @classmethod
    def of_tags(cls, ids: Iterable[int]) -> Changes:
        return cls(releases=frozenset(ids), tags=True)

    @property
    def results(self) -> bool:
        """Whether a search's results (membership, order, shown fields) may be stale."""
        return bool(
            self.everything
            or self.releases
            or self.added
            or self.removed
            or self.metadata
            or self.versions
        )

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            releases=self.releases | other.releases,
            added=self.added | other.added,
            removed=self.removed | other.removed,
            tags=self.tags or other.tags,
            metadata=self.metadata or other.metadata,
            saved_searches=self.saved_searches or other.saved_searches,
            index=self.index or other.index,
            versions=self.versions or other.versions,
            everything=self.everything or other.everything,
            new_id=self.new_id if self.new_id is not None else other.new_id,
        )

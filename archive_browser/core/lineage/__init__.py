"""The lineage of releases: versions (near-duplicates by MinHash and LSH over word shingles),
their clusters and the user's decisions about them. Qt-free; the archive's manager
(core/archive/lineage.py) runs it on the archive's SQLite file."""

from __future__ import annotations

from dataclasses import dataclass, field

#: Pairs are kept from this exact similarity on (clusters can be asked for at any threshold
#: from here up).
PAIR_FLOOR = 0.5
#: The similarity from which two releases are versions of each other, unless asked otherwise.
DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True, slots=True)
class Version:
    """One release of a cluster, with its similarity to the release asked about (the exact
    similarity of their word shingles, minhash.similarity) and the MinHash estimate of their
    Jaccard similarity."""

    id: int
    date: str | None
    title: str
    source: str
    similarity: float
    estimate: float
    first: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "source": self.source,
            "similarity": round(self.similarity, 4),
        }


@dataclass(frozen=True, slots=True)
class VersionsReport:
    """A release's versions, first seen first, then by date (the release itself among them);
    `cluster` is None when it has no other version. `built` is False while the archive's
    versions have not been computed yet."""

    id: int
    cluster: int | None
    versions: list[Version] = field(default_factory=list)
    built: bool = True

    def others(self) -> list[Version]:
        return [v for v in self.versions if v.id != self.id]

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "cluster": self.cluster,
            "versions": [v.to_json() for v in self.versions],
        }


@dataclass(frozen=True, slots=True)
class Cluster:
    """Releases that are versions of each other: `ids` first seen first, then by date;
    `min_similarity` is the weakest link: each member is at least this like another."""

    id: int
    ids: list[int]
    first_id: int
    min_similarity: float

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "ids": self.ids,
            "first_id": self.first_id,
            "min_similarity": round(self.min_similarity, 4),
        }

"""Versions of releases in one archive: kept up to date on every import, rebuilt on request,
read for the Versions panel and the results, corrected by the user's decisions."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from archive_browser.core.archive.base import ArchiveBase, write_errors
from archive_browser.core.changes import Changes
from archive_browser.core.errors import NotFoundError, UserFacingError
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.lineage import (
    DEFAULT_THRESHOLD,
    PAIR_FLOOR,
    Cluster,
    Version,
    VersionsReport,
)
from archive_browser.core.lineage import minhash as mh
from archive_browser.core.lineage.bulk import rebuild
from archive_browser.core.lineage.tables import APART, BATCH, JOIN, LineageTables

BUILT_KEY = "lineage_built"
#: From this many releases to sign, an update signs the whole archive at once instead.
BULK_FROM = 5000


def update_lineage(
    archive: ArchiveBase, ids: Sequence[int] | None = None
) -> Iterator[tuple[int, int]]:
    """Signs the releases stored or changed since the last update, finds their versions and
    reclusters what they touch; forgets deleted releases. Yields (done, total).

    With `ids` (what an import stored, or a deletion removed) only those are looked at, and
    every release stored after the last one signed (e.g. by an import that was stopped): a
    check in milliseconds at any size. Without, every release is (a scan of the archive)."""
    store = archive.store
    tables = LineageTables(store.conn)
    built = store.get_meta(BUILT_KEY)
    # Lineage data of another version (signatures, bands) is computed anew, at any size.
    if (built is None and store.count() >= BULK_FROM) or built not in (None, mh.DATA_VERSION):
        for done, total, _what in _rebuild(archive, tables):
            yield done, total
        return
    with write_errors(archive.folder), store.transaction():
        gone = tables.gone() if ids is None else tables.gone_among(ids)
        touched = tables.forget(gone) if gone else set()
        todo = tables.unsigned() if ids is None else tables.unsigned_among(ids)
        stale = [i for i in tables.signatures(todo)]
        if stale:
            touched |= tables.forget(stale)
        if store.get_meta(BUILT_KEY) is None:
            store.set_meta(BUILT_KEY, mh.DATA_VERSION)
    for start in range(0, len(todo), BATCH):
        part = todo[start : start + BATCH]
        with write_errors(archive.folder), store.transaction():
            touched |= tables.sign(part)
            tables.recluster(set(part) | touched)
        touched = set()
        yield min(start + BATCH, len(todo)), len(todo)
    if touched:
        with write_errors(archive.folder), store.transaction():
            tables.recluster(touched)


def _rebuild(archive: ArchiveBase, tables: LineageTables) -> Iterator[tuple[int, int, str]]:
    store = archive.store
    with write_errors(archive.folder), store.transaction():
        yield from rebuild(tables)
        store.set_meta(BUILT_KEY, mh.DATA_VERSION)


class LineageManager:
    """Versions and clusters of one archive."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    @property
    def _tables(self) -> LineageTables:
        return LineageTables(self._archive.store.conn)

    @property
    def built(self) -> bool:
        """Whether the archive's versions were computed (an archive made before they were
        needs `rebuild()` once; every import after that keeps them up to date)."""
        return self._archive.store.get_meta(BUILT_KEY) == mh.DATA_VERSION

    def rebuild(self) -> Job[None]:
        """Computes every release's signature, pairs and clusters anew, keeping the user's
        decisions."""
        archive = self._archive
        archive.require_writable()
        with archive.write_lock:
            for done, total, what in _rebuild(archive, self._tables):
                yield Progress(done, total, what)
            archive.data_generation += 1
        total = archive.store.count()
        yield Progress(total, total, "Versions found")

    def update(self, ids: Sequence[int] | None = None) -> None:
        """Brings the versions up to date now (after a change made outside an import): of
        these releases, or of all (see update_lineage)."""
        archive = self._archive
        archive.require_writable()
        with archive.write_lock:
            for _ in update_lineage(archive, ids):
                pass

    # --- reading

    def versions(self, release_id: int) -> VersionsReport:
        """The release's versions with their exact similarity to it (first seen first)."""
        store = self._archive.store
        if not store.existing_ids([release_id]):
            raise NotFoundError(f"There is no release with id {release_id}.")
        tables = self._tables
        row = store.db.execute(
            "SELECT cluster_id FROM lineage_clusters WHERE release_id = ?", [release_id]
        ).fetchone()
        cluster = int(row[0]) if row else None
        members = (
            [
                int(r[0])
                for r in store.db.execute(
                    "SELECT release_id FROM lineage_clusters WHERE cluster_id = ? "
                    "ORDER BY position",
                    [cluster],
                )
            ]
            if cluster is not None
            else [release_id]
        )
        shingles = tables.shingles_of(members)
        sigs = tables.signatures(members)
        rows = store.release_rows(members, ("date", "title", "source"))
        mine, my_sig = shingles.get(release_id), sigs.get(release_id)
        out = []
        for position, i in enumerate(members):
            if i not in rows:
                continue
            date, title, source = rows[i]
            exact = 1.0 if i == release_id else mh.similarity(mine, shingles[i])  # type: ignore[arg-type]
            est = mh.estimate(my_sig, sigs[i]) if my_sig is not None and i in sigs else 0.0
            out.append(Version(i, date, title, source, exact, est, first=position == 0))
        return VersionsReport(release_id, cluster, out, built=self.built)

    def clusters(self, min_similarity: float = DEFAULT_THRESHOLD) -> list[Cluster]:
        """Clusters of two or more releases at this threshold, by first id."""
        if not PAIR_FLOOR <= min_similarity <= 1:
            raise UserFacingError(
                f"The least similarity is between {PAIR_FLOOR} and 1, not {min_similarity}."
            )
        tables = self._tables
        if min_similarity == DEFAULT_THRESHOLD:
            groups: dict[int, list[int]] = {}
            for i, c in self._archive.store.db.execute(
                "SELECT release_id, cluster_id FROM lineage_clusters ORDER BY cluster_id, position"
            ):
                groups.setdefault(int(c), []).append(int(i))
            lists = [groups[c] for c in sorted(groups)]
            pairs = tables.all_pairs(PAIR_FLOOR)
        else:
            pairs = tables.all_pairs(min_similarity)
            found = tables.groups(pairs, min_similarity, tables.decisions())
            lists = [tables.ordered(g) for g in found]
        best: dict[int, float] = {}
        member_of = {i: n for n, members in enumerate(lists) for i in members}
        for a, b, sim in pairs:
            if a in member_of and member_of.get(b) == member_of[a]:
                best[a] = max(best.get(a, 0.0), sim)
                best[b] = max(best.get(b, 0.0), sim)
        out = []
        for members in lists:
            weakest = min(best.get(i, 0.0) for i in members)
            out.append(Cluster(min(members), members, members[0], weakest))
        return sorted(out, key=lambda c: c.id)

    def cluster_sizes(self, ids: Sequence[int]) -> dict[int, int]:
        """How many versions each release has (itself included: 1 when it has no other)."""
        db = self._archive.store.db
        out = dict.fromkeys(ids, 1)
        for start in range(0, len(ids), 900):
            chunk = list(ids[start : start + 900])
            marks = ",".join("?" * len(chunk))
            for i, n in db.execute(
                f"SELECT c.release_id, (SELECT count(*) FROM lineage_clusters d "
                f"WHERE d.cluster_id = c.cluster_id) FROM lineage_clusters c "
                f"WHERE c.release_id IN ({marks})",
                chunk,
            ):
                out[int(i)] = int(n)
        return out

    def first_versions(self, ids: Sequence[int]) -> list[int]:
        """The ids, in their order, without the releases that are later versions of another."""
        later = {
            int(r[0])
            for r in self._archive.store.db.execute(
                "SELECT release_id FROM lineage_clusters WHERE position > 0"
            )
        }
        return [i for i in ids if i not in later] if later else list(ids)

    # --- the user's decisions

    def _decide(self, involved: Sequence[int], write: object) -> Changes:
        archive = self._archive
        archive.require_writable()
        missing = sorted(set(involved) - set(archive.store.existing_ids(list(involved))))
        if missing:
            raise NotFoundError(f"There is no release with id {', '.join(map(str, missing))}.")
        with archive.write_lock, write_errors(archive.folder), archive.store.transaction():
            tables = self._tables
            before = set(tables.cluster_mates(list(involved))) | set(involved)
            write(tables)  # type: ignore[operator]
            tables.recluster(before)
            after = set(tables.cluster_mates(list(before)))
        archive.data_generation += 1
        return Changes(releases=frozenset(before | after), versions=True)

    def split(self, release_id: int) -> Changes:
        """Takes a release out of its cluster: it is not a version of any of its members."""

        def write(tables: LineageTables) -> None:
            mates = [i for i in tables.cluster_mates([release_id]) if i != release_id]
            if not mates:
                raise UserFacingError(f"Release {release_id} has no other version to split from.")
            tables.undo_joins_of([release_id])
            tables.decide([(release_id, m) for m in mates], APART)

        return self._decide([release_id], write)

    def merge(self, a: int, b: int) -> Changes:
        """Makes the clusters of two releases one (whatever their similarity)."""
        if a == b:
            raise UserFacingError("A release is already a version of itself.")

        def write(tables: LineageTables) -> None:
            members = set(tables.cluster_mates([a, b])) | {a, b}
            tables.decide([(a, m) for m in sorted(members) if m != a], JOIN)

        return self._decide([a, b], write)

    def not_version(self, a: int, b: int) -> Changes:
        """Records that two releases are not versions of each other: they are never put in
        one cluster again."""
        if a == b:
            raise UserFacingError("A release is always a version of itself.")

        def write(tables: LineageTables) -> None:
            tables.decide([(a, b)], APART)

        return self._decide([a, b], write)

"""The lineage tables of an archive's SQLite file (see store/schema.py, _migration_lineage):
signing releases, finding their candidates through the LSH bands, confirming pairs by their
exact shingle sets (minhash.similarity), and writing the clusters of the parts of the graph
that changed.

Works on a plain sqlite3 connection; the caller holds the transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from archive_browser.core.lineage import DEFAULT_THRESHOLD, PAIR_FLOOR
from archive_browser.core.lineage import minhash as mh
from archive_browser.core.lineage.clusters import Decisions, cluster

#: Candidates whose signatures agree on less than this share are not confirmed (their exact
#: similarity is all but surely under PAIR_FLOOR: 120 values estimate it within ±0.14).
ESTIMATE_FLOOR = PAIR_FLOOR - 0.15
#: Releases signed per step (and per progress report).
BATCH = 500
#: A band bucket holding more releases than this (one text stored thousands of times) pairs
#: each with the next BUCKET_NEIGHBOURS only: they are linked through one another all the same.
BUCKET_CAP = 200
BUCKET_NEIGHBOURS = 20

JOIN, APART = "versions", "not a version"


def _marks(items: Sequence[object]) -> str:
    return ",".join("?" * len(items))


def _chunks(items: Sequence[int], size: int = 900) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class LineageTables:
    """The lineage data of one archive, over one connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _ids(self, sql: str, params: Sequence[object] = ()) -> list[int]:
        return [int(r[0]) for r in self.conn.execute(sql, params)]

    # --- what needs signing

    def signed_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM lineage_signatures").fetchone()[0])

    def unsigned(self) -> list[int]:
        """Releases without a signature, or whose text changed since it was computed."""
        return self._ids(
            "SELECT r.id FROM releases r LEFT JOIN lineage_signatures s ON s.release_id = r.id "
            "WHERE s.release_id IS NULL OR s.text_checksum != r.text_checksum ORDER BY r.id"
        )

    def unsigned_among(self, ids: Sequence[int]) -> list[int]:
        """Of these releases, and of those stored after the last one signed, the ones without
        a signature or whose text changed since."""
        found = set(
            self._ids(
                "SELECT id FROM releases WHERE id > "
                "(SELECT coalesce(max(release_id), 0) FROM lineage_signatures)"
            )
        )
        for chunk in _chunks(sorted(set(ids))):
            found.update(
                self._ids(
                    f"SELECT r.id FROM releases r LEFT JOIN lineage_signatures s "
                    f"ON s.release_id = r.id WHERE r.id IN ({_marks(chunk)}) AND "
                    "(s.release_id IS NULL OR s.text_checksum != r.text_checksum)",
                    chunk,
                )
            )
        return sorted(found)

    def gone_among(self, ids: Sequence[int]) -> list[int]:
        """Of these releases, the signed ones no longer in the archive."""
        out: list[int] = []
        for chunk in _chunks(sorted(set(ids))):
            out += self._ids(
                f"SELECT release_id FROM lineage_signatures WHERE release_id IN "
                f"({_marks(chunk)}) AND NOT EXISTS (SELECT 1 FROM releases WHERE id = release_id)",
                chunk,
            )
        return out

    def gone(self) -> list[int]:
        """Signed releases that are no longer in the archive."""
        return self._ids(
            "SELECT release_id FROM lineage_signatures WHERE NOT EXISTS "
            "(SELECT 1 FROM releases WHERE id = release_id) ORDER BY release_id"
        )

    # --- signatures

    def signatures(self, ids: Sequence[int]) -> dict[int, mh.Signature]:
        out: dict[int, mh.Signature] = {}
        for chunk in _chunks(ids):
            for i, blob in self.conn.execute(
                f"SELECT release_id, signature FROM lineage_signatures "
                f"WHERE release_id IN ({_marks(chunk)})",
                chunk,
            ):
                out[int(i)] = mh.from_blob(blob)
        return out

    def bodies(self, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        """(body, text checksum) of releases."""
        out: dict[int, tuple[str, str]] = {}
        for chunk in _chunks(ids):
            for i, body, digest in self.conn.execute(
                f"SELECT id, body, text_checksum FROM releases WHERE id IN ({_marks(chunk)})",
                chunk,
            ):
                out[int(i)] = (body, digest)
        return out

    def shingles_of(self, ids: Sequence[int]) -> dict[int, mh.Shingles]:
        return {i: mh.shingles(body) for i, (body, _) in self.bodies(ids).items()}

    def forget(self, ids: Sequence[int]) -> set[int]:
        """Removes the signatures, bands, pairs and cluster rows of releases; returns the
        releases whose clusters may change with it (their neighbours and cluster mates)."""
        touched = set(self.neighbours(ids)) | set(self.cluster_mates(ids))
        sigs = self.signatures(ids)
        if sigs:
            keys = mh.band_keys(np.stack(list(sigs.values())))
            rows = [(int(k), i) for i, ks in zip(sigs, keys, strict=True) for k in ks]
            self.conn.executemany(
                "DELETE FROM lineage_bands WHERE key = ? AND release_id = ?", rows
            )
        for chunk in _chunks(ids):
            marks = _marks(chunk)
            self.conn.execute(
                f"DELETE FROM lineage_signatures WHERE release_id IN ({marks})", chunk
            )
            self.conn.execute(
                f"DELETE FROM lineage_pairs WHERE a IN ({marks}) OR b IN ({marks})",
                [*chunk, *chunk],
            )
            self.conn.execute(f"DELETE FROM lineage_clusters WHERE release_id IN ({marks})", chunk)
        return touched - set(ids)

    def sign(self, ids: Sequence[int]) -> set[int]:
        """Signs releases (anew), finds their candidates through the bands, and stores the
        pairs their exact shingle sets confirm. Returns the releases paired with them."""
        texts = self.bodies(ids)
        order = [i for i in ids if i in texts]
        if not order:
            return set()
        shingles = {i: mh.shingles(texts[i][0]) for i in order}
        sigs = mh.signatures([shingles[i] for i in order])
        self.conn.executemany(
            "INSERT OR REPLACE INTO lineage_signatures (release_id, text_checksum, signature) "
            "VALUES (?, ?, ?)",
            [(i, texts[i][1], mh.to_blob(s)) for i, s in zip(order, sigs, strict=True)],
        )
        keys = mh.band_keys(sigs)
        has_words = sigs[:, 0] != mh.EMPTY
        self.conn.executemany(
            "INSERT OR IGNORE INTO lineage_bands (key, release_id) VALUES (?, ?)",
            [
                (int(k), i)
                for i, ks, ok in zip(order, keys, has_words, strict=True)
                if ok
                for k in ks
            ],
        )
        pairs: set[tuple[int, int]] = set()
        for i, ks, ok in zip(order, keys, has_words, strict=True):
            if not ok:
                continue
            found = self._ids(
                f"SELECT DISTINCT release_id FROM lineage_bands WHERE key IN ({_marks(ks)})",
                [int(k) for k in ks],
            )
            pairs.update((min(i, j), max(i, j)) for j in found if j != i)
        pairs.update(self._same_text_pairs(order))
        return self.confirm(pairs, shingles, dict(zip(order, sigs, strict=True)))

    def _same_text_pairs(self, ids: Sequence[int]) -> set[tuple[int, int]]:
        """The possible duplicates linked when they were imported (same text)."""
        out: set[tuple[int, int]] = set()
        for chunk in _chunks(ids):
            marks = _marks(chunk)
            for a, b in self.conn.execute(
                f"SELECT release_id, matched_id FROM release_matches "
                f"WHERE release_id IN ({marks}) OR matched_id IN ({marks})",
                [*chunk, *chunk],
            ):
                out.add((min(a, b), max(a, b)))
        return out

    def confirm(
        self,
        pairs: Iterable[tuple[int, int]],
        shingles: dict[int, mh.Shingles] | None = None,
        sigs: dict[int, mh.Signature] | None = None,
    ) -> set[int]:
        """Stores the candidate pairs whose exact similarity (minhash.similarity) is at least
        PAIR_FLOOR; returns
        the releases of the pairs stored."""
        pairs = sorted(pairs)
        if not pairs:
            return set()
        shingles = dict(shingles or {})
        sigs = dict(sigs or {})
        nodes = sorted({x for p in pairs for x in p})
        sigs.update(self.signatures([i for i in nodes if i not in sigs]))
        likely = [
            (a, b)
            for a, b in pairs
            if a in sigs and b in sigs and mh.estimate(sigs[a], sigs[b]) >= ESTIMATE_FLOOR
        ]
        likely += self._same_text_pairs(nodes) & set(pairs)
        wanted = sorted({x for p in likely for x in p} - set(shingles))
        shingles.update(self.shingles_of(wanted))
        rows = []
        for a, b in dict.fromkeys(likely):
            if a in shingles and b in shingles:
                sim = mh.similarity(shingles[a], shingles[b])
                if sim >= PAIR_FLOOR:
                    rows.append((a, b, sim))
        self.conn.executemany(
            "INSERT OR REPLACE INTO lineage_pairs (a, b, similarity) VALUES (?, ?, ?)", rows
        )
        return {x for a, b, _ in rows for x in (a, b)}

    # --- the graph

    def neighbours(self, ids: Sequence[int], threshold: float = PAIR_FLOOR) -> list[int]:
        out: set[int] = set()
        for chunk in _chunks(ids, 450):
            marks = _marks(chunk)
            out.update(
                self._ids(
                    f"SELECT b FROM lineage_pairs WHERE a IN ({marks}) AND similarity >= ? "
                    f"UNION SELECT a FROM lineage_pairs WHERE b IN ({marks}) AND similarity >= ?",
                    [*chunk, threshold, *chunk, threshold],
                )
            )
        return sorted(out)

    def cluster_mates(self, ids: Sequence[int]) -> list[int]:
        out: set[int] = set()
        for chunk in _chunks(ids):
            out.update(
                self._ids(
                    "SELECT release_id FROM lineage_clusters WHERE cluster_id IN "
                    f"(SELECT cluster_id FROM lineage_clusters WHERE release_id IN "
                    f"({_marks(chunk)}))",
                    chunk,
                )
            )
        return sorted(out)

    def decisions(self) -> Decisions:
        """The user's decisions, as they stand (see decide)."""
        out = Decisions()
        for a, b, what in self.conn.execute(
            "SELECT a, b, decision FROM lineage_decisions ORDER BY seq"
        ):
            if what == JOIN:
                out.joined.append((int(a), int(b)))
            else:
                out.apart.add((min(a, b), max(a, b)))
        return out

    def decide(self, pairs: Iterable[tuple[int, int]], decision: str) -> None:
        """Records decisions about pairs; a pair's earlier decision gives way to the new."""
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for a, b in pairs:
            a, b = min(a, b), max(a, b)
            self.conn.execute("DELETE FROM lineage_decisions WHERE a = ? AND b = ?", [a, b])
            self.conn.execute(
                "INSERT INTO lineage_decisions (a, b, decision, made) VALUES (?, ?, ?, ?)",
                [a, b, decision, stamp],
            )

    def undo_joins_of(self, ids: Sequence[int]) -> None:
        """Drops the user's joins that involve these releases (before they are kept apart)."""
        for chunk in _chunks(ids, 450):
            marks = _marks(chunk)
            self.conn.execute(
                f"DELETE FROM lineage_decisions WHERE decision = ? AND "
                f"(a IN ({marks}) OR b IN ({marks}))",
                [JOIN, *chunk, *chunk],
            )

    def component(self, seeds: Iterable[int], threshold: float) -> set[int]:
        """The releases linked to the seeds by pairs at or above the threshold, or by joins."""
        joined: dict[int, set[int]] = {}
        for a, b in self.decisions().joined:
            joined.setdefault(a, set()).add(b)
            joined.setdefault(b, set()).add(a)
        seen = set(seeds)
        frontier = sorted(seen)
        while frontier:
            found = set(self.neighbours(frontier, threshold))
            for x in frontier:
                found |= joined.get(x, set())
            frontier = sorted(found - seen)
            seen |= found
        return seen

    def pairs_among(self, ids: set[int], threshold: float) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        order = sorted(ids)
        for chunk in _chunks(order):
            for a, b, sim in self.conn.execute(
                f"SELECT a, b, similarity FROM lineage_pairs WHERE a IN ({_marks(chunk)}) "
                "AND similarity >= ?",
                [*chunk, threshold],
            ):
                if b in ids:
                    out.append((int(a), int(b), float(sim)))
        return out

    def all_pairs(self, threshold: float) -> list[tuple[int, int, float]]:
        return [
            (int(a), int(b), float(s))
            for a, b, s in self.conn.execute(
                "SELECT a, b, similarity FROM lineage_pairs WHERE similarity >= ?", [threshold]
            )
        ]

    def groups(
        self, pairs: list[tuple[int, int, float]], threshold: float, decisions: Decisions
    ) -> list[list[int]]:
        """The clusters these pairs and the decisions make (see clusters.cluster)."""
        nodes = sorted({x for a, b, _ in pairs for x in (a, b)} | decisions.nodes())
        sigs = self.signatures(nodes)
        existing = set(self.existing(nodes))

        def similar(xs: Sequence[int], ys: Sequence[int]) -> float:
            have_x = [sigs[x] for x in xs if x in sigs]
            have_y = [sigs[y] for y in ys if y in sigs]
            if not have_x or not have_y:
                return 0.0
            sx, sy = np.stack(have_x), np.stack(have_y)
            same: npt.NDArray[np.float64] = (sx[:, None, :] == sy[None, :, :]).mean(axis=2)
            return float(same.min())

        kept = Decisions(
            [p for p in decisions.joined if p[0] in existing and p[1] in existing],
            {p for p in decisions.apart if p[0] in existing and p[1] in existing},
        )
        live = [p for p in pairs if p[0] in existing and p[1] in existing]
        return cluster(live, threshold, kept, similar)

    def existing(self, ids: Sequence[int]) -> list[int]:
        out: list[int] = []
        for chunk in _chunks(ids):
            out += self._ids(f"SELECT id FROM releases WHERE id IN ({_marks(chunk)})", chunk)
        return out

    def ordered(self, ids: Sequence[int]) -> list[int]:
        """Releases first seen first: by date (undated last), then by id."""
        dates: dict[int, str | None] = {}
        for chunk in _chunks(ids):
            for i, d in self.conn.execute(
                f"SELECT id, date FROM releases WHERE id IN ({_marks(chunk)})", chunk
            ):
                dates[int(i)] = d
        return sorted(dates, key=lambda i: (dates[i] is None, dates[i] or "", i))

    def recluster(self, seeds: Iterable[int], threshold: float = DEFAULT_THRESHOLD) -> None:
        """Rewrites the stored clusters of the parts of the graph the seeds are in."""
        seeds = set(seeds)
        if not seeds:
            return
        seeds |= set(self.cluster_mates(sorted(seeds)))
        part = self.component(seeds, threshold)
        order = sorted(part)
        for chunk in _chunks(order):
            self.conn.execute(
                f"DELETE FROM lineage_clusters WHERE release_id IN ({_marks(chunk)})", chunk
            )
        decisions = self.decisions()
        mine = Decisions(
            [p for p in decisions.joined if p[0] in part],
            {p for p in decisions.apart if p[0] in part or p[1] in part},
        )
        self.write_clusters(self.groups(self.pairs_among(part, threshold), threshold, mine))

    def write_clusters(self, groups: list[list[int]]) -> None:
        rows = []
        for members in groups:
            for position, i in enumerate(self.ordered(members)):
                rows.append((i, min(members), position))
        self.conn.executemany(
            "INSERT OR REPLACE INTO lineage_clusters (release_id, cluster_id, position) "
            "VALUES (?, ?, ?)",
            rows,
        )

    def clear(self) -> None:
        """Forgets everything computed (the user's decisions stay)."""
        for table in ("lineage_signatures", "lineage_bands", "lineage_pairs", "lineage_clusters"):
            self.conn.execute(f"DELETE FROM {table}")

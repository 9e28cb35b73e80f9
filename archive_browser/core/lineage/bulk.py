"""Signing a whole archive at once: every signature in memory, candidates from sorted band
keys (no SQL lookup per release), the tables written in key order."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from archive_browser.core.lineage import DEFAULT_THRESHOLD
from archive_browser.core.lineage import minhash as mh
from archive_browser.core.lineage.tables import (
    BATCH,
    BUCKET_CAP,
    BUCKET_NEIGHBOURS,
    ESTIMATE_FLOOR,
    LineageTables,
)

#: Band rows handed to SQLite in one call.
BAND_ROWS_AT_ONCE = 100_000

#: (done, total, what is being done)
Step = tuple[int, int, str]


def candidate_pairs(
    ids: npt.NDArray[np.int64], keys: npt.NDArray[np.int64]
) -> set[tuple[int, int]]:
    """Pairs of releases that agree on a whole band: for each band, releases sorted by key
    and paired within each run of equal keys (each with its next BUCKET_NEIGHBOURS only in a
    run longer than BUCKET_CAP)."""
    pairs: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        order = np.argsort(keys[:, band], kind="stable")
        sorted_keys = keys[order, band]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], len(sorted_keys)]
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1], strict=True):
            run = sorted(int(x) for x in ids[order[start:end]])
            reach = len(run) if len(run) <= BUCKET_CAP else BUCKET_NEIGHBOURS + 1
            for x, a in enumerate(run):
                for b in run[x + 1 : x + reach]:
                    pairs.add((a, b))
    return pairs


def rebuild(tables: LineageTables, threshold: float = DEFAULT_THRESHOLD) -> Iterator[Step]:
    """Computes the lineage data of every release anew (the user's decisions are kept)."""
    conn = tables.conn
    tables.clear()
    total = int(conn.execute("SELECT count(*) FROM releases").fetchone()[0])
    ids: list[int] = []
    # Each batch's signatures as one array (not a view per release: 100,000 views held as
    # much again as the signatures).
    signed_parts: list[npt.NDArray[np.uint32]] = []
    last = 0
    yield 0, total, "Signing releases"
    while True:
        rows = conn.execute(
            "SELECT id, body, text_checksum FROM releases WHERE id > ? ORDER BY id LIMIT ?",
            [last, BATCH],
        ).fetchall()
        if not rows:
            break
        signed = mh.signatures([mh.shingles(body) for _i, body, _d in rows])
        signed_parts.append(signed)
        batch = []
        for (i, _body, digest), sig in zip(rows, signed, strict=True):
            ids.append(int(i))
            batch.append((int(i), digest, mh.to_blob(sig)))
        conn.executemany(
            "INSERT INTO lineage_signatures (release_id, text_checksum, signature) "
            "VALUES (?, ?, ?)",
            batch,
        )
        last = int(rows[-1][0])
        yield len(ids), total, f"Signing releases: {len(ids):,} of {total:,}"
    if not ids:
        return
    id_array = np.array(ids, dtype=np.int64)
    sigs = np.concatenate(signed_parts)
    del signed_parts
    has_words = sigs[:, 0] != mh.EMPTY
    id_array, sigs = id_array[has_words], sigs[has_words]
    keys = mh.band_keys(sigs)
    yield total, total, "Writing the bands"
    # In key order, a slice of rows at a time: the rows as Python ints at once (not two
    # int() calls a row), but never all of them (3 million two-int lists at 100,000 releases
    # held about 400 MB), nor the sorted rows as an array beside the keys (48 MB more).
    band_keys = keys.ravel()
    band_ids = np.repeat(id_array, keys.shape[1])
    order = np.lexsort((band_ids, band_keys))
    for start in range(0, len(order), BAND_ROWS_AT_ONCE):
        part = order[start : start + BAND_ROWS_AT_ONCE]
        conn.executemany(
            "INSERT OR IGNORE INTO lineage_bands (key, release_id) VALUES (?, ?)",
            zip(band_keys[part].tolist(), band_ids[part].tolist(), strict=True),
        )
    del band_keys, band_ids, order
    yield total, total, "Finding candidates"
    pairs = candidate_pairs(id_array, keys)
    position = {int(i): n for n, i in enumerate(id_array)}
    likely = {
        (a, b)
        for a, b in pairs
        if np.count_nonzero(sigs[position[a]] == sigs[position[b]]) / mh.NUM_PERM >= ESTIMATE_FLOOR
    }
    yield total, total, f"Confirming {len(likely):,} pairs"
    sig_of = {int(i): sigs[n] for n, i in enumerate(id_array)}
    tables.confirm(likely | tables._same_text_pairs(ids), sigs=sig_of)
    yield total, total, "Grouping versions"
    tables.write_clusters(tables.groups(tables.all_pairs(threshold), threshold, tables.decisions()))

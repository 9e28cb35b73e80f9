"""A writer's pool of postings kept in files when it is full (a "run"), and the runs merged,
term by term, into the one segment the writer writes at the end.

An import of 100,000 releases fills the pool nine times. Written as a segment each time, the
index held nine segments, and every query looked each of its words up nine times (at 20,000
releases, 12 segments answered the benchmark's queries 1.35x slower than 2, fuzzy terms 3x).
Now a full pool is sorted and written raw to files beside the segment (named after it, so that
Whoosh's clean-up after the next commit removes those of a writer killed before its end); the
segment's postings are written at the end from all the runs (the last pool written as one
too), read back in order, a slice of terms at a time: memory stays about that of one pool.

A run's files (`<segment>.run<k>_<part>`): the terms (their field numbers, lengths and bytes),
where each term's postings start, and the postings' documents, weights, value lengths and
values, all in (field, term, document) order.
"""

from __future__ import annotations

import contextlib
import os
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import chain
from pathlib import Path
from typing import BinaryIO

import numpy as np

from archive_browser.core.index.postings import SortedPostings

#: Terms read from a run's files at a time when merging.
MERGE_TERMS = 32_768
#: Postings taken from all runs together for one slice of the merge (each run's share of it,
#: but at least one term): the slice's arrays hold about 40 bytes a posting and its values.
MERGE_POSTINGS = 1 << 19
#: Bytes of values gathered at a time (the gathering's index arrays take 16 bytes a byte).
_GATHER_BYTES = 1 << 20

Term = tuple[str, bytes]

_PARTS = {
    "fields": np.uint16,
    "lengths": np.uint32,
    "terms": np.uint8,
    "starts": np.int64,
    "docs": np.uint32,
    "weights": np.float64,
    "sizes": np.uint32,
    "values": np.uint8,
}


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indexes start, start + 1, ... start + count - 1 of each (start, count), in order."""
    counts = counts.astype(np.int64, copy=False)
    firsts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(
        starts.astype(np.int64, copy=False) - firsts, counts
    )


def gather(values: np.ndarray, offsets: np.ndarray, sizes: np.ndarray) -> Iterator[bytes]:
    """The values at `offsets` (of `sizes` bytes each), one after another, in pieces of about
    _GATHER_BYTES."""
    sizes64 = sizes.astype(np.int64)
    ends = np.cumsum(sizes64)
    lo = 0
    while lo < len(sizes64):
        base = int(ends[lo - 1]) if lo else 0
        hi = int(np.searchsorted(ends, base + _GATHER_BYTES, side="right"))
        hi = max(hi, lo + 1)
        if int(ends[hi - 1]) > base:
            yield values[ranges(offsets[lo:hi], sizes64[lo:hi])].tobytes()
        lo = hi


class Run:
    """The files of one spilled pool."""

    def __init__(self, prefix: Path, fieldnames: list[str], count: int) -> None:
        self.prefix = prefix
        self.fieldnames = fieldnames
        self.count = count  # terms

    def path(self, part: str) -> Path:
        return self.prefix.with_name(f"{self.prefix.name}_{part}")

    @classmethod
    def write(cls, prefix: Path, postings: SortedPostings) -> Run:
        """Writes sorted postings (`CompactPool.sorted_arrays`) as a run."""
        terms, starts, docs, weights, offsets, sizes, values = postings
        fieldnames = sorted({f for f, _ in terms})
        number = {f: i for i, f in enumerate(fieldnames)}
        run = cls(prefix, fieldnames, len(terms))
        try:
            np.fromiter((number[f] for f, _ in terms), dtype=_PARTS["fields"]).tofile(
                run.path("fields")
            )
            np.fromiter((len(t) for _, t in terms), dtype=_PARTS["lengths"]).tofile(
                run.path("lengths")
            )
            run.path("terms").write_bytes(b"".join(t for _, t in terms))
            starts.astype(_PARTS["starts"]).tofile(run.path("starts"))
            docs.astype(_PARTS["docs"]).tofile(run.path("docs"))
            weights.astype(_PARTS["weights"]).tofile(run.path("weights"))
            sizes.astype(_PARTS["sizes"]).tofile(run.path("sizes"))
            buffer = np.frombuffer(values, dtype=np.uint8)
            with run.path("values").open("wb") as f:
                for piece in gather(buffer, offsets, sizes):
                    f.write(piece)
        except BaseException:
            run.remove()
            raise
        return run

    def remove(self) -> None:
        for part in _PARTS:
            with contextlib.suppress(OSError):
                os.remove(self.path(part))


class _RunSource:
    """A run's postings in (field, term, document) order, taken a slice of terms at a time."""

    def __init__(self, run: Run, share: int) -> None:
        self.run = run
        self.share = share  # postings a slice may take from this run (at least one term)
        self._files: dict[str, BinaryIO] = {part: run.path(part).open("rb") for part in _PARTS}
        self._taken = 0  # terms taken
        self._keys: list[Term] = []  # terms read from the files and not taken
        self._bounds = np.zeros(1, dtype=np.int64)  # where their postings start, and the end
        self._peeked = 0

    def _read(self, part: str, count: int) -> np.ndarray:
        dtype = _PARTS[part]
        data = self._files[part].read(count * np.dtype(dtype).itemsize)
        return np.frombuffer(data, dtype=dtype)

    def _fill(self) -> None:
        read = self._taken + len(self._keys)
        if self._keys or read >= self.run.count:
            return
        n = min(MERGE_TERMS, self.run.count - read)
        names = self.run.fieldnames
        fields = self._read("fields", n).tolist()
        lengths = self._read("lengths", n)
        blob = self._files["terms"].read(int(lengths.sum()))
        ends = np.cumsum(lengths).tolist()
        begins = [0, *ends[:-1]]
        self._keys = [(names[f], blob[b:e]) for f, b, e in zip(fields, begins, ends, strict=True)]
        starts = self._files["starts"]
        starts.seek(read * 8)
        self._bounds = self._read("starts", n + 1).astype(np.int64)

    def peek(self) -> list[Term]:
        """The next terms (those whose postings fit in its share, at least one; none once
        all are taken)."""
        self._fill()
        if not self._keys:
            self._peeked = 0
            return []
        bounds = self._bounds
        fit = int(np.searchsorted(bounds, bounds[0] + self.share, side="right")) - 1
        self._peeked = max(1, min(fit, len(self._keys)))
        return self._keys[: self._peeked]

    def at_end(self) -> bool:
        """True when the terms `peek` gave are the last."""
        return self._taken + self._peeked >= self.run.count

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bytes]:
        """Takes the first `n` terms `peek` gave: each one's count of postings, and their
        postings' documents, weights, value sizes and values (one after another)."""
        bounds = self._bounds[: n + 1]
        counts = np.diff(bounds)
        postings = int(bounds[-1] - bounds[0])
        docs = self._read("docs", postings)
        weights = self._read("weights", postings)
        sizes = self._read("sizes", postings)
        values = self._files["values"].read(int(sizes.sum()))
        self._taken += n
        self._keys = self._keys[n:]
        self._bounds = self._bounds[n:]
        self._peeked = 0
        return counts, docs, weights, sizes, values

    def close(self) -> None:
        for f in self._files.values():
            f.close()


def merged(runs: Sequence[Run]) -> Iterator[SortedPostings]:
    """The postings of the runs, in (field, term, document) order, as sorted postings of a
    slice of terms at a time (about MERGE_POSTINGS postings). Each run holds earlier documents
    than the ones after it (a writer's documents are numbered on, run after run)."""
    share = max(1, MERGE_POSTINGS // max(1, len(runs)))
    sources = [_RunSource(r, share) for r in runs]
    try:
        while True:
            peeked = [(s, s.peek()) for s in sources]
            peeked = [(s, keys) for s, keys in peeked if keys]
            if not peeked:
                return
            # Up to the least of the last terms read from sources that have more after them:
            # every term up to there is read from every source.
            bounding = [keys[-1] for s, keys in peeked if not s.at_end()]
            limit = min(bounding) if bounding else None
            taken: list[tuple[list[Term], tuple[np.ndarray, ...], bytes]] = []
            for s, keys in peeked:
                n = len(keys) if limit is None else bisect_right(keys, limit)
                if n:
                    counts, docs, weights, sizes, values = s.take(n)
                    taken.append((keys[:n], (counts, docs, weights, sizes), values))
            yield _joined(taken)
    finally:
        for s in sources:
            s.close()


def _joined(
    taken: list[tuple[list[Term], tuple[np.ndarray, ...], bytes]],
) -> SortedPostings:
    """One slice's postings from each source, as sorted postings of the slice's terms."""
    terms = sorted(set(chain.from_iterable(keys for keys, _, _ in taken)))
    rank = {t: i for i, t in enumerate(terms)}
    ranks = []
    for keys, (counts, *_), _ in taken:
        ranks.append(np.repeat(np.array([rank[k] for k in keys], dtype=np.int64), counts))
    order = np.argsort(np.concatenate(ranks), kind="stable")
    docs = np.concatenate([a[1] for _, a, _ in taken])[order]
    weights = np.concatenate([a[2].astype(np.float64) for _, a, _ in taken])[order]
    sizes = np.concatenate([a[3].astype(np.int64) for _, a, _ in taken])
    offsets = np.cumsum(sizes) - sizes
    per_term = np.zeros(len(terms), dtype=np.int64)
    for keys, (counts, *_), _ in taken:
        per_term[[rank[k] for k in keys]] += counts
    starts = np.zeros(len(terms) + 1, dtype=np.int64)
    np.cumsum(per_term, out=starts[1:])
    values = b"".join(v for _, _, v in taken)
    return SortedPostings(terms, starts, docs, weights, offsets[order], sizes[order], values)

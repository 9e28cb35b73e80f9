"""A writer's pool of postings kept in files when it is full (a "run"), and the runs merged,
term by term, into the one segment the writer writes at the end.

An import of 100,000 releases fills the pool nine times. Written as a segment each time, the
index held nine segments, and every query looked each of its words up nine times (at 20,000
releases, 12 segments answered the benchmark's queries 1.35x slower than 2, fuzzy terms 3x).
Now a full pool is sorted and written raw to files beside the segment (named after it, so that
Whoosh's clean-up after the next commit removes those of a writer killed before its end); the
segment's postings are written at the end from all the runs and the last pool, read back in
order, a slice of terms at a time: memory stays about that of one pool.

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

#: Terms read from each run at a time when merging.
MERGE_TERMS = 32_768
#: Postings whose values are gathered at a time when a run is written.
_GATHER_POSTINGS = 1 << 20

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


def gather(values: np.ndarray, offsets: np.ndarray, sizes: np.ndarray) -> bytes:
    """The values at `offsets` (of `sizes` bytes each) in a buffer, one after another."""
    total = int(sizes.sum())
    if total == 0:
        return b""
    sizes64 = sizes.astype(np.int64)
    out_starts = np.cumsum(sizes64) - sizes64
    index = np.repeat(offsets.astype(np.int64) - out_starts, sizes64)
    index += np.arange(total, dtype=np.int64)
    return bytes(values[index].tobytes())


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
            np.array([number[f] for f, _ in terms], dtype=_PARTS["fields"]).tofile(
                run.path("fields")
            )
            np.array([len(t) for _, t in terms], dtype=_PARTS["lengths"]).tofile(
                run.path("lengths")
            )
            run.path("terms").write_bytes(b"".join(t for _, t in terms))
            starts.astype(_PARTS["starts"]).tofile(run.path("starts"))
            docs.astype(_PARTS["docs"]).tofile(run.path("docs"))
            weights.astype(_PARTS["weights"]).tofile(run.path("weights"))
            sizes.astype(_PARTS["sizes"]).tofile(run.path("sizes"))
            buffer = np.frombuffer(values, dtype=np.uint8)
            with run.path("values").open("wb") as f:
                for lo in range(0, len(sizes), _GATHER_POSTINGS):
                    hi = lo + _GATHER_POSTINGS
                    f.write(gather(buffer, offsets[lo:hi], sizes[lo:hi]))
        except BaseException:
            run.remove()
            raise
        return run

    def remove(self) -> None:
        for part in _PARTS:
            with contextlib.suppress(OSError):
                os.remove(self.path(part))


class _Source:
    """Postings in (field, term, document) order, taken a slice of terms at a time."""

    def peek(self) -> list[Term]:
        """The next terms (at most MERGE_TERMS; none once all are taken)."""
        raise NotImplementedError

    def at_end(self) -> bool:
        """True when the terms `peek` gives are the last."""
        raise NotImplementedError

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bytes]:
        """Takes the first `n` terms `peek` gave: each one's count of postings, and their
        postings' documents, weights, value sizes and values (one after another)."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class _RunSource(_Source):
    def __init__(self, run: Run) -> None:
        self.run = run
        self._files: dict[str, BinaryIO] = {part: run.path(part).open("rb") for part in _PARTS}
        self._term = 0  # terms taken
        self._keys: list[Term] = []

    def _read(self, part: str, count: int) -> np.ndarray:
        dtype = _PARTS[part]
        data = self._files[part].read(count * np.dtype(dtype).itemsize)
        return np.frombuffer(data, dtype=dtype)

    def peek(self) -> list[Term]:
        if not self._keys and self._term < self.run.count:
            n = min(MERGE_TERMS, self.run.count - self._term)
            names = self.run.fieldnames
            fields = self._read("fields", n).tolist()
            lengths = self._read("lengths", n)
            blob = self._files["terms"].read(int(lengths.sum()))
            ends = np.cumsum(lengths).tolist()
            begins = [0, *ends[:-1]]
            self._keys = [
                (names[f], blob[b:e]) for f, b, e in zip(fields, begins, ends, strict=True)
            ]
            self._starts_at = self._term
        return self._keys

    def at_end(self) -> bool:
        return self._starts_at + len(self._keys) >= self.run.count

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bytes]:
        starts_file = self._files["starts"]
        starts_file.seek(self._term * 8)
        bounds = self._read("starts", n + 1).astype(np.int64)
        counts = np.diff(bounds)
        postings = int(bounds[-1] - bounds[0])
        docs = self._read("docs", postings)
        weights = self._read("weights", postings)
        sizes = self._read("sizes", postings)
        values = self._files["values"].read(int(sizes.sum()))
        self._term += n
        self._keys = self._keys[n:]
        self._starts_at = self._term
        return counts, docs, weights, sizes, values

    def close(self) -> None:
        for f in self._files.values():
            f.close()


class _PoolSource(_Source):
    """The last pool, still in memory."""

    def __init__(self, postings: SortedPostings) -> None:
        self.postings = postings
        self._buffer = np.frombuffer(postings.values, dtype=np.uint8)
        self._term = 0

    def peek(self) -> list[Term]:
        return self.postings.terms[self._term : self._term + MERGE_TERMS]

    def at_end(self) -> bool:
        return self._term + MERGE_TERMS >= len(self.postings.terms)

    def take(self, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, bytes]:
        p = self.postings
        bounds = p.starts[self._term : self._term + n + 1]
        lo, hi = int(bounds[0]), int(bounds[-1])
        self._term += n
        values = gather(self._buffer, p.offsets[lo:hi], p.sizes[lo:hi])
        return np.diff(bounds), p.docs[lo:hi], p.weights[lo:hi], p.sizes[lo:hi], values


def merged(runs: Sequence[Run], last: SortedPostings) -> Iterator[SortedPostings]:
    """The postings of the runs and of the last pool, in (field, term, document) order, as
    sorted postings of a slice of terms at a time. The runs hold earlier documents than the
    ones after them (a writer's documents are numbered on, run after run)."""
    sources: list[_Source] = [_RunSource(r) for r in runs] + [_PoolSource(last)]
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

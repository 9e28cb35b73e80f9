"""A compact in-memory pool of an index writer's postings, in place of Whoosh's `PostingPool`.

Whoosh's pool keeps one tuple per posting (about 150 bytes), spills a sorted, pickled run to a
temporary file every few hundred releases and merges all runs in Python at commit, so that its
cost grew faster than the number of releases. Here a posting is a row of four typed arrays
(term number, document number, weight, length of its value) with its value (word positions)
in one byte buffer: about 16 bytes and the value's own. The pool is sorted once, by NumPy, when
it is written; the writer (`PoolSegmentWriter`) bounds its size by writing it to files as a run
(runs.py) whenever it holds `limit` bytes, and merges the runs into its one segment at the end.

A text field whose format lists a document's words at once (`schema.CompactPositions`) adds
them in one call (`add_words`); they are kept as term numbers and places and grouped into
postings by NumPy many documents at a time. Everything else, such as the postings of old
segments merged at commit, comes in posting by posting through `add`, as to Whoosh's pool.
"""

from __future__ import annotations

import contextlib
from array import array
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.writing import SegmentWriter

from archive_browser.core.index.postings import SortedPostings, write_postings
from archive_browser.core.index.runs import Run, merged, ranges
from archive_browser.core.index.schema import WIDE_PLACE

#: The bytes of postings an index writer holds before it writes them to files as a run
#: (runs.py; about 6,500 releases of 2,300 characters, at 28-30 bytes a posting and ~330
#: postings a release). Sorting them takes about as much again: the benchmark's import of
#: 20,000 releases peaked at 426 MB with 96, 366 with 64 and 296 with 32, in 34.6, 35.2 and
#: 37.8 s (each run re-sorts the terms it holds).
POOL_LIMIT_MB = 64
#: Postings collected posting by posting before they become arrays.
_GENERIC_CHUNK = 65_536
#: Words of a field kept by `add_words` before they are grouped into postings.
_WORDS_CHUNK = 1 << 20
#: What a word kept costs until then (its term number and place, in arrays).
_WORD_BYTES = 8
#: About what a distinct term costs in the pool's dictionaries (its text and the entries).
TERM_BYTES = 120

Posting = tuple[str, bytes, int, float, bytes | None]


class _Field:
    """The terms of one field: numbers by text (from the fast path) and by bytes (`add`);
    and the words added by `add_words` not yet grouped into postings (each word's term
    number and place, each document's number and count of words)."""

    __slots__ = (
        "boost",
        "by_bytes",
        "by_text",
        "encode",
        "tids",
        "w_counts",
        "w_docs",
        "w_places",
        "w_tids",
    )

    def __init__(self) -> None:
        self.by_text: dict[str, int] = {}
        self.by_bytes: dict[bytes, int] = {}
        self.tids: list[int] = []
        self.w_tids = array("I")
        self.w_places = array("I")
        self.w_docs: list[int] = []
        self.w_counts: list[int] = []
        self.boost: float | None = None
        self.encode: Any = None


class CompactPool:
    """The postings of one segment being written, sorted by field, term and document when
    read (`iter_postings`, `sorted_arrays`)."""

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._empty()

    def _empty(self) -> None:
        self._fields: dict[str, _Field] = {}
        #: Each term number's (field, text or bytes), in the order the terms came.
        self._terms: list[tuple[str, str | bytes]] = []
        self._chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        self._values = bytearray()
        self._chunk_bytes = 0
        self._count = 0
        self._words = 0  # kept by add_words, not grouped yet
        # Postings given one by one, not yet made into a chunk.
        self._g_tids = array("I")
        self._g_docs = array("I")
        self._g_weights = array("d")
        self._g_lengths = array("I")
        self._g_values = bytearray()

    # --- adding

    def _field(self, fieldname: str) -> _Field:
        field = self._fields.get(fieldname)
        if field is None:
            field = self._fields[fieldname] = _Field()
            self.fieldnames.add(fieldname)
        return field

    def _new_term(self, field: _Field, fieldname: str, key: str | bytes) -> int:
        tid = len(self._terms)
        self._terms.append((fieldname, key))
        field.tids.append(tid)
        return tid

    def add(self, item: Posting) -> None:
        """Adds one posting (fieldname, term bytes, docnum, weight, value bytes or None)."""
        fieldname, tbytes, docnum, weight, vbytes = item
        if not isinstance(tbytes, bytes):
            raise TypeError(f"term {tbytes!r} is not bytes")
        field = self._field(fieldname)
        tid = field.by_bytes.get(tbytes)
        if tid is None:
            tid = self._known_as_text(field, tbytes)
            if tid is None:
                tid = self._new_term(field, fieldname, tbytes)
            field.by_bytes[tbytes] = tid
        self._g_tids.append(tid)
        self._g_docs.append(docnum)
        self._g_weights.append(weight)
        if vbytes:
            self._g_values += vbytes
            self._g_lengths.append(len(vbytes))
        else:
            self._g_lengths.append(0)
        if len(self._g_tids) >= _GENERIC_CHUNK:
            self._close_generic()

    @staticmethod
    def _known_as_text(field: _Field, tbytes: bytes) -> int | None:
        if not field.by_text:
            return None
        try:
            text = tbytes.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return field.by_text.get(text)

    def add_words(
        self,
        fieldname: str,
        docnum: int,
        words: Sequence[str],
        places: np.ndarray | None,
        boost: float,
        doc_boost: float,
        encode: Any,
    ) -> None:
        """Adds a document's postings of one field from its words in order: `places` are
        their positions (None: 0, 1, 2...), each posting's weight is its frequency times
        `boost` times `doc_boost` (as Whoosh's format and writer compute it), and
        `encode(counts, positions)` gives the postings' values (their positions grouped by
        term, ascending) as one buffer and each value's length."""
        if not len(words):
            return
        field = self._field(fieldname)
        by_text = field.by_text
        found_ids: list[int | None] = list(map(by_text.get, words))
        if None in found_ids:
            for i, t in enumerate(found_ids):
                if t is None:
                    word = words[i]
                    found = by_text.get(word)
                    if found is None:
                        if field.by_bytes:
                            found = field.by_bytes.get(word.encode("utf-8"))
                        if found is None:
                            found = self._new_term(field, fieldname, word)
                        by_text[word] = found
                    found_ids[i] = found
        if doc_boost == 1.0 and field.boost in (None, boost) and field.encode in (None, encode):
            # Kept as words and grouped into postings many documents at a time (`_group`):
            # a few NumPy calls per document and field cost more than the grouping itself.
            field.boost, field.encode = boost, encode
            field.w_tids.extend(found_ids)  # type: ignore[arg-type]
            if places is None:
                field.w_places.extend(range(len(found_ids)))
            else:
                field.w_places.frombytes(places.astype(np.uint32).tobytes())
            field.w_docs.append(docnum)
            field.w_counts.append(len(found_ids))
            self._words += len(found_ids)
            if len(field.w_tids) >= _WORDS_CHUNK:
                self._group(field)
            return
        self._add_grouped(
            np.array(found_ids, dtype=np.uint32),
            np.full(len(found_ids), docnum, np.uint32),
            np.arange(len(found_ids)) if places is None else places,
            boost,
            doc_boost,
            encode,
        )

    def _group(self, field: _Field) -> None:
        """Makes postings of the words `add_words` kept for `field`."""
        if not field.w_docs:
            return
        assert field.boost is not None  # set with the first document kept
        counts = np.array(field.w_counts, dtype=np.int64)
        self._add_grouped(
            np.frombuffer(field.w_tids, dtype=np.uint32),
            np.repeat(np.array(field.w_docs, dtype=np.uint32), counts),
            np.frombuffer(field.w_places, dtype=np.uint32),
            field.boost,
            1.0,
            field.encode,
        )
        self._words -= len(field.w_tids)
        field.w_tids, field.w_places = array("I"), array("I")
        field.w_docs, field.w_counts = [], []

    def _add_grouped(
        self,
        tids: np.ndarray,
        docs: np.ndarray,
        places: np.ndarray,
        boost: float,
        doc_boost: float,
        encode: Any,
    ) -> None:
        """Adds the postings of words (their term numbers, documents and places, each
        document's places ascending): one posting per term and document, its weight the
        count of its words times `boost` times `doc_boost` (as Whoosh's format and writer
        compute it), its value `encode(counts, positions)`."""
        key = tids.astype(np.uint64) << np.uint64(32)
        key |= docs
        order = np.argsort(key, kind="stable")
        key = key[order]
        starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
        counts = np.diff(np.r_[starts, len(key)])
        positions = places[order]
        # A posting's value is 16-bit places unless one of them is WIDE_PLACE or more: those
        # few (of very long texts) are encoded apart, so that the others stay vectorised.
        last = positions[np.r_[starts[1:], len(key)] - 1]
        big = last >= WIDE_PLACE
        groups = [~big, big] if big.any() else [None]
        for chosen in groups:
            if chosen is None:
                c_starts, c_counts, c_positions = starts, counts, positions
            else:
                c_starts, c_counts = starts[chosen], counts[chosen]
                c_positions = positions[ranges(c_starts, c_counts)]
            if not len(c_starts):
                continue
            values, lengths = encode(c_counts, c_positions)
            weights = c_counts.astype(np.float64) * boost
            weights *= doc_boost
            heads = order[c_starts]
            self._add_chunk(tids[heads], docs[heads], weights, lengths)
            self._values += values

    def _add_chunk(
        self, tids: np.ndarray, docs: np.ndarray, weights: np.ndarray, lengths: np.ndarray
    ) -> None:
        w32 = weights.astype(np.float32)
        if np.array_equal(w32, weights):
            weights = w32  # exact: half the bytes
        chunk = (
            tids.astype(np.uint32, copy=False),
            docs.astype(np.uint32, copy=False),
            weights,
            lengths.astype(np.uint32, copy=False),
        )
        self._chunks.append(chunk)
        self._chunk_bytes += sum(a.nbytes for a in chunk)
        self._count += len(tids)

    def _close_generic(self) -> None:
        if not self._g_tids:
            return
        self._add_chunk(
            np.frombuffer(self._g_tids, dtype=np.uint32).copy(),
            np.frombuffer(self._g_docs, dtype=np.uint32).copy(),
            np.frombuffer(self._g_weights, dtype=np.float64).copy(),
            np.frombuffer(self._g_lengths, dtype=np.uint32).copy(),
        )
        # The values in the order of the chunks (each chunk's after the one before).
        self._values += self._g_values
        self._g_tids = array("I")
        self._g_docs = array("I")
        self._g_weights = array("d")
        self._g_lengths = array("I")
        self._g_values = bytearray()

    # --- size

    def __len__(self) -> int:
        """The postings held (words not grouped yet count one each)."""
        return self._count + len(self._g_tids) + self._words

    @property
    def nbytes(self) -> int:
        """About the bytes the pool holds (its arrays, values and terms)."""
        return (
            self._chunk_bytes
            + len(self._g_tids) * 20
            + len(self._values)
            + len(self._g_values)
            + len(self._terms) * TERM_BYTES
            + self._words * _WORD_BYTES
        )

    # --- reading

    def _term_ranks(self) -> tuple[np.ndarray, list[tuple[str, bytes]]]:
        """Each term number's place in (field, term bytes) order, and the terms in that order."""
        ranks = np.zeros(len(self._terms), dtype=np.int64)
        ordered: list[tuple[str, bytes]] = []
        terms = self._terms
        for fieldname in sorted(self._fields):
            field = self._fields[fieldname]
            keyed = [
                (key if isinstance(key, bytes) else key.encode("utf-8"), tid)
                for tid in field.tids
                for key in (terms[tid][1],)
            ]
            keyed.sort()
            ranks[np.array([tid for _, tid in keyed], dtype=np.int64)] = np.arange(
                len(ordered), len(ordered) + len(keyed)
            )
            ordered.extend((fieldname, key) for key, _ in keyed)
        return ranks, ordered

    def sorted_arrays(self) -> SortedPostings:
        """The postings sorted by field, term and document: the terms in order, where each
        term's postings start (one more than there are terms: the last is the end), and the
        postings' documents, weights, value offsets and value lengths, with the values' buffer.
        Postings of one term and document keep the order they were added in."""
        for field in self._fields.values():
            self._group(field)
        self._close_generic()
        if not self._chunks:
            empty = np.zeros(0, dtype=np.int64)
            return SortedPostings([], np.zeros(1, dtype=np.int64), empty, empty, empty, empty, b"")
        # Column by column, each freed when done with: at its peak the sort holds about
        # twice the pool's bytes, not four times.
        tid_parts, doc_parts, weight_parts, size_parts = (
            list(c) for c in zip(*self._chunks, strict=True)
        )
        self._chunks = []
        self._chunk_bytes = 0
        tids = np.concatenate(tid_parts)
        del tid_parts
        docs = np.concatenate(doc_parts)
        del doc_parts
        ranks, terms = self._term_ranks()
        counts = np.zeros(len(terms), dtype=np.int64)
        counts[ranks] = np.bincount(tids, minlength=len(terms))
        starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(counts, out=starts[1:])
        del counts
        key = ranks[tids]
        del tids
        key <<= 32
        key |= docs
        order = np.argsort(key, kind="stable")
        del key
        docs = docs[order]
        weights = np.concatenate(weight_parts)[order]
        del weight_parts
        sizes = np.concatenate(size_parts)
        del size_parts
        offsets = np.zeros(len(sizes), dtype=np.uint32 if len(self._values) < 2**32 else np.int64)
        np.cumsum(sizes[:-1], out=offsets[1:])
        offsets = offsets[order]
        sizes = sizes[order]
        del order
        values = bytes(self._values)
        self._values = bytearray()
        return SortedPostings(terms, starts, docs, weights, offsets, sizes, values)

    def iter_postings(self) -> Iterator[Posting]:
        """The postings as Whoosh's pool gives them: (fieldname, term bytes, docnum, weight,
        value bytes or None), sorted."""
        terms, starts, docs, weights, offsets, lengths, values = self.sorted_arrays()
        doc_list = docs.tolist()
        weight_list = weights.astype(np.float64).tolist()
        offset_list = offsets.tolist()
        length_list = lengths.tolist()
        bounds = starts.tolist()
        for t, (fieldname, tbytes) in enumerate(terms):
            for i in range(bounds[t], bounds[t + 1]):
                n = length_list[i]
                o = offset_list[i]
                yield (
                    fieldname,
                    tbytes,
                    doc_list[i],
                    weight_list[i],
                    values[o : o + n] if n else None,
                )

    def cleanup(self) -> None:
        """Drops everything the pool holds (it keeps no files)."""
        self._empty()


# --- the writer ------------------------------------------------------------------------------


class PoolSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a `CompactPool`, a document's words added in one call per
    field whose format lists them (`word_places`), and postings written term by term and block
    by block from the pool's sorted arrays. It writes what Whoosh's own writer writes for the
    same documents (tests/core/test_index_pool_identical.py compares them).

    When the pool holds `limit` bytes, it is written to files as a run (runs.py) and a new
    pool begun; at the end, the runs (the last pool written as one too) are merged into the
    writer's one segment, which becomes part of the index at `commit()` (a cancelled or killed
    writer adds nothing)."""

    perdocwriter: Any
    fieldwriter: Any
    newsegment: Any
    docnum: int
    docbase: int
    compound: bool

    def __init__(self, ix: Any, *, limit: int, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool: Any = CompactPool()
        self.limit = limit
        #: Full pools of this writer, in files until its segment is written.
        self.runs: list[Run] = []

    def add_document(self, **fields: Any) -> None:
        # Whoosh's SegmentWriter.add_document, with `add_words` for formats that list words.
        self._check_state()
        perdocwriter = self.perdocwriter
        schema = self.schema
        docnum = self.docnum
        pool = self.pool
        add_post = pool.add
        docboost = self._doc_boost(fields)
        fieldnames = sorted([name for name in fields if not name.startswith("_")])
        self._check_fields(schema, fieldnames)
        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields.get(fieldname)
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    fieldboost = self._field_boost(fields, fieldname, docboost)
                    fmt = field.format
                    listed = (
                        fmt.word_places(value, field.analyzer)
                        if hasattr(fmt, "word_places")
                        else None
                    )
                    if listed is not None:
                        words, places = listed
                        pool.add_words(
                            fieldname,
                            docnum,
                            words,
                            places,
                            fmt.field_boost,
                            fieldboost,
                            fmt.encode_grouped,
                        )
                        if field.scorable:
                            length = len(words)
                    else:
                        scorable = field.scorable
                        for tbytes, freq, weight, vbytes in field.index(value):
                            weight *= fieldboost
                            if scorable:
                                length += freq
                            add_post((fieldname, tbytes, docnum, weight, vbytes))
                if field.separate_spelling():
                    spellfield = field.spelling_fieldname(fieldname)
                    for word in field.spellable_words(value):
                        add_post((spellfield, word.encode("utf-8"), 0, 1, None))
                if field.vector:
                    vitems = field.vector.word_values(value, field.analyzer, mode="index")
                    vitems = sorted((text, weight, vbytes) for text, _, weight, vbytes in vitems)
                    perdocwriter.add_vector_items(fieldname, field, vitems)
                customval = fields.get(f"_stored_{fieldname}", value)
                perdocwriter.add_field(
                    fieldname, field, customval if field.stored else None, length
                )
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        self._added = True
        self.docnum += 1
        if pool.nbytes > self.limit:
            self._spill()

    # --- segments

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        try:
            if self.runs and len(self.pool):
                # The last pool becomes a run too: the merge then holds slices, not a pool.
                self._spill()
            chunks = merged(self.runs) if self.runs else [self.pool.sorted_arrays()]
            write_postings(self.fieldwriter, self.schema, lengths, chunks)
        finally:
            if lengths is not None:
                lengths.close()
            self.remove_runs()  # (before the segment's files are assembled into one)
        self.fieldwriter.close()

    def _spill(self) -> None:
        """Writes the full pool as a run beside the segment and begins a new pool; a storage
        without a folder (in memory) keeps it instead."""
        folder = getattr(self.storage, "folder", None)
        if folder is None:
            return
        name = self.newsegment.make_filename(f".run{len(self.runs)}")
        postings = self.pool.sorted_arrays()
        fieldnames = self.pool.fieldnames
        # The full pool's dictionaries of terms are let go before its run is written.
        self.pool = CompactPool()
        self.pool.fieldnames = fieldnames
        self.runs.append(Run.write(Path(folder) / name, postings))

    def commit(self, mergetype: Any = None, optimize: Any = None, merge: Any = None) -> None:
        self._check_state()
        # Old segments first (the merge policy may add some of them to this writer's), then
        # this writer's.
        final = self._merge_segments(mergetype, optimize, merge)
        if self.docnum > 0:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

    def cancel(self) -> None:
        try:
            super().cancel()
        finally:
            self.remove_files()

    def remove_runs(self) -> None:
        for run in self.runs:
            run.remove()
        self.runs = []

    def remove_files(self) -> None:
        """Deletes the files of the segment being written and of its runs (Whoosh leaves
        them for the next commit's clean-up, which also removes those of a writer killed
        before its end: they are named after its segment)."""
        self.remove_runs()
        for name in self.newsegment.list_files(self.storage):
            with contextlib.suppress(OSError):
                self.storage.delete_file(name)

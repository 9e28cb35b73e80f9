"""The full-text index, the only module that opens Whoosh indexes.

Whoosh's traps are kept in here: a searcher belongs to one thread and is refreshed after every
commit; there is one writer at a time; the schema is pickled into the index, so every index
folder records the format it was built with and an index of another format is reported as
outdated, to be rebuilt from SQLite.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as windex
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage

import archive_browser.core.index.arrays as arrays
import archive_browser.core.index.budget as budget
import archive_browser.core.index.checks as checks
import archive_browser.core.index.safe_pickle as safe_pickle
import archive_browser.core.index.whoosh_fixes as whoosh_fixes
from archive_browser.core.errors import ArchiveError, IndexDamagedError
from archive_browser.core.index.analysis import stems as stems_of
from archive_browser.core.index.highlight import HighlightTerms
from archive_browser.core.index.query import STEMMED_FIELDS, ParsedQuery, QueryLanguage
from archive_browser.core.index.schema import INDEX_FORMAT, make_schema
from archive_browser.core.index.writing import IndexWriter

whoosh_fixes.apply()
safe_pickle.install()

META_FILE = "archive-browser-index.json"
#: Whoosh's default index name, and the names its segments take (random letters and digits).
_INDEX_NAME = "MAIN"
SORTS = ("relevance", "date", "-date")


class IndexUnavailable(Exception):
    """The index folder cannot be used as it is and has to be rebuilt."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason  # "missing", "outdated" or "damaged"


@dataclass(frozen=True, slots=True)
class IndexHits:
    """Ids of matching releases in result order, with their scores (none when sorted by
    date); `total` counts every match."""

    total: int
    ids: list[int]
    scores: list[float]


class SearchIndex:
    """A Whoosh index folder built for this program's schema."""

    def __init__(self, path: Path, ix: Any) -> None:
        self.path = path
        self._ix = ix
        self.language = QueryLanguage(ix.schema)
        self._generation = 0
        self._local = threading.local()
        #: Why the index was found unreadable while in use (it must be rebuilt), or None.
        self.damaged: str | None = None

    # --- opening

    @classmethod
    def create(cls, path: Path) -> SearchIndex:
        """Creates an empty index in `path` (which must not hold one yet)."""
        path.mkdir(parents=True, exist_ok=True)
        ix = windex.create_in(str(path), make_schema())
        (path / META_FILE).write_text(json.dumps({"format": INDEX_FORMAT}), encoding="utf-8")
        return cls(path, ix)

    @classmethod
    def open(cls, path: Path, *, inside: Path | None = None) -> SearchIndex:
        """Opens the index in `path`; raises IndexUnavailable when it must be rebuilt.

        Nothing read from the folder is trusted: `path` must be a plain folder directly in
        `inside` (the archive folder, when given), holding no symbolic links; the index is
        opened with our own schema (the stored one is only compared with it, loaded by the
        restricted unpickler of `safe_pickle`, as every pickle of the index is); and any
        failure while reading it (a garbled TOC, a truncated segment) is reported as damage."""
        if inside is not None:
            _check_child(path, inside)
        if not path.is_dir() or not any(path.glob(f"_{_INDEX_NAME}_*.toc")):
            raise IndexUnavailable("missing", str(path))
        try:
            meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("not a record")
        except (OSError, ValueError) as e:
            raise IndexUnavailable("outdated", f"no format record ({e})") from None
        if meta.get("damaged"):
            raise IndexUnavailable("damaged", str(meta["damaged"]))
        if meta.get("format") != INDEX_FORMAT:
            raise IndexUnavailable(
                "outdated", f"format {meta.get('format')}, this program uses {INDEX_FORMAT}"
            )
        try:
            links = [p.name for p in path.iterdir() if p.is_symlink()]
            if links:
                raise IndexUnavailable(
                    "damaged", f"the index folder holds symbolic links ({', '.join(links[:3])})"
                )
            schema = make_schema()
            stored = windex.TOC.read(FileStorage(str(path)), _INDEX_NAME)
            checks.check_toc(stored, schema, _INDEX_NAME)
            ix = windex.open_dir(str(path), schema=schema)
            with ix.searcher() as s:  # reads every segment's header
                s.doc_count()
        except IndexUnavailable:
            raise
        except Exception as e:  # whoosh raises many kinds on a damaged folder
            raise IndexUnavailable("damaged", f"{type(e).__name__}: {e}") from None
        return cls(path, ix)

    def close(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            searcher.close()
            self._local.searcher = None
        self._ix.close()

    # --- writing

    def writer(self, *, bulk: bool = False, procs: int = 1, whoosh: bool = False) -> IndexWriter:
        """The index writer; one at a time per index (the caller serialises). `procs` > 1
        indexes in that many processes; only for a process with no other thread. `whoosh`:
        Whoosh's own writer rather than ours (to compare them)."""
        return IndexWriter(self, bulk, procs, whoosh=whoosh)

    def _committed(self) -> None:
        self._generation += 1

    # --- reading

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        """Turns any failure of Whoosh while reading into IndexDamagedError, after marking the
        index as damaged (here, and in its folder, so that the next opening rebuilds it)."""
        try:
            yield
        except ArchiveError:
            raise
        except Exception as e:  # whoosh raises many kinds on a damaged segment
            self.mark_damaged(f"{type(e).__name__}: {e}")
            raise IndexDamagedError(self.damaged or "") from None

    def mark_damaged(self, reason: str) -> None:
        """Records that the index cannot be read and must be rebuilt (best effort on disk)."""
        self.damaged = reason[:300]
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            with contextlib.suppress(Exception):
                searcher.close()
            self._local.searcher = None
        with contextlib.suppress(OSError):
            record = {"format": INDEX_FORMAT, "damaged": self.damaged}
            (self.path / META_FILE).write_text(json.dumps(record), encoding="utf-8")

    def verify(self) -> Iterator[tuple[int, int]]:
        """Reads the whole index through: every stored document, every term of every field and
        every posting block of each, yielding (segments done, segments) after each segment.
        Raises IndexDamagedError (and marks the index) at the first thing it cannot read."""
        with self._reading():
            searcher = self._ix.searcher()
            try:
                leaves = list(searcher.leaf_searchers())
                for done, (sub, _offset) in enumerate(leaves, 1):
                    checks.verify_segment(sub.reader())
                    yield done, len(leaves)
            finally:
                searcher.close()

    def _searcher(self) -> Any:
        """This thread's searcher, replaced when a commit happened since it was made (in this
        process or another).

        Not `Searcher.refresh()`: in whoosh-reloaded 2.7.5 a refreshed searcher reuses the
        readers of unchanged segments and misses documents deleted from them since, so an
        updated release would match both as it was and as it is."""
        local = self._local
        searcher = getattr(local, "searcher", None)
        # Also when another process (an import's child) committed since.
        if searcher is None or local.generation != self._generation or not searcher.up_to_date():
            if searcher is not None:
                searcher.close()  # nothing outside this module holds its results
            local.generation = self._generation
            searcher = local.searcher = self._ix.searcher()
        return searcher

    def doc_count(self) -> int:
        with self._reading():
            return int(self._searcher().doc_count())

    def parse(self, text: str) -> ParsedQuery:
        return self.language.parse(text)

    def search(
        self, parsed: ParsedQuery, *, sort: str = "relevance", limit: int | None = 20
    ) -> IndexHits:
        """The releases matching a query, best (or newest/oldest) first. Raises
        QueryTooBroadError when answering would read too much of the index (see `budget`),
        IndexDamagedError when the index cannot be read."""
        if sort not in SORTS:
            raise ValueError(f"sort must be one of {SORTS}")
        with self._reading(), budget.bounded():
            return self._search(parsed, sort, limit)

    def _search(self, parsed: ParsedQuery, sort: str, limit: int | None) -> IndexHits:
        """The releases matching a query, best (or newest/oldest) first.

        Whoosh answers date ranges by merging the postings of many numeric terms, and sorts
        by date by collecting a sort key per match; both took up to a second on 100,000
        releases. Here a date range that must hold (a top-level AND) becomes a set of
        allowed documents, read from the date column, and sorting by date reads that column
        too, over the matches' ids, unscored."""
        searcher = self._searcher()
        if searcher.doc_count_all() == 0:
            return IndexHits(0, [], [])
        query, ranges = _split_date_ranges(parsed.query)
        columns = self._columns(searcher)
        allow = columns.in_ranges(ranges) if ranges else None
        self._local.expansions = (searcher, parsed, budget.current().patterns)
        if sort != "relevance":
            docnums = _matching(searcher, query, allow)
            ordered = columns.by_date(docnums, newest_first=sort == "-date")
            chosen = ordered[:limit] if limit else ordered
            return IndexHits(len(docnums), columns.ids_of(chosen), [])
        if isinstance(query, wq.Every):
            docnums = _matching(searcher, query, allow)
            chosen = docnums[:limit] if limit else docnums
            return IndexHits(len(docnums), columns.ids_of(chosen), [])
        query, negated = _split_negations(query)
        mask = _matching(searcher, negated, None) if negated is not None else None
        found = arrays.evaluate(searcher, query)
        if found is not None:
            docs, scores = found
            if allow is not None:
                keep = np.isin(docs, allow, assume_unique=True)
                docs, scores = docs[keep], scores[keep]
            if mask is not None and len(mask):
                keep = np.isin(docs, mask, assume_unique=True, invert=True)
                docs, scores = docs[keep], scores[keep]
            top = _best(docs, scores, limit)
            return IndexHits(len(docs), columns.ids_of(docs[top]), scores[top].tolist())
        masked = set(mask.tolist()) if mask is not None and len(mask) else None
        allowed = set(allow.tolist()) if allow is not None else None
        if (
            allowed is None
            and masked is None
            and isinstance(query, wq.Term)
            and not searcher.reader().has_deletions()
        ):
            # One term: its document frequency is the count; only the best need scoring.
            results = searcher.search(query, limit=limit)
            total = searcher.doc_frequency(query.fieldname, query.text)
        else:
            # Scoring every match and sorting them (in C) costs about what scoring alone
            # does, and half of scoring the best plus counting in a second pass.
            results = searcher.search(query, limit=None, filter=allowed, mask=masked)
            total = len(results)
        hits = [(hit.docnum, float(hit.score or 0.0)) for hit in results[:limit]]
        return IndexHits(
            total,
            columns.ids_of(np.array([d for d, _ in hits], dtype=np.int64)),
            [s for _, s in hits],
        )

    def _columns(self, searcher: Any) -> _Columns:
        local = self._local
        cached = getattr(local, "columns", None)
        if cached is None or cached.searcher is not searcher:
            cached = local.columns = _Columns(searcher)
        return cached

    def highlight_terms(self, parsed: ParsedQuery) -> HighlightTerms:
        """The terms a query matches in text fields, with wildcards and fuzzy terms expanded
        to the words the index holds. Negated terms are left out."""
        with self._reading(), budget.bounded():
            return self._highlight_terms(parsed)

    def _highlight_terms(self, parsed: ParsedQuery) -> HighlightTerms:
        reader, none = None, (None, None, dict[int, set[Any]]())
        searcher, searched, words_of = getattr(self._local, "expansions", none)
        if searched is not parsed or (words_of and searcher is not self._searcher()):
            words_of = {}
        stems: set[str] = set()
        forms: set[str] = set()
        stem_phrases: set[tuple[str, ...]] = set()
        form_phrases: set[tuple[str, ...]] = set()
        for leaf in _positive_leaves(parsed.query):
            if getattr(leaf, "fieldname", None) not in STEMMED_FIELDS:
                continue  # tags, dates...: not marked in the text (nor looked up for it)
            if isinstance(leaf, wq.Phrase):
                stem_phrases.add(tuple(str(w) for w in leaf.words))
                continue
            if (known := words_of.get(id(leaf))) is not None:
                stems.update(w.decode() if isinstance(w, bytes) else str(w) for w in known)
                continue
            reader = self._searcher().reader() if reader is None else reader
            for fieldname, text in leaf.existing_terms(reader, expand=True):
                if fieldname in STEMMED_FIELDS:
                    stems.add(text.decode("utf-8") if isinstance(text, bytes) else str(text))
        # exact: terms were searched by their stems; only their forms as written are hits.
        for sequence in parsed.exact:
            stem_of = stems_of(sequence)
            stemmed = tuple(stem_of[w] for w in sequence)
            if len(sequence) == 1:
                stems.discard(stemmed[0])
                forms.add(sequence[0])
            else:
                stem_phrases.discard(stemmed)
                form_phrases.add(sequence)
        return HighlightTerms(
            frozenset(stems), frozenset(forms), frozenset(stem_phrases), frozenset(form_phrases)
        )

    def revisions(self) -> dict[int, int]:
        """Release id to revision, for every document in the index."""
        with self._reading():
            reader = self._searcher().reader()
            return {int(fields["id"]): int(fields["rev"]) for _, fields in reader.iter_docs()}

    def ids(self) -> Sequence[int]:
        with self._reading():
            reader = self._searcher().reader()
            return [int(fields["id"]) for _, fields in reader.iter_docs()]


class _Columns:
    """Release ids and dates by document number, read from the index's columns on first use
    (once per searcher), as arrays: sorting and slicing them runs in NumPy, which lets other
    threads (the window's) run meanwhile, as a sort of Python objects does not."""

    def __init__(self, searcher: Any) -> None:
        self.searcher = searcher
        self._ids: np.ndarray | None = None
        self._dates: tuple[np.ndarray, np.ndarray] | None = None
        self._by_date: tuple[np.ndarray, np.ndarray] | None = None

    def ids_of(self, docnums: np.ndarray) -> list[int]:
        """The release ids of documents."""
        if self._ids is None:
            self._ids = arrays.column(self.searcher, "id")
        return self._ids[docnums].tolist()

    def _date_arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """Each document's date (in the date column's units) and whether it has one."""
        if self._dates is None:
            # Dates are unsigned 64-bit numbers; the flag a number shifted to be sortable.
            dated = self.searcher.schema["nodate"].to_column_value(0)
            self._dates = (
                arrays.column(self.searcher, "date"),
                arrays.column(self.searcher, "nodate") == dated,
            )
        return self._dates

    def by_date(self, docnums: np.ndarray, *, newest_first: bool) -> np.ndarray:
        """Documents in date order (equal dates in document order), the undated last."""
        dates, dated = self._date_arrays()
        has = dated[docnums]
        with_date = docnums[has]
        keys = dates[with_date]
        if newest_first:  # reversed keys, so that equal dates stay in document order
            keys = np.iinfo(np.uint64).max - keys
        order = np.argsort(keys, kind="stable")
        return np.concatenate([with_date[order], docnums[~has]])

    def in_ranges(self, ranges: list[tuple[int | None, int | None]]) -> np.ndarray:
        """Documents (ascending) whose date lies in every range (bounds included; None:
        open): a slice of the documents in date order for each range, found by bisection."""
        if self._by_date is None:
            dates, dated = self._date_arrays()
            docnums = np.flatnonzero(dated)
            order = np.argsort(dates[docnums], kind="stable")
            self._by_date = dates[docnums][order], docnums[order]
        values, docnums = self._by_date
        allowed: np.ndarray | None = None
        top = int(np.iinfo(np.uint64).max)
        if len(ranges) == 1 and len(values):
            # Many documents in one range: comparing every date gives them in order at once.
            lo, hi = ranges[0]
            lo_v = np.uint64(min(max(lo, 0), top)) if lo is not None else values[0]
            hi_v = np.uint64(min(max(hi, 0), top)) if hi is not None else values[-1]
            inside = np.searchsorted(values, hi_v, "right") - np.searchsorted(values, lo_v)
            if inside * _SORT_OR_SCAN > len(values):
                dates, dated = self._date_arrays()
                return np.flatnonzero(dated & (dates >= lo_v) & (dates <= hi_v))
        for lo, hi in ranges:
            # As uint64: a Python int would be compared as a float, whose 53 bits round the
            # last microsecond of a month up to the first of the next (a day too many).
            start = (
                0
                if lo is None
                else int(np.searchsorted(values, np.uint64(min(max(lo, 0), top)), "left"))
            )
            end = (
                len(values)
                if hi is None
                else int(np.searchsorted(values, np.uint64(min(max(hi, 0), top)), "right"))
            )
            inside = np.sort(docnums[start:end])
            allowed = inside if allowed is None else np.intersect1d(allowed, inside, True)
        return allowed if allowed is not None else np.sort(docnums)


#: A range holding over one dated document in this many is found by comparing dates.
_SORT_OR_SCAN = 16


def _best(docs: np.ndarray, scores: np.ndarray, limit: int | None) -> list[int]:
    """Positions of the best-scored documents, best first; equal scores in document order,
    as Whoosh orders them."""
    if limit == 0:
        return []
    if limit is not None and len(docs) > limit:
        # Only the documents scoring at least the limit-th best need sorting.
        threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(len(docs))
    order = candidates[np.lexsort((docs[candidates], -scores[candidates]))]
    return order[:limit].tolist() if limit is not None else order.tolist()


def _matching(searcher: Any, query: wq.Query, allow: np.ndarray | None) -> np.ndarray:
    """Every live document matching `query` (and in `allow`), ascending, unscored."""
    if isinstance(query, wq.Every):
        docnums = allow if allow is not None else np.arange(searcher.doc_count_all())
        deleted = _deleted(searcher)
        return docnums[np.isin(docnums, deleted, invert=True)] if len(deleted) else docnums
    found = arrays.evaluate(searcher, query)
    if found is not None:
        docnums = found[0]
    else:
        docnums = np.fromiter(searcher.docs_for_query(query), dtype=np.int64)
    return docnums if allow is None else docnums[np.isin(docnums, allow, assume_unique=True)]


def _deleted(searcher: Any) -> np.ndarray:
    """The deleted documents of every segment (global numbers)."""
    parts = [
        np.fromiter(sub.reader().deleted_docs_set, dtype=np.int64) + offset
        for sub, offset in searcher.leaf_searchers()
        if sub.reader().has_deletions()
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _split_negations(q: wq.Query) -> tuple[wq.Query, wq.Query | None]:
    """A top-level AND's NOT terms as one query of documents to leave out, read once (Whoosh's
    AndNot steps through them document by document). Scores are the same: NOT adds nothing."""
    if not isinstance(q, wq.And):
        return q, None
    kept = [c for c in q.subqueries if not isinstance(c, wq.Not)]
    dropped = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
    if not kept or not dropped:
        return q, None
    positive = kept[0] if len(kept) == 1 else wq.And(kept, boost=q.boost)
    return positive, dropped[0] if len(dropped) == 1 else wq.Or(dropped)


def _split_date_ranges(q: wq.Query) -> tuple[wq.Query, list[tuple[int | None, int | None]]]:
    """Takes the date ranges that must hold (the query itself, or terms of a top-level AND)
    out of a query; returns what remains (Every when nothing) and the ranges' inclusive
    bounds in the date column's units."""
    parts = list(q.children()) if isinstance(q, wq.And) else [q]
    ranges = []
    rest = []
    for part in parts:
        if isinstance(part, wq.NumericRange) and part.fieldname == "date":
            lo = part.start if part.start is not None else None
            hi = part.end if part.end is not None else None
            if lo is not None and part.startexcl:
                lo += 1
            if hi is not None and part.endexcl:
                hi -= 1
            ranges.append((lo, hi))
        else:
            rest.append(part)
    if not ranges:
        return q, []
    if not rest:
        return wq.Every(), ranges
    return (rest[0] if len(rest) == 1 else wq.And(rest)), ranges


def _positive_leaves(q: wq.Query) -> Iterator[wq.Query]:
    if isinstance(q, wq.Not):
        return
    if isinstance(q, wq.AndNot):
        yield from _positive_leaves(q.a)
        return
    if q.is_leaf() or isinstance(q, wq.Phrase):
        yield q
        return
    for child in q.children():
        yield from _positive_leaves(child)


def _check_child(path: Path, inside: Path) -> None:
    """Raises IndexUnavailable("damaged") unless `path` is a plain folder name directly in
    `inside` that is not a symbolic link: the name comes from the archive's own data, which
    may have been crafted to point anywhere."""
    name = path.name
    if (
        path.parent != inside
        or not name
        or name in (".", "..")
        or "/" in name
        or "\\" in name
        or "\0" in name
        or path.is_symlink()
        or (path.exists() and path.resolve().parent != inside.resolve())
    ):
        raise IndexUnavailable(
            "damaged", f"the index folder {str(path)!r} is not a folder inside the archive"
        )

"""Queries of terms, expanded terms (`pres*`, `ukrane~`), phrases, AND and OR, evaluated as
arrays.

Whoosh steps through every posting of a query with a tree of matchers in Python, scoring each
document with a few method calls and collecting it with a few more: a prefix matching 60,000
of 100,000 releases took half a second. Here each word's postings are read block by block into
arrays, scored with BM25F in NumPy (the same formula and statistics as Whoosh's scorer),
summed per document as Whoosh's AND and OR do, and intersected or merged as arrays; phrases
compare word positions as arrays too. `evaluate()` answers a whole query that way;
`union_matcher()` gives an expanded term inside a query that needs Whoosh's matchers (a NOT
inside an OR, a phrase with slop) as a list matcher.
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Iterator
from operator import itemgetter
from typing import Any

import numpy as np
from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermsReader
from whoosh.columns import NumericColumn
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F

import archive_browser.core.index.budget as budget
import archive_browser.core.index.safe_pickle as safe_pickle
from archive_browser.core.index.analysis import PAIR_SEPARATOR, pair_indexed, pair_words
from archive_browser.core.index.schema import PAIR_FIELD, CompactPositions
from archive_browser.core.index.whoosh_fixes import LENGTHS, length_column

_LENGTHS = np.array(LENGTHS, dtype=np.float64)


Arrays = tuple[np.ndarray, np.ndarray]
_EMPTY: Arrays = (np.zeros(0, dtype=np.int64), np.zeros(0))


class _Unsupported(Exception):
    """A part of the query that only Whoosh's matchers evaluate."""


def evaluate(searcher: Any, q: Any) -> Arrays | None:
    """Every live document matching `q`, as ascending global document numbers and their
    scores, for a query made of terms, expanded terms, phrases of adjacent words, AND and OR;
    None for any other query (NOT inside it, ranges, phrases with slop), which Whoosh's
    matchers answer. Scores are Whoosh's: BM25F per term, summed over the terms that match,
    times the boosts. The words of the index each expanding term stood for (in any segment)
    are noted in the query's budget (`QueryBudget.patterns`)."""
    parts: list[Arrays] = []
    try:
        leaves = list(searcher.leaf_searchers())
        # Every pattern expanded in every segment before any postings are read: a query that
        # stands for too many words is refused before the work, not after most of it.
        expanded = [_expand(sub.reader(), q, {}) for sub, _ in leaves]
        patterns = budget.current().patterns
        for found in expanded:
            for key, stood_for in found.items():
                patterns.setdefault(key, set()).update(stood_for)
        for (sub, offset), words in zip(leaves, expanded, strict=True):
            docs, scores = _live(sub.reader(), *_evaluate(sub, q, {}, words))
            parts.append((docs + offset, scores))
    except _Unsupported:
        return None
    if not parts:
        return _EMPTY
    return np.concatenate([d for d, _ in parts]), np.concatenate([s for _, s in parts])


def _expand(reader: Any, q: Any, out: dict[int, list[Any]]) -> dict[int, list[Any]]:
    """The words each expanding term of `q` stands for in one segment, by the term's id."""
    if isinstance(q, wq.MultiTerm) and hasattr(q, "expanded_in_bulk"):
        out[id(q)] = q.expanded_in_bulk(reader)
    elif isinstance(q, wq.And | wq.Or):
        for sub in q.subqueries:
            _expand(reader, sub, out)
    return out


def union_matcher(searcher: Any, fieldname: str, words: list[bytes | str], boost: float) -> Any:
    """A matcher of the documents of one segment holding any of the words (scored as
    Whoosh's union of their terms would be), or None when the scoring is not BM25F."""
    try:
        docs, scores = _live(searcher.reader(), *_words(searcher, fieldname, words, {}))
    except _Unsupported:
        return None
    if not len(docs):
        return matching.NullMatcher()
    return matching.ListMatcher(docs.tolist(), weights=(scores * boost).tolist())


def _live(reader: Any, docs: np.ndarray, scores: np.ndarray) -> Arrays:
    """The documents (of one segment) that are not deleted, with their scores."""
    if not reader.has_deletions() or not len(docs):
        return docs, scores
    keep = ~np.isin(docs, np.fromiter(reader.deleted_docs_set, dtype=np.int64))
    return docs[keep], scores[keep]


def _evaluate(
    searcher: Any, q: Any, lengths: dict[str, np.ndarray], expanded: dict[int, list[Any]]
) -> Arrays:
    """`q` on one segment (deleted documents included, as in Whoosh's raw postings), with the
    words of its expanding terms in `expanded` (see `_expand`)."""
    if isinstance(q, wq.Term):
        docs, scores = _words(searcher, q.fieldname, [q.text], lengths)
    elif isinstance(q, wq.Phrase) and q.slop == 1 and len(q.words) > 1:
        docs, scores = _phrase(searcher, q, lengths)
    elif isinstance(q, wq.MultiTerm) and hasattr(q, "expanded_in_bulk"):
        words = expanded.get(id(q))
        if words is None:
            words = q.expanded_in_bulk(searcher.reader())
        docs, scores = _words(searcher, q.field(), words, lengths, q.label())
    elif isinstance(q, wq.And) and q.subqueries:
        docs, scores = _evaluate(searcher, q.subqueries[0], lengths, expanded)
        for sub in q.subqueries[1:]:
            if not len(docs):
                break
            other, more = _evaluate(searcher, sub, lengths, expanded)
            docs, here, there = np.intersect1d(docs, other, assume_unique=True, return_indices=True)
            scores = scores[here] + more[there]
    elif isinstance(q, wq.Or) and not q.minmatch and not q.scale:
        found = [_evaluate(searcher, sub, lengths, expanded) for sub in q.subqueries]
        docs, scores = _sum_by_doc([d for d, _ in found], [s for _, s in found])
    else:
        raise _Unsupported
    return docs, scores * q.boost if q.boost != 1.0 else scores


def _words(
    searcher: Any,
    fieldname: str,
    words: list[bytes | str],
    lengths: dict[str, np.ndarray],
    what: str | None = None,
) -> Arrays:
    """The documents of one segment holding any of `words` in a field, with the sum of
    their BM25F scores for the words they hold; the postings read are charged to the query's
    budget, for `what` (the pattern the words stand for; by default each word)."""
    if fieldname not in searcher.schema:
        return _EMPTY
    field = searcher.schema[fieldname]
    id_parts: list[np.ndarray] = []
    score_parts: list[np.ndarray] = []
    for word in words:
        try:
            btext = field.to_bytes(word) if isinstance(word, str) else word
        except ValueError:
            continue
        found = _term(searcher, fieldname, btext, lengths, None, what)
        if found is not None:
            id_parts.append(found[0])
            score_parts.append(found[1])
    if len(id_parts) == 1:
        return id_parts[0], score_parts[0]
    return _sum_by_doc(id_parts, score_parts)


def _term(
    searcher: Any,
    fieldname: str,
    btext: bytes,
    lengths: dict[str, np.ndarray],
    values: list[bytes] | None,
    what: str | None = None,
) -> Arrays | None:
    """One word's documents and BM25F scores in one segment (None: not in it); its posting
    values are appended to `values` when one is given. Its postings are charged to the
    query's budget (after reading: one word's postings at most go past it)."""
    reader = searcher.reader()
    field = searcher.schema[fieldname]
    weighting = searcher.weighting
    terms = reader._terms
    if type(weighting) is not BM25F or not field.scorable:
        raise _Unsupported
    if not isinstance(terms, W3TermsReader):
        if (fieldname, btext) not in reader:
            return None
        ids, weights = _postings(terms.matcher(fieldname, btext, field.format), values)
    else:
        try:
            info = terms.term_info(fieldname, btext)
        except TermNotFound:
            return None
        ids, weights = _read_postings(terms, info, fieldname, btext, field.format, values)
    label = what or f"`{btext.decode('utf-8', 'replace')}`"
    budget.current().read(label, len(ids))
    fl = _LENGTHS[_lengths(reader, fieldname, lengths)[ids]]
    # The statistics of Whoosh's BM25FScorer (of the whole index, from the parent searcher),
    # without making one: it looks the term up again to find its best possible score.
    parent = searcher.get_parent()
    idf = parent.idf(fieldname, btext)
    avgfl = parent.avg_field_length(fieldname) or 1
    k1 = weighting.K1
    b = weighting._field_B.get(fieldname, weighting.B)
    # In the order of Whoosh's bm25(), so that scores are equal to the last bit.
    return ids, idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * fl / avgfl)))


def phrase_units(fieldname: str, words: list[str], schema: Any) -> list[tuple[str, str, int]]:
    """What a phrase of adjacent words is looked up by: (field, term, place in the phrase)
    for each part. On the text field, each pair of adjacent words of which one is a pair word
    (`analysis.pair_words`) is a term of the pair field, rarer than either of its words: the
    phrase's pairs are taken (less those whose words other pairs cover, pairs of two pair
    words first, as they are the most common), then each word no pair covers, as itself.
    Every word is covered by a part, so a release holds the phrase at a place exactly when it
    holds every part at its place (a pair stands at its first word's place)."""
    if fieldname != "text" or PAIR_FIELD not in schema:
        return [(fieldname, w, k) for k, w in enumerate(words)]
    common = pair_words()
    pairs = [k for k in range(len(words) - 1) if pair_indexed(words[k], words[k + 1])]
    cover = [0] * len(words)
    for k in pairs:
        cover[k] += 1
        cover[k + 1] += 1
    for k in sorted(pairs, key=lambda k: -(words[k] in common) - (words[k + 1] in common)):
        if cover[k] > 1 and cover[k + 1] > 1:
            pairs.remove(k)
            cover[k] -= 1
            cover[k + 1] -= 1
    units = [(PAIR_FIELD, words[k] + PAIR_SEPARATOR + words[k + 1], k) for k in pairs]
    units += [(fieldname, w, k) for k, w in enumerate(words) if not cover[k]]
    return sorted(units, key=lambda unit: unit[2])


def _phrase(searcher: Any, q: Any, lengths: dict[str, np.ndarray]) -> Arrays:
    """Documents where the phrase's words stand side by side, scored as the sum of its
    parts' scores (see `phrase_units`: word pairs, and words). The documents holding every
    part are found as arrays; their places are then compared as arrays of (document, start)
    keys, rarest part first, so that a common part's places are compared for the documents
    still in the running only. A phrase of one part (two words of which one is a pair word)
    needs no places at all."""
    schema = searcher.schema
    if q.fieldname not in schema or not schema[q.fieldname].format.supports("positions"):
        raise _Unsupported
    units = phrase_units(q.fieldname, [str(w) for w in q.words], schema)
    parts: list[tuple[np.ndarray, np.ndarray, list[bytes], int]] = []
    for fieldname, word, offset in units:
        # One part (two words, one of them a pair word) is a look-up: its places are not kept.
        values: list[bytes] | None = [] if len(units) > 1 else None
        found = _term(searcher, fieldname, schema[fieldname].to_bytes(word), lengths, values)
        if found is None:
            return _EMPTY
        parts.append((found[0], found[1], values or [], offset))
    if len(parts) == 1:
        return parts[0][0], parts[0][1]
    docs = parts[0][0]
    for ids, _, _, _ in parts[1:]:
        docs = docs[_in_sorted(docs, ids)]
    starts: np.ndarray | None = None
    for ids, _, values, offset in sorted(parts, key=lambda part: len(part[0])):
        if not len(docs):
            return _EMPTY
        rows = np.searchsorted(ids, docs).tolist()
        picked = list(itemgetter(*rows)(values)) if len(rows) > 1 else [values[rows[0]]]
        keys = _start_keys(docs, picked, offset)
        starts = keys if starts is None else starts[_in_sorted(starts, keys)]
        docs = _distinct_sorted(starts >> 32)
    scores = np.zeros(len(docs))
    for ids, word_scores, _, _ in parts:
        scores += word_scores[np.searchsorted(ids, docs)]
    return docs, scores


def _in_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Which elements of `a` are in `b` (ascending): a binary search each, rather than
    sorting both together as np.intersect1d does."""
    if not len(b):
        return np.zeros(len(a), dtype=bool)
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    found: np.ndarray = b[at] == a
    return found


def _distinct_sorted(a: np.ndarray) -> np.ndarray:
    """The distinct values of an ascending array."""
    if not len(a):
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


_COMPACT = CompactPositions()
_HEADER = np.arange(4)
_BIG_ENDIAN = np.array([1 << 24, 1 << 16, 1 << 8, 1], dtype=np.int64)


def _start_keys(docs: np.ndarray, values: list[bytes], offset: int) -> np.ndarray:
    """For each document and each place of a word in it, document * 2**32 + (place - offset):
    the place the phrase would start at. Ascending and distinct. `values` are postings of
    the compact format (`schema.CompactPositions`): a 4-byte count, then 16- or 32-bit
    places; the counts and places of all of them are read as one array."""
    if not values:
        return np.zeros(0, dtype=np.int64)
    sizes = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    raw = np.frombuffer(b"".join(values), dtype=np.uint8)
    heads = (np.cumsum(sizes) - sizes)[:, None] + _HEADER
    counts = raw[heads].astype(np.int64) @ _BIG_ENDIAN
    if np.array_equal(sizes - 4, 2 * counts):  # all 16-bit
        body = np.ones(len(raw), dtype=bool)
        body[heads.ravel()] = False
        places = raw[body].view(np.uint16).astype(np.int64)
    else:
        places = np.fromiter(
            (p for v in values for p in _COMPACT.decode_positions(v)),
            dtype=np.int64,
            count=int(counts.sum()),
        )
    keys = np.repeat(docs, counts) * (1 << 32) + (places - offset)
    return keys[places >= offset]


def _sum_by_doc(id_parts: list[np.ndarray], score_parts: list[np.ndarray]) -> Arrays:
    if not id_parts:
        return _EMPTY
    docs, where = np.unique(np.concatenate(id_parts), return_inverse=True)
    return docs, np.bincount(where, weights=np.concatenate(score_parts), minlength=len(docs))


def _lengths(reader: Any, fieldname: str, cache: dict[str, np.ndarray]) -> np.ndarray:
    """A segment's length bytes of a field, one a document (see `whoosh_fixes.LENGTHS`)."""
    found = cache.get(fieldname)
    if found is None:
        column = length_column(reader._perdoc, fieldname)
        if column is None:
            raise _Unsupported
        found = cache[fieldname] = np.frombuffer(column, dtype=np.uint8)
    return found


def _read_postings(
    terms: Any, info: Any, fieldname: str, btext: bytes, fmt: Any, values: list[bytes] | None
) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and weights of a term's postings in one segment (and their
    values, appended to `values` when one is given), from its record `info` in the
    segment's terms: its blocks read straight from the postings file (see `_blocks`), or
    through a matcher for postings kept in the record itself."""
    if info.is_inlined():
        return _postings(terms.matcher(fieldname, btext, fmt), values)
    offset, length = info.extent()
    if isinstance(length, tuple):  # Whoosh's term record keeps it as struct.unpack gives it
        (length,) = length
    fixedsize = fmt.fixed_value_size()
    deltas: list[int] = []
    counts: list[int] = []
    weight_blocks: list[float] = []
    for count, (block_deltas, weights, block_values) in _blocks(
        terms._postfile, offset, length, (fieldname, btext)
    ):
        deltas.extend(block_deltas)
        counts.append(count)
        if values is not None:
            values.extend(_block_values(fixedsize, count, block_values))
        if weights is None:
            weight_blocks.extend([1.0] * count)
        elif isinstance(weights, float):
            weight_blocks.extend([weights] * count)
        else:
            weight_blocks.extend(weights)
    # Each block's numbers are gaps from 0: summed over all blocks at once, then each block
    # less what the blocks before it summed to.
    running = np.cumsum(np.array(deltas, dtype=np.int64))
    sizes = np.array(counts, dtype=np.int64)
    ends = np.cumsum(sizes)
    before = np.concatenate(([0], running[ends[:-1] - 1]))
    docs: np.ndarray = running - np.repeat(before, sizes)
    return docs, np.array(weight_blocks, dtype=np.float64)


def _postings(m: Any, values: list[bytes] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The document numbers and weights of the postings a matcher steps through (and their
    values, appended to `values` when one is given)."""
    ids: list[int] = []
    weights: list[float] = []
    while m.is_active():
        ids.append(m.id())
        weights.append(m.weight())
        if values is not None:
            values.append(m.value())
        m.next()
    return np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)


def _block_values(fixedsize: int | None, count: int, values: Any) -> Any:
    """A block's posting values as Whoosh's matcher gives them (`W3LeafMatcher._read_values`):
    values of a fixed size are stored joined."""
    if fixedsize is None or fixedsize < 0:
        return values
    if fixedsize == 0:
        return (None,) * count
    return [values[i : i + fixedsize] for i in range(0, len(values), fixedsize)]


_BLOCK_LENGTH = struct.Struct("!i")


def _blocks(postfile: Any, offset: int, length: int, term: Any) -> Iterator[tuple[int, Any]]:
    """(postings, (id gaps, weights, values)) of each block of a term's postings, read from
    one copy of its bytes: each block is a length (negative for the last), a pickle of its
    statistics, then its data, pickled and compressed (as `W3PostingsWriter._write_block`
    writes them). Whoosh's matcher reads the same through several layers of Python calls a
    block. Pickles are read by the restricted unpickler, as every pickle of the index is."""
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        # Whoosh's words for it, which the damage report quotes.
        raise ValueError(f"Block tag error {raw[:4]!r} at the postings of {term!r}")
    view = memoryview(raw)
    # With peek(), the unpickler takes each pickle from its buffer in one piece rather than
    # calling read() for each opcode, then advances the stream by exactly its length (an
    # unpickler keeps what it read ahead: one for each pickle).
    stream = io.BufferedReader(io.BytesIO(raw), buffer_size=len(raw) + 1)
    unpickler = safe_pickle.SafeUnpickler
    pos = 4
    while True:
        (length,) = _BLOCK_LENGTH.unpack_from(raw, pos)
        end = pos + _BLOCK_LENGTH.size + abs(length)
        if end > len(raw):
            raise ValueError(f"a posting block of {term!r} runs past its postings")
        stream.seek(pos + _BLOCK_LENGTH.size)
        count, _maxid, _maxweight, compression, _minlength, _maxlength = unpickler(stream).load()
        data = view[stream.tell() : end]
        yield count, safe_pickle.loads(zlib.decompress(data) if compression else data)
        if length < 0:
            return
        pos = end


def column(searcher: Any, fieldname: str) -> np.ndarray:
    """A numeric column's stored values for every document (global numbers), read as
    arrays from each segment's column file; what `column_reader(translate=False)` gives,
    without a Python call per document."""
    kind = searcher.schema[fieldname].column_type
    if not isinstance(kind, NumericColumn):
        raise TypeError(f"{fieldname} has no numeric column")
    dtype = np.dtype(kind._typecode).newbyteorder(">")
    parts = []
    for sub, _offset in searcher.leaf_searchers():
        reader = sub.reader()
        count = reader.doc_count_all()
        values = np.full(count, kind._default, dtype=dtype.newbyteorder("="))
        if reader._perdoc.has_column(fieldname):
            col = reader._perdoc.column_reader(fieldname, kind)
            stored = min(col._count, count)
            raw = col._dbfile.get(col._basepos, stored * col._fixedlen)
            values[:stored] = np.frombuffer(raw, dtype=dtype)
        parts.append(values)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype.newbyteorder("="))

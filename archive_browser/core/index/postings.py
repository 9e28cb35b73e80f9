"""Writing a pool's postings (`pool.CompactPool.sorted_arrays`) into a segment, in Whoosh's W3
postings format: the blocks and term information its postings writer makes posting by posting,
made here a term at a time from the sorted arrays."""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import length_to_byte

from archive_browser.core.index.whoosh_fixes import BLOCK_PICKLE_PROTOCOL, LENGTHS, length_column


class SortedPostings(NamedTuple):
    """A pool's postings sorted by field, term and document (see `CompactPool.sorted_arrays`)."""

    terms: list[tuple[str, bytes]]
    starts: np.ndarray
    docs: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray
    sizes: np.ndarray
    values: bytes


#: A block's pickled postings shorter than this many bytes are written without zlib, which
#: makes them longer (5,000 benchmark releases: 39,445 of their 83,851 blocks are under 32
#: bytes, 757 KB that zlib made 1,071 KB) and costs a call each. Every reader of the format
#: reads both: a block says whether it is compressed. (Whoosh's own writer meant to leave
#: blocks under 20 bytes so, but its test is undone on the next line.)
COMPRESS_FROM = 64
#: Postings turned into Python lists at once (about 16 MB of lists), or one term's if more.
_LIST_POSTINGS = 1 << 16


def write_postings(
    fieldwriter: Any, schema: Any, lengths: Any, chunks: Iterable[SortedPostings]
) -> None:
    """Writes sorted postings through a W3 field writer: for each term, the blocks of at most
    `blocklimit` postings and the term's information that Whoosh's `W3PostingsWriter`
    (`_write_block`, `finish_postings`) and `W3TermInfo.to_bytes` make posting by posting, here
    from the arrays a term at a time. The same bytes, but that blocks under COMPRESS_FROM bytes
    are not compressed. The postings come in `chunks`, each of terms after the last one's
    (one pool's, or a slice of merged runs': see runs.py)."""
    codec = fieldwriter._codec
    limit: int = codec._blocklimit
    level: int = codec._compression
    postfile = fieldwriter._postfile
    add_term = fieldwriter._tindex.add
    table = np.array(LENGTHS, dtype=np.int64)
    dumps = pickle.dumps
    protocol = BLOCK_PICKLE_PROTOCOL  # as whoosh_fixes makes Whoosh's writer pickle them
    compress = zlib.compress
    info_pack = W3TermInfo._struct.pack
    magic = WHOOSH3_HEADER_MAGIC
    position = postfile.tell()
    current = None
    lo = hi = 0  # the postings turned into lists: [lo, hi)
    fieldid = 0
    fixed: int | None = None
    field_lengths: np.ndarray | None = None
    for postings in chunks:
        terms, starts, docs, weights, offsets, sizes, values = postings
        if not terms:
            continue
        bounds = starts.tolist()
        field_end = _field_end(terms, bounds, 0)
        hi = -1  # lists are made anew for each chunk
        for t, (fieldname, tbytes) in enumerate(terms):
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                current = fieldname
                fieldobj = schema[fieldname]
                fieldwriter.start_field(fieldname, fieldobj)
                fieldid = fieldwriter._fieldid
                fixed = fieldobj.format.fixed_value_size()
                column = length_column(lengths, fieldname) if lengths is not None else None
                field_lengths = (
                    table[np.frombuffer(column, dtype=np.uint8)] if column is not None else None
                )
                field_end = _field_end(terms, bounds, t)
                hi = -1  # the lists hold the field's lengths: they are made again
            first, end = bounds[t], bounds[t + 1]
            if end > hi:
                lo = first
                hi = min(max(end, first + _LIST_POSTINGS), field_end)
                l_docs, l_deltas, l_weights, l_rounded = _block_lists(
                    docs[lo:hi], weights[lo:hi], starts, t, limit
                )
                l_offsets = offsets[lo:hi].tolist()
                l_sizes = sizes[lo:hi].tolist()
                l_lengths = (
                    field_lengths[docs[lo:hi]].tolist() if field_lengths is not None else None
                )
            parts = [magic]
            start_offset = position
            written = len(magic)
            t_weight: float = 0
            t_minlength: int | None = None
            t_maxlength = 0
            t_maxweight: float = 0
            for b in range(first - lo, end - lo, limit):
                e = min(b + limit, end - lo)
                ws = l_rounded[b:e]
                if all(w == 1.0 for w in ws):
                    mini_weights: Any = None
                elif all(w == ws[0] for w in ws):
                    mini_weights = ws[0]
                else:
                    mini_weights = tuple(ws)
                vals = [
                    values[o : o + n]
                    for o, n in zip(l_offsets[b:e], l_sizes[b:e], strict=True)
                    if n
                ]
                if fixed is None or fixed < 0:
                    mini_values: Any = tuple(vals)
                elif fixed == 0:
                    mini_values = None
                else:
                    mini_values = b"".join(vals)
                data = dumps((tuple(l_deltas[b:e]), mini_weights, mini_values), protocol)
                comp = level if len(data) >= COMPRESS_FROM else 0
                if comp:
                    data = compress(data, comp)
                top = max(l_weights[b:e])
                top = top if top > 0 else 0
                minlength = maxlength = None
                if l_lengths is not None:
                    found = [n for n in l_lengths[b:e] if n]
                    if found:
                        minlength, maxlength = min(found), max(found)
                info = dumps(
                    (
                        e - b,
                        l_docs[e - 1],
                        top,
                        comp,
                        length_to_byte(minlength),
                        length_to_byte(maxlength),
                    ),
                    protocol,
                )
                size = len(info) + len(data)
                parts.append(pack_int(-size if e == end - lo else size))
                parts.append(info)
                parts.append(data)
                written += _INT_SIZE + size
                # W3TermInfo.add_block
                t_weight += sum(ws)
                if t_minlength is None:
                    t_minlength = minlength
                elif minlength is not None:
                    t_minlength = min(t_minlength, minlength)
                t_maxlength = max(t_maxlength, maxlength or 0)
                t_maxweight = max(t_maxweight, top)
            postfile.write(b"".join(parts))
            position += written
            add_term(
                pack_ushort(fieldid) + tbytes,
                info_pack(
                    0,
                    t_weight,
                    end - first,
                    0 if t_minlength is None else length_to_byte(t_minlength),
                    length_to_byte(t_maxlength),
                    t_maxweight,
                    l_docs[first - lo],
                    l_docs[end - lo - 1],
                )
                + pack_long(start_offset)
                + pack_int(written),
            )
    if current is not None:
        fieldwriter.finish_field()


def _field_end(terms: list[tuple[str, bytes]], bounds: list[int], t: int) -> int:
    """Where the postings of term `t`'s field end among these."""
    fieldname = terms[t][0]
    stop = t
    while stop < len(terms) and terms[stop][0] == fieldname:
        stop += 1
    return bounds[stop]


def _block_lists(
    docs: np.ndarray, weights: np.ndarray, starts: np.ndarray, t: int, limit: int
) -> tuple[list[int], list[int], list[float], list[float]]:
    """Lists of a run of postings that begins with term `t`'s first: the documents; the
    documents as Whoosh's `delta_encode` gives each block's (the first whole, then the
    differences); the weights as given (a block's highest is of those); and as Whoosh keeps
    them in a block (32-bit floats: the stored weights and their sums are of those)."""
    docs = docs.astype(np.int64, copy=False)
    deltas = np.diff(docs, prepend=0)
    lo = int(starts[t])
    u = int(np.searchsorted(starts, lo + len(docs), side="left"))
    term_starts = starts[t:u] - lo
    counts = np.minimum(starts[t + 1 : u + 1] - lo, len(docs)) - term_starts
    blocks = (counts + limit - 1) // limit
    firsts = np.repeat(term_starts, blocks)
    within = np.arange(len(firsts), dtype=np.int64) - np.repeat(np.cumsum(blocks) - blocks, blocks)
    firsts += within * limit
    deltas[firsts] = docs[firsts]
    weights = weights.astype(np.float64, copy=False)
    rounded = weights.astype(np.float32).astype(np.float64)
    return docs.tolist(), deltas.tolist(), weights.tolist(), rounded.tolist()

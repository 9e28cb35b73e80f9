"""Checks of an index read from disk: its table of contents before it is trusted, and every
stored document and posting block of a segment for `check --deep`."""

from __future__ import annotations

import re
from typing import Any

from whoosh.codec import whoosh3

#: How Whoosh names segments; a segment's name becomes file names, so nothing else passes.
_SEGMENT_ID = re.compile(r"[a-z0-9]{1,64}")


def check_toc(toc: Any, schema: Any, index_name: str) -> None:
    """Raises ValueError unless a TOC read from disk has our schema's fields and segments
    named as Whoosh names them (a segment's name becomes file names)."""
    stored = toc.schema
    if sorted(stored.names()) != sorted(schema.names()) or any(
        type(stored[name]) is not type(schema[name]) for name in schema.names()
    ):
        raise ValueError("the stored schema is not this program's")
    for segment in toc.segments:
        if (
            type(segment) is not whoosh3.W3Segment
            or segment.indexname != index_name
            or not isinstance(segment.segid, str)
            or not _SEGMENT_ID.fullmatch(segment.segid)
        ):
            raise ValueError(f"a segment is not one this program writes: {segment!r}")


def verify_segment(reader: Any) -> None:
    """Reads every stored document and every posting block of every term of one segment."""
    for _ in reader.iter_docs():
        pass
    terms = reader._terms
    schema = reader.schema
    for fieldname, btext in reader.all_terms():
        fmt = schema[fieldname].format
        m = terms.matcher(fieldname, btext, fmt)
        while m.is_active():
            if hasattr(m, "_read_data"):  # a block of postings on disk
                m._read_data()
                if m._lastblock:
                    break
                m._goto(m._nextoffset)
            else:
                m.next()
    for name in ("id", "date", "nodate"):
        if reader.has_column(name):
            arrays_column = reader.column_reader(name, translate=False)
            for _ in arrays_column:
                pass

"""Fixes to whoosh-reloaded 2.7.5 (pinned exactly), applied when the index package loads.

`BufferFile`, which Whoosh wraps around each part of a memory-mapped segment file, copied that
whole part into a `BytesIO` when it was opened, although its random-access reads go to the
memory map. The first search therefore read the entire postings into the process's own memory
(a 484 MB index: 1 GB resident at peak, a second to the first results) while holding the
interpreter lock, so that every thread, the window's included, stood still meanwhile; and again
for each new searcher after a change. Here a part is read as a stream through a view of the
map, and parts of parts are views, not copies.

`W3PerDocReader.doc_field_length`, called once per posting when a segment is written and once
per scored document when searching, read one byte through three layers of calls each time (a
sixth of indexing time). Here a field's length column is read whole on first use (one byte a
document) and looked up in a table.

`PostingPool`, the external sort of an index writer's postings, pickled each posting to its
temporary run files and unpickled each again, one call per posting (a sixth of indexing time).
Here runs hold lists of postings, a pickle call per `RUN_CHUNK` postings.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

from whoosh.codec import whoosh3
from whoosh.filedb import structfile
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool

_MARK = "_archive_browser_fixed"
#: Postings per pickle in a writer's temporary run files.
RUN_CHUNK = 1024


class _ViewStream:
    """A read-only file over a buffer (a view of a memory map), copying only what is read."""

    __slots__ = ("_pos", "_view", "closed")

    def __init__(self, buf: Any) -> None:
        self._view = memoryview(buf)
        self._pos = 0
        self.closed = False

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if size is None or size < 0 else min(len(self._view), start + size)
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        """What follows, without reading it (the unpickler reads ahead with it)."""
        return bytes(self._view[self._pos : self._pos + max(size, 1)])

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._view) if size is None or size < 0 else self._pos + size
        out = bytearray()
        while self._pos < min(limit, len(self._view)):
            chunk = bytes(self._view[self._pos : min(limit, self._pos + 4096)])
            cut = chunk.find(b"\n")
            if cut >= 0:
                out += chunk[: cut + 1]
                self._pos += cut + 1
                break
            out += chunk
            self._pos += len(chunk)
        return bytes(out)

    def readinto(self, target: Any) -> int:
        data = self.read(len(memoryview(target).cast("B")))
        memoryview(target).cast("B")[: len(data)] = data
        return len(data)

    def __iter__(self) -> Any:
        return iter(self.readline, b"")

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: len(self._view)}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def apply() -> None:
    """Installs the fixes once."""
    if getattr(structfile.BufferFile, _MARK, False):
        return
    _fix_buffer_file()
    _fix_field_lengths()
    _fix_posting_runs()
    _fix_block_pickles()
    setattr(structfile.BufferFile, _MARK, True)


def _fix_buffer_file() -> None:
    cls: Any = structfile.BufferFile

    def __init__(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self._stream = None
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def _get_file(self: Any) -> Any:
        if self._stream is None:
            self._stream = _ViewStream(self._buf)
        return self._stream

    def _set_file(self: Any, value: Any) -> None:
        self._stream = value

    def close(self: Any) -> None:
        if self.is_closed:
            raise Exception("This file is already closed")
        if self.onclose:
            self.onclose(self)
        if self._stream is not None:
            self._stream.close()
        self.is_closed = True

    def subset(self: Any, position: int, length: int, name: str | None = None) -> Any:
        view = memoryview(self._buf)[position : position + length]
        return cls(view, name=name or self._name)

    cls.__init__ = __init__
    cls.file = property(_get_file, _set_file)
    cls.close = close
    cls.subset = subset


#: Field length by the byte Whoosh stores for it (0: none recorded).
LENGTHS = [0] + [byte_to_length(b) for b in range(1, 256)]


def length_column(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's length bytes of one field, one per document (None: the field has none),
    read whole on first use. `perdoc` is a W3PerDocReader (a segment reader's `_perdoc`)."""
    columns = perdoc.__dict__.setdefault("_archive_browser_lengths", {})
    column = columns.get(fieldname)
    if column is None:
        reader = perdoc._cached_reader(whoosh3._lenfield(fieldname), whoosh3.LENGTHS_COLUMN)
        if reader is None:
            return None
        stored = bytes(reader._dbfile.get(reader._basepos, reader._count))
        # Documents past the stored bytes have none recorded.
        column = columns[fieldname] = stored.ljust(perdoc._doccount, b"\0")
    return column


def _fix_field_lengths() -> None:
    def doc_field_length(self: Any, docnum: int, fieldname: str, default: Any = 0) -> Any:
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        column = length_column(self, fieldname)
        if column is None:
            return default
        lbyte = column[docnum] if docnum < len(column) else 0
        # A zero byte gives None, as Whoosh's own method does.
        return LENGTHS[lbyte] if lbyte else None

    whoosh3.W3PerDocReader.doc_field_length = doc_field_length


def _fix_posting_runs() -> None:
    cls: Any = PostingPool

    def _write_run(self: Any, f: Any, items: Any) -> None:
        chunk: list[Any] = []
        for item in items:
            chunk.append(item)
            if len(chunk) >= RUN_CHUNK:
                pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
                chunk = []
        if chunk:
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
        f.close()

    def _read_run(self: Any, path: str) -> Any:
        f = self._open_run(path)
        try:
            while True:
                try:
                    chunk = pickle.load(f)
                except EOFError:
                    return
                # A run written by an unfixed pool (an indexing process started afresh
                # rather than forked) holds single postings, which are tuples.
                if isinstance(chunk, list):
                    yield from chunk
                else:
                    yield chunk
        finally:
            f.close()
            self._remove_run(path)

    cls._write_run = _write_run
    cls._read_run = _read_run


#: Pickle protocol of posting blocks: protocol 2, which Whoosh asks for, writes each bytes
#: value (a posting's word positions) as a call of `_codecs.encode` on a text string; 3 writes
#: them as bytes. A block of 128 postings with positions took 181 µs to read and 222 µs to
#: write with 2, 28 µs and 55 µs with 3, and half the bytes once compressed.
BLOCK_PICKLE_PROTOCOL = 3


def _fix_block_pickles() -> None:
    def dumps(obj: Any, protocol: int | None = None) -> bytes:
        return pickle.dumps(obj, BLOCK_PICKLE_PROTOCOL)

    whoosh3.dumps = dumps

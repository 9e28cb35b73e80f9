"""Fixes to whoosh-reloaded 2.7.5 (pinned exactly), applied when the index package loads.

`BufferFile`, which Whoosh wraps around each part of a memory-mapped segment file, copied that
whole part into a `BytesIO` when it was opened, although its random-access reads go to the
memory map. The first search therefore read the entire postings into the process's own memory
(a 484 MB index: 1 GB resident at peak, a second to the first results) while holding the
interpreter lock, so that every thread, the window's included, stood still meanwhile; and again
for each new searcher after a change. Here a part is read as a stream through a view of the
map, and parts of parts are views, not copies.
"""

from __future__ import annotations

import os
from typing import Any

from whoosh.filedb import structfile

_MARK = "_archive_browser_views"


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
    cls: Any = structfile.BufferFile
    if getattr(cls, _MARK, False):
        return

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
    setattr(cls, _MARK, True)

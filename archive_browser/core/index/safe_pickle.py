"""Pickles read from an index folder are loaded by an unpickler that builds nothing but the few
plain types Whoosh stores in them.

Whoosh pickles its schema and its list of segments into the index's TOC file, and pickles
block headers, posting blocks, directories and stored fields inside the segment files; a plain
`pickle.load` of a crafted file runs any code it names. An index folder comes with the archive
folder (copied from a colleague, restored from an old backup), so none of it is trusted: every
load in Whoosh's reading path goes through `loads()`/`load()` here, whose `find_class` allows
only the classes listed below (and, for the schema, the classes our own schema pickles to).
Anything else raises `pickle.UnpicklingError`, which the index reports as damage.

The schema stored in the TOC is never used: the index is opened with our own schema
(`make_schema()`); the stored one is only checked against it.
"""

from __future__ import annotations

import codecs
import io
import pickle
from array import _array_reconstructor, array  # type: ignore[attr-defined]
from collections import defaultdict
from functools import lru_cache
from typing import IO, Any

from whoosh.codec import whoosh3

_MARK = "_archive_browser_safe_pickles"

#: What Whoosh's segment list, block headers, posting blocks and stored fields may hold.
_DATA: dict[tuple[str, str], Any] = {
    ("builtins", "int"): int,
    ("__builtin__", "long"): int,
    ("__builtin__", "int"): int,
    ("builtins", "float"): float,
    ("builtins", "set"): set,
    ("__builtin__", "set"): set,
    ("builtins", "frozenset"): frozenset,
    ("__builtin__", "frozenset"): frozenset,
    ("builtins", "bytearray"): bytearray,
    ("__builtin__", "bytearray"): bytearray,
    ("_codecs", "encode"): codecs.encode,  # how protocol 2 writes bytes
    ("collections", "defaultdict"): defaultdict,
    ("array", "array"): array,
    ("array", "_array_reconstructor"): _array_reconstructor,
    ("whoosh.codec.whoosh3", "W3Codec"): whoosh3.W3Codec,
    ("whoosh.codec.whoosh3", "W3Segment"): whoosh3.W3Segment,
}


class _RecordingUnpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes]) -> None:
        super().__init__(file)
        self.found: dict[tuple[str, str], Any] = {}

    def find_class(self, module: str, name: str) -> Any:
        obj = super().find_class(module, name)
        self.found[(module, name)] = obj
        return obj


@lru_cache(maxsize=1)
def _allowed() -> dict[tuple[str, str], Any]:
    """The data types, and the globals our own schema pickles to (found by unpickling our
    schema's pickle, made here, never one read from disk)."""
    from archive_browser.core.index.schema import make_schema

    recorder = _RecordingUnpickler(io.BytesIO(pickle.dumps(make_schema(), 2)))
    recorder.load()
    return {**recorder.found, **_DATA}


class SafeUnpickler(pickle.Unpickler):
    """An unpickler that refuses every global but the allowed ones."""

    def find_class(self, module: str, name: str) -> Any:
        obj = _allowed().get((module, name))
        if obj is None:
            raise pickle.UnpicklingError(
                f"the index holds a pickle naming {module}.{name}, which an index never holds"
            )
        return obj


def loads(data: bytes | bytearray | memoryview) -> Any:
    """`pickle.loads`, restricted to the allowed globals."""
    # A stream with peek() is read in one piece by the unpickler, not an opcode at a time
    # (a sixth of the time for a posting block).
    stream = io.BufferedReader(io.BytesIO(data), buffer_size=len(data) + 1)
    return SafeUnpickler(stream).load()


def load(file: IO[bytes]) -> Any:
    """`pickle.load`, restricted to the allowed globals. A file with peek() is read ahead and
    then advanced by exactly the pickle's length."""
    return SafeUnpickler(file).load()


class _PickleModule:
    """Stands for the `pickle` module in `whoosh.index`, which reads the TOC with it."""

    dumps = staticmethod(pickle.dumps)
    loads = staticmethod(loads)
    PicklingError = pickle.PicklingError
    UnpicklingError = pickle.UnpicklingError


def install() -> None:
    """Points every pickle load of Whoosh's reading path at the restricted one (once)."""
    from whoosh import columns, index, legacy
    from whoosh.filedb import structfile

    if getattr(index, _MARK, False):
        return
    index.pickle = _PickleModule()  # the TOC's schema
    structfile.load_pickle = load  # StructFile.read_pickle: segments, headers, directories
    whoosh3.loads = loads  # posting blocks, inlined postings
    columns.loads = loads  # stored fields (PickleColumn)
    # Old TOC formats are read by an unrestricted unpickler that renames classes.
    legacy.toc_loaders.clear()
    index.toc_loaders.clear()
    setattr(index, _MARK, True)

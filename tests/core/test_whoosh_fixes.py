"""The fix to Whoosh's BufferFile: parts of a memory-mapped segment are read through views,
never copied whole, and read exactly as a BytesIO copy would read them."""

from __future__ import annotations

import io
import pickle
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile

import archive_browser.core.index  # noqa: F401  (installs the fixes)
from archive_browser.core.index.whoosh_fixes import _ViewStream
from tests.conftest import index_release

OPS = st.lists(
    st.one_of(
        st.tuples(st.just("read"), st.integers(-1, 40)),
        st.tuples(st.just("readline"), st.integers(-1, 40)),
        st.tuples(st.just("seek"), st.integers(0, 60), st.sampled_from([0, 1, 2])),
        st.tuples(st.just("tell")),
    ),
    max_size=30,
)


@given(st.binary(max_size=120), OPS)
def test_a_view_stream_reads_like_bytesio(data: bytes, ops: list[tuple]) -> None:
    view, copy = _ViewStream(memoryview(data)), io.BytesIO(data)
    for op, *args in ops:
        if op == "seek":
            offset, whence = args
            offset = -offset if whence == 2 else offset
            if whence != 0 and copy.tell() + offset < 0:
                continue
            assert view.seek(offset, whence) == copy.seek(offset, whence)
        else:
            assert getattr(view, op)(*args) == getattr(copy, op)(*args), (op, args)


def test_a_buffer_file_reads_through_the_buffer_without_copying_it() -> None:
    payload = pickle.dumps({"terms": list(range(50))}, protocol=2)
    backing = bytearray(b"head" + payload + b"tail")
    f = BufferFile(memoryview(backing))
    f.seek(4)
    assert pickle.load(f.file) == {"terms": list(range(50))}
    # The stream is a view: a change to the mapped bytes shows, so nothing was copied.
    backing[0:4] = b"HEAD"
    f.seek(0)
    assert f.read(4) == b"HEAD"
    part = f.subset(4, len(payload))
    backing[-4:] = b"TAIL"
    assert f.get(len(backing) - 4, 4) == b"TAIL"
    assert pickle.loads(part.read()) == {"terms": list(range(50))}
    part.close()
    f.close()
    assert f.is_closed


def _original(cls: type, name: str):
    """Whoosh's own method, as its module defines it (the fix replaced it on the class)."""
    import importlib
    import inspect

    module = importlib.import_module(cls.__module__)
    source = inspect.getsource(getattr(module, cls.__name__))
    namespace = dict(vars(module))
    exec(compile(source, module.__file__, "exec"), namespace)
    return getattr(namespace[cls.__name__], name)


def test_field_lengths_are_what_whoosh_reads(tmp_path: Path) -> None:
    from whoosh.codec.whoosh3 import W3PerDocReader

    from archive_browser.core.index.engine import SearchIndex

    index = SearchIndex.create(tmp_path / "ix")
    texts = ["one", "two words", " ".join(["many"] * 300), "", "x " * 5000]
    with index.writer() as w:
        for i, body in enumerate(texts, 1):
            w.add(index_release(i, body))
    original = _original(W3PerDocReader, "doc_field_length")
    searcher = index._searcher()
    for reader, _offset in searcher.leaf_searchers():
        perdoc = reader.reader()._perdoc
        for docnum in range(reader.doc_count_all() + 1):
            for field in ("text", "title", "notes", "nosuchfield"):
                assert perdoc.doc_field_length(docnum, field) == original(perdoc, docnum, field)
        assert perdoc.doc_field_length(2, "text") == original(perdoc, 2, "text") > 300


def test_posting_runs_give_back_every_posting_in_order(tmp_path: Path) -> None:
    from whoosh.filedb.filestore import FileStorage
    from whoosh.writing import PostingPool

    from archive_browser.core.index.whoosh_fixes import RUN_CHUNK

    pool = PostingPool(FileStorage(str(tmp_path)), None, limitmb=1)
    postings = [
        ("text", f"w{i % 977:04d}".encode(), i, 1.0, bytes([i % 256]) * (i % 7))
        for i in range(RUN_CHUNK * 30 + 5)
    ]
    for p in reversed(postings):
        pool.add(p)
    assert len(pool.runs) >= 2  # a megabyte holds fewer: runs were written and merged
    assert list(pool.iter_postings()) == sorted(postings)
    assert not list(tmp_path.glob("*.run"))

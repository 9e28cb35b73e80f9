"""The fix to Whoosh's BufferFile: parts of a memory-mapped segment are read through views,
never copied whole, and read exactly as a BytesIO copy would read them."""

from __future__ import annotations

import io
import pickle

from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile

import archive_browser.core.index  # noqa: F401  (installs the fixes)
from archive_browser.core.index.whoosh_fixes import _ViewStream

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

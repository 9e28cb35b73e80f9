"""A bulk index writer gives the heap its pool left free back to the system at its commit
(glibc's malloc_trim), so that the work after an import's index begins from less memory."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import archive_browser.core.index.writing as writing
from archive_browser.core.index.engine import SearchIndex
from archive_browser.core.memory import return_freed_memory
from tests.conftest import index_release


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_heap_is_given_back() -> None:
    # Blocks of a few kilobytes come from the heap; one kept in fifty keeps it from
    # shrinking by itself when the others are freed.
    blocks = [bytes(2000 + i % 7000) for i in range(60_000)]
    kept = blocks[::50]
    del blocks
    before = _rss_mb()
    return_freed_memory()
    assert before - _rss_mb() > 100
    assert len(kept) == 1200


def test_only_a_bulk_writers_commit_trims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(writing, "return_freed_memory", lambda: calls.append(1))
    index = SearchIndex.create(tmp_path / "ix")
    with index.writer() as w:
        w.add(index_release(1, "a small change"))
    assert calls == []
    with index.writer(bulk=True) as w:
        w.add(index_release(2, "an import"))
    assert calls == [1]
    assert index.doc_count() == 2

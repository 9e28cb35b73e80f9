"""An index writer whose pool fills writes it to files as a run and goes on; at the commit the
runs are merged into its one segment: an import that filled the pool several times holds each
release once in one segment, a cancelled writer leaves no segment and no file behind, and an
import killed before its commit leaves the index as it was (its runs removed by the next
commit), brought up to date by the next opening's repair."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import archive_browser.core.index.pool as pool_module
from archive_browser.core.archive import Archive
from archive_browser.core.index.engine import SearchIndex
from archive_browser.core.jobs import run
from tests.conftest import REPO, index_release


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def _indexed_ids(archive: Archive) -> list[int]:
    index = archive.index
    assert index is not None
    return sorted(index.ids())


def test_an_import_past_the_pool_limit_holds_each_release_once(
    archive: Archive, corpus: Path, monkeypatch: pytest.MonkeyPatch, spilled: list[int]
) -> None:
    monkeypatch.setattr(pool_module, "POOL_LIMIT_MB", 1)
    report = run(archive.import_paths([corpus]))
    assert report is not None and len(report.imported_ids) > 1500
    index = archive.index
    assert index is not None
    assert len(spilled) >= 3 and spilled == list(range(1, len(spilled) + 1))
    assert len(index._ix._segments()) == 1  # the runs merged into one segment
    assert not [p for p in (archive.folder / "index").iterdir() if ".run" in p.name]
    assert _indexed_ids(archive) == sorted(report.imported_ids)
    assert archive.check().consistent
    assert archive.search('"security council"').total > 10


def test_a_cancelled_writer_leaves_nothing_of_its_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = SearchIndex.create(tmp_path / "ix")
    with index.writer() as w:
        w.add(index_release(1, "kept before"))
    before = _files(tmp_path / "ix")
    monkeypatch.setattr(pool_module, "POOL_LIMIT_MB", 1)
    writer = index.writer(bulk=True)
    for i in range(2, 1500):
        writer.add(index_release(i, f"release {i} " + "words of a release body " * 40))
    assert writer.runs_written >= 2
    assert any(".run" in name for name in _files(tmp_path / "ix"))
    writer.cancel()
    assert _files(tmp_path / "ix") == before
    assert index.doc_count() == 1
    assert index.search(index.parse("release")).total == 0
    with index.writer() as w:  # the index takes a writer again
        w.add(index_release(2, "added after"))
    assert sorted(index.ids()) == [1, 2]


_KILLED_IMPORT = """
import os, sys
from pathlib import Path
import archive_browser.core.index.pool as pool
from archive_browser.core.archive import Archive
from archive_browser.core.index.engine import IndexWriter
from archive_browser.core.jobs import run

pool.POOL_LIMIT_MB = 1

def killed(self):
    # Killed at the worst moment: the pool written as runs, no segment committed.
    assert self.runs_written >= 2, self.runs_written
    os._exit(9)

IndexWriter.commit = killed
archive = Archive.open(Path(sys.argv[1]))
run(archive.import_paths([Path(sys.argv[2])]))
"""


def test_an_import_killed_before_its_commit_is_repaired_once(
    tmp_path: Path, corpus: Path, sample: Path
) -> None:
    folder = tmp_path / "archive"
    archive = Archive.open(folder)
    run(archive.import_paths([sample]))
    first = _indexed_ids(archive)
    archive.close()
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_KILLED_IMPORT), str(folder), str(corpus)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 9, done.stderr
    archive = Archive.open(folder)
    try:
        assert _indexed_ids(archive) == first  # the runs written were not committed
        index_folder = archive.index._ix.storage.folder
        assert any(".run" in name for name in _files(Path(index_folder)))
        assert archive.needs_repair
        run(archive.repair())
        stored = sorted(archive.store.revisions())
        assert len(stored) > len(first) + 1500
        assert _indexed_ids(archive) == stored  # each release once
        assert archive.check().consistent
        assert not any(".run" in name for name in _files(Path(index_folder)))
    finally:
        archive.close()

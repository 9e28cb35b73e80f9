"""A big import indexes in a process of its own, beside the storing (archive/index_process.py):
the archive it leaves is the one an import indexing in its own process leaves; a cancelled
import has what it stored indexed; a child that dies is replaced by indexing here; and an
import's process killed half-way takes its child with it, the work staying recorded."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive, importing, index_process
from archive_browser.core.jobs import cancel, run
from tests.e2e.test_nothing_lost import killed_when_paused, real_releases, start_driver

QUERIES = [
    "ukraine",
    '"president of ukraine"',
    "secur*",
    "minsk AND agreements",
    "grain OR wheat",
    "sanctions NOT russia",
    "date:2022-03",
]


@pytest.fixture
def beside(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every import indexes in a process of its own, whatever its size."""
    monkeypatch.setattr(index_process, "INDEX_PROCESS_BYTES", 0)
    assert index_process.wanted(1), "this machine has one core: no indexing process"


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Many batches: the child is fed many times while the import stores."""
    monkeypatch.setattr(importing, "FIRST_BATCH", 50)
    monkeypatch.setattr(importing, "IMPORT_BATCH", 100)


def test_indexing_beside_leaves_the_archive_indexing_here_leaves(
    beside: None, small_batches: None, zelenskyy_archive: Path, corpus: Path, tmp_path: Path
) -> None:
    with Archive.open(tmp_path / "a") as archive:
        report = run(archive.import_paths([corpus / "zelenskyy.csv"]))
        assert report is not None and len(report.imported_ids) == 980
        # The child added and wrote the index (its timings came back); nothing waits.
        timings = archive.imports.index_timings
        assert timings["index_add"] > 0 and timings["index_commit"] > 0, timings
        assert archive.imports._child is None
        check = archive.check()
        assert check.consistent and check.indexed == 980, check
        with Archive.open(zelenskyy_archive, readonly=True) as here:
            assert here.imports.index_timings == {}  # (imported in its own process)
            for query in QUERIES:
                got, want = archive.search(query, limit=None), here.search(query, limit=None)
                assert got.total == want.total > 0, query
                assert got.ids == want.ids, query
            # Paragraphs and versions were found meanwhile, as they are after indexing here.
            for table in ("paragraph_hashes", "paragraph_done", "lineage_pairs"):
                count = f"SELECT count(*) FROM {table}"
                ours = archive.store.db.execute(count).fetchone()[0]
                assert ours == here.store.db.execute(count).fetchone()[0] > 0, table


def test_a_cancelled_import_has_what_it_stored_indexed(
    beside: None, small_batches: None, corpus: Path, tmp_path: Path
) -> None:
    with Archive.open(tmp_path / "a") as archive:
        job = archive.import_paths([corpus])
        report = None
        for progress in job:
            if "zelenskyy" in progress.message and "stored" in progress.message:
                report = cancel(job)
                break
        assert report is not None and report.cancelled
        stored = archive.count()
        assert 816 < stored < 1796  # putin.csv, and part of zelenskyy.csv
        assert len(report.imported_ids) == stored
        assert archive.imports._child is None
        check = archive.check()
        assert check.consistent and check.indexed == stored, check
        assert archive.search("", limit=None).total == stored


def test_a_child_that_dies_is_replaced_by_indexing_here(
    beside: None, small_batches: None, corpus: Path, tmp_path: Path
) -> None:
    with Archive.open(tmp_path / "a") as archive:
        job = archive.import_paths([corpus / "zelenskyy.csv"])
        killed = None
        messages = []
        for progress in job:
            messages.append(progress.message)
            child = archive.imports._child
            if killed is None and child is not None and child.done > 0:
                killed = child.pid
                assert killed is not None
                os.kill(killed, signal.SIGKILL)
        assert killed is not None, "the child never added anything"
        check = archive.check()
        assert check.consistent and check.indexed == archive.count() == 980, check
        assert archive.imports.index_timings == {}  # indexed here after all
        assert any(m.startswith("Indexing 100%") or "writing the index" in m for m in messages)
        assert archive.search('"president of ukraine"').total > 0


def _gone(pid: int) -> bool:
    """The process has ended (a zombie nobody reaped has ended too)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return True
    return state in ("Z", "X")


@pytest.mark.parametrize("point", [("stored", 5), ("writing the index", 1)])
def test_a_killed_import_takes_its_child_along_and_loses_nothing(
    point: tuple[str, int], corpus: Path, tmp_path: Path
) -> None:
    source = real_releases(corpus, tmp_path, 400)
    folder = tmp_path / "a"
    Archive.open(folder).close()
    said = killed_when_paused(start_driver("import-beside", folder, point[0], point[1], source))
    children = [int(line.split()[1]) for line in said if line.startswith("child ")]
    assert len(children) == 1, said
    deadline = time.monotonic() + 30
    while not _gone(children[0]) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(children[0]), "the indexing process outlived the import"
    reported = max(int(line.split()[1]) for line in said if line.startswith("stored"))
    archive = Archive.open(folder)
    try:
        if archive.needs_repair:
            run(archive.repair())
        check = archive.check()
        assert check.consistent and check.indexed == reported == archive.count(), check
        for release in list(archive.iter_releases())[::40]:
            assert archive.search(f"id:{release.id}").ids == [release.id]
            assert release.tags == ["crash"]
    finally:
        archive.close()

"""Long jobs in a child process: the same results, progress, cancel and errors."""

from __future__ import annotations

import csv
import json
import multiprocessing
from pathlib import Path

import pytest
import whoosh.index

from archive_browser.core.archive import MULTIPROCESS_INDEXING, Archive
from archive_browser.core.background import import_task, reindex_task, run_in_process
from archive_browser.core.errors import UserFacingError
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import Progress, cancel, run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_import_in_a_child_process(archive: Archive, sample: Path) -> None:
    seen: list[Progress] = []
    report = run(
        run_in_process(archive, import_task, [sample], ImportOptions(tags=["csto"])), seen.append
    )
    assert report is not None and len(report.imported_ids) == 5
    assert seen  # progress came through the pipe
    # This process sees what the child stored and indexed.
    assert archive.count() == 5
    assert archive.search("Bishkek").total == 1
    assert archive.search("tag:csto").total == 5
    assert archive.check().consistent


def test_reindex_in_a_child_process_swaps_the_index_here_too(
    archive: Archive, sample: Path
) -> None:
    run(archive.import_paths([sample]))
    before = archive._index_path()
    run(run_in_process(archive, reindex_task))
    assert archive._index_path() != before and not before.exists()
    assert archive.search("Bishkek").total == 1 and archive.check().consistent


def test_cancel_reaches_the_child_and_returns_its_report(archive: Archive, corpus: Path) -> None:
    job = run_in_process(archive, import_task, [corpus / "zelenskyy.csv", corpus / "putin.csv"])
    for progress in job:
        if "stored" in progress.message:
            report = cancel(job)
            break
    assert report is not None and report.cancelled
    assert 0 < len(report.imported_ids) < 1796
    assert archive.count() == len(report.imported_ids)
    assert archive.check().consistent


def test_a_user_facing_error_in_the_child_is_raised_here(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.store.db.execute("PRAGMA user_version = 99")  # the child refuses this schema
        with pytest.raises(UserFacingError, match="newer Archive Browser"):
            run(run_in_process(archive, reindex_task))


def test_a_task_the_child_cannot_find_is_a_bug_not_a_hang(archive: Archive) -> None:
    with pytest.raises(TypeError, match="top-level function"):
        run(run_in_process(archive, lambda a: a.reindex()))


def _many_releases(corpus: Path, out: Path, n: int) -> Path:
    """`n` distinct short releases (JSON Lines) cut from the real corpus, enough for the
    import to index with several processes."""
    csv.field_size_limit(1 << 24)  # a few speeches are long
    rows = []
    for f in sorted(corpus.glob("*.csv")):
        with f.open(encoding="utf-8", newline="") as fh:
            rows.extend(csv.DictReader(fh))
    with out.open("w", encoding="utf-8") as fh:
        for i in range(n):
            row = rows[i % len(rows)]
            release = {
                "title": f"{row['headline']} (part {i})",
                "date": row["date"][:10],
                "body": f"Part {i}. " + row["body"][:600],
                "location": row.get("location") or "",
            }
            fh.write(json.dumps(release, ensure_ascii=False) + "\n")
    return out


def test_a_large_rebuild_in_a_child_process_indexes_with_several_processes(
    archive: Archive, corpus: Path, tmp_path: Path
) -> None:
    """The window's jobs run in a daemon child; past the threshold a rebuild indexes with
    writer processes, which a daemon may not start unless it says it can."""
    n = MULTIPROCESS_INDEXING + 150
    source = _many_releases(corpus, tmp_path / "many.jsonl", n)
    report = run(run_in_process(archive, import_task, [source]))
    assert report is not None and len(report.imported_ids) == n and not report.failures
    assert archive.count() == n
    assert len(segment_sizes(archive)) == 1  # an import indexes in one process
    run(run_in_process(archive, reindex_task))
    assert archive.search('"part 2077"').total == 1
    assert archive.check().consistent
    # Each writer process writes a segment of its own: two, not one.
    assert len(segment_sizes(archive)) == 2 and sum(segment_sizes(archive)) == n
    assert min(segment_sizes(archive)) > 0


def segment_sizes(archive: Archive) -> list[int]:
    """How many releases each segment of the archive's index holds, read from disk."""
    (folder,) = (p for p in archive.folder.iterdir() if p.is_dir() and p.name.startswith("index"))
    ix = whoosh.index.open_dir(str(folder))
    try:
        with ix.reader() as reader:
            return [leaf.doc_count_all() for leaf, _offset in reader.leaf_readers()]
    finally:
        ix.close()


def test_cancelling_a_multiprocess_index_leaves_no_process_behind(
    archive: Archive, corpus: Path, tmp_path: Path
) -> None:
    source = _many_releases(corpus, tmp_path / "many.jsonl", MULTIPROCESS_INDEXING + 150)
    run(archive.import_paths([source]))  # indexed here, with writer processes when allowed
    assert archive.count() == MULTIPROCESS_INDEXING + 150
    # A failure in the middle of a rebuild cancels the writer: its processes must stop.
    job = archive.reindex()
    writers: list[multiprocessing.Process] = []
    with pytest.raises(RuntimeError, match="power cut"):
        for progress in job:
            if progress.done >= MULTIPROCESS_INDEXING // 2:
                writers = multiprocessing.active_children()
                job.throw(RuntimeError("power cut"))
    # The rebuild was indexing with two writer processes when it failed...
    assert len(writers) == 2, writers
    # ...and none of them is left.
    assert not any(w.is_alive() for w in writers)
    try:
        assert multiprocessing.active_children() == []
    finally:
        for child in multiprocessing.active_children():
            child.kill()
    assert archive.search('"part 2077"').total == 1  # the old index still answers
    assert archive.check().consistent

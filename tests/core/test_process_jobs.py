"""Long jobs in a child process: the same results, progress, cancel and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UserFacingError
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import Progress, cancel, run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_import_in_a_child_process(archive: Archive, sample: Path) -> None:
    seen: list[Progress] = []
    report = run(archive.in_process("import", [sample], ImportOptions(tags=["csto"])), seen.append)
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
    run(archive.in_process("reindex"))
    assert archive._index_path() != before and not before.exists()
    assert archive.search("Bishkek").total == 1 and archive.check().consistent


def test_cancel_reaches_the_child_and_returns_its_report(archive: Archive, corpus: Path) -> None:
    job = archive.in_process("import", [corpus / "zelenskyy.csv", corpus / "putin.csv"])
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
            run(archive.in_process("reindex"))


def test_unknown_job_is_a_bug_not_a_hang(archive: Archive) -> None:
    with pytest.raises(Exception, match="unknown job"):
        run(archive.in_process("nonsense"))

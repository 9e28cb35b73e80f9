"""Any top-level task runs in a child process: reading tasks on a read-only archive, writing
ones under this process's lock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.background import export_task, reindex_task, repair_task, run_in_process
from archive_browser.core.errors import ReadOnlyArchiveError
from archive_browser.core.jobs import Job, Progress, run


def count_and_tag_task(archive: Archive, tag: str) -> Job[tuple[bool, int]]:
    """A task of this test's own: what the child sees, and a change it makes."""
    yield Progress(0, 1, "Counting")
    ids = archive.search("", limit=None).ids
    archive.tag(ids, [tag])
    return archive.readonly, len(ids)


def test_a_task_of_ones_own_runs_in_the_child_and_its_change_is_seen_here(
    archive: Archive, sample: Path
) -> None:
    run(archive.import_paths([sample]))
    result = run(run_in_process(archive, count_and_tag_task, "checked"))
    assert result == (False, 5)
    assert archive.search("tag:checked").total == 5  # the index was reopened here
    assert archive.check().consistent


def test_export_runs_in_a_read_only_child(archive: Archive, sample: Path, tmp_path: Path) -> None:
    run(archive.import_paths([sample]))
    ids = archive.search("", sort="date", limit=None).ids
    out = tmp_path / "all.json"
    report = run(run_in_process(archive, export_task, ids, out, "*", None, readonly=True))
    assert report is not None and report.count == 5 and report.path == out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in data["releases"]] == ids


def test_a_writing_task_on_an_archive_open_read_only_is_refused(
    archive: Archive, sample: Path
) -> None:
    run(archive.import_paths([sample]))
    archive.close()
    with Archive.open(archive.folder, readonly=True) as reader:
        for task in (reindex_task, repair_task):
            with pytest.raises(ReadOnlyArchiveError):
                run(run_in_process(reader, task))
        assert reader.count() == 5

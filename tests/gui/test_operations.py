"""Write, read and job operations: what changed reaches every feature after a write."""

from __future__ import annotations

from pathlib import Path

from archive_browser.core.changes import Changes
from archive_browser.core.jobs import Job, Progress
from archive_browser.gui.operations import Outcome, job_op, read_op, write_op


def record(ctx) -> list[Changes]:
    seen: list[Changes] = []
    ctx.changes_made.connect(seen.append)
    return seen


def test_a_write_reports_its_changes_before_its_success(qtbot, make_context, sample_archive):
    ctx = make_context(sample_archive)
    seen = record(ctx)
    order: list[str] = []
    ctx.changes_made.connect(lambda _c: order.append("changes"))
    ids = ctx.archive.search(ctx.archive.parse("CSTO")).ids[:2]
    done: list[object] = []

    def op(archive):
        return Outcome(archive.tag(ids, ["summit"]), "snapshot")

    write_op(ctx, op, lambda outcome: (order.append("success"), done.append(outcome.value)))
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert done == ["snapshot"] and order == ["changes", "success"]
    assert seen == [Changes.of_tags(ids)]
    assert seen[0].tags and seen[0].results and not seen[0].saved_searches


def test_a_failed_write_is_reported_and_everything_is_read_again(
    qtbot, make_context, sample_archive
):
    ctx = make_context(sample_archive)
    seen = record(ctx)
    release_id = ctx.archive.search(ctx.archive.parse("")).ids[0]
    write_op(ctx, lambda archive: archive.update(release_id, date="30/07/2024"))
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert seen == [Changes.all()]
    assert "YYYY-MM-DD" in ctx.recorded.messages[0]


def test_a_write_that_changes_nothing_says_nothing(qtbot, make_context, sample_archive):
    ctx = make_context(sample_archive)
    seen = record(ctx)
    done: list[object] = []
    write_op(ctx, lambda _archive: None, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    assert done == [None] and seen == []


def test_a_read_is_dropped_when_the_archive_closed_meanwhile(qtbot, make_context, sample_archive):
    ctx = make_context(sample_archive)
    got: list[int] = []
    assert read_op(ctx, lambda archive: archive.count(), got.append)
    qtbot.waitUntil(lambda: got == [8], timeout=10000)
    read_op(ctx, lambda archive: archive.count(), got.append)
    archive, ctx.archive = ctx.archive, None
    ctx.runner.shutdown()
    qtbot.wait(50)
    archive.close()
    assert got == [8]
    assert not read_op(ctx, lambda archive: archive.count(), got.append)


def _counting(n: int) -> Job[int]:
    for i in range(n):
        yield Progress(f"step {i}", i / n)
    return n


def test_a_writing_job_counts_as_everything_changed(qtbot, make_context, sample_archive: Path):
    ctx = make_context(sample_archive)
    seen = record(ctx)
    results: list[object] = []
    with qtbot.waitSignal(ctx.jobs.finished, timeout=10000) as finished:
        task = job_op(ctx, _counting(3), "Counting", results.append)
        assert task is ctx.jobs.current and ctx.jobs.progress.isVisible()
    assert finished.args == [3] and results == [3] and seen == [Changes.all()]
    assert ctx.jobs.current is None and not ctx.jobs.progress.isVisible()
    with qtbot.waitSignal(ctx.jobs.finished, timeout=10000):
        job_op(ctx, _counting(2), "Reading", write=False)
    assert seen == [Changes.all()]

"""Checking the archive, rebuilding the index, backups, and the status bar's account."""

from __future__ import annotations

from pathlib import Path

from archive_browser.core.archive import Archive


def test_status_bar_and_check_archive(qtbot, window) -> None:
    assert window.count_label.text() == "8 releases in archive"
    assert window.index_label.text() == "Index up to date"
    with qtbot.waitSignal(window.features.maintenance.check_finished, timeout=10000) as checked:
        window.action("tools.check").trigger()
    assert checked.args[0].consistent
    qtbot.waitUntil(
        lambda: "The archive is consistent: 8 releases" in window.statusBar().currentMessage(),
        timeout=5000,
    )


def test_rebuild_index_runs_in_the_background(qtbot, window) -> None:
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        window.action("tools.reindex").trigger()
        assert window.progress.isVisible() and window.cancel_button.isVisible()
        assert not window.action("file.import_files").isEnabled()
        assert not window.action("tools.check").isEnabled()
    assert not window.progress.isVisible()
    assert window.action("file.import_files").isEnabled()
    assert window.archive.check().consistent


def test_backup_makes_a_copy_that_opens_as_an_archive(qtbot, window, tmp_path: Path) -> None:
    dest = tmp_path / "copy"
    with qtbot.waitSignal(window.job_finished, timeout=30000) as finished:
        window.features.maintenance.start_backup(dest)
    report = finished.args[0]
    assert report is not None and report.releases == 8
    assert "Backed up 8 releases" in window.statusBar().currentMessage()
    with Archive.open(report.path.parent) as copy:
        assert copy.count() == 8


def test_opening_an_archive_takes_the_days_backup(qtbot, window, sample_archive: Path) -> None:
    qtbot.waitUntil(lambda: any((sample_archive / "backups").glob("archive-*")), timeout=10000)


def test_the_status_counts_releases_and_index_updates(qtbot, make_context, sample_archive) -> None:
    from archive_browser.core.changes import Changes
    from archive_browser.gui.features.archive_status import ArchiveStatus

    ctx = make_context(sample_archive)
    status = ArchiveStatus(ctx)
    ctx.changes_made.emit(Changes.all())
    assert status.count_label.text() == "8 releases in archive"
    assert status.index_label.text() == "Index up to date"
    ctx.archive, archive = None, ctx.archive
    ctx.archive_closed.emit()
    assert status.count_label.text() == "No archive" and status.index_label.text() == ""
    ctx.archive = archive

"""Importing through the window: the split preview, progress, cancel and the summary."""

from __future__ import annotations

from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import Progress


def test_import_with_split_preview_and_summary(
    qtbot,
    make_window,
    tmp_path: Path,
    sample: Path,
) -> None:
    window = make_window(tmp_path / "new")
    assert window.model.rowCount() == 0
    window.start_import([sample])
    qtbot.waitUntil(lambda: window.split_dialog is not None, timeout=10000)
    dialog = window.split_dialog
    assert dialog.tree.topLevelItemCount() == 5
    # Merge the first proposed release with the second, as a person would.
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(0))
    assert dialog.merge_button.isEnabled()
    dialog.merge_button.click()
    assert dialog.tree.topLevelItemCount() == 4
    # Then split the Bishkek release before its last paragraph, and reset that file again.
    last = dialog.tree.topLevelItem(3)
    dialog.tree.setCurrentItem(last.child(last.childCount() - 1))
    dialog.split_button.click()
    assert dialog.tree.topLevelItemCount() == 5
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(3))
    dialog.merge_button.click()
    assert dialog.tree.topLevelItemCount() == 4
    progress: list[Progress] = []
    with qtbot.waitSignal(window.job_finished, timeout=30000) as finished:
        dialog.accept()
        task = window._job
        assert task is not None
        task.signals.progressed.connect(progress.append)
    report = finished.args[0]
    assert report is not None and not report.cancelled
    assert len(report.imported_ids) == 4 and report.failures == []
    assert window.summary_dialog is not None
    assert window.summary_dialog.table.rowCount() == 1
    assert window.summary_dialog.table.item(0, 1).text() == "4"
    qtbot.waitUntil(lambda: window.model.rowCount() == 4, timeout=10000)
    first = window.archive.get(report.imported_ids[0])
    assert "Allow me to thank" in first.body


def test_import_shows_progress_and_can_be_cancelled(
    qtbot,
    make_window,
    tmp_path: Path,
    corpus: Path,
) -> None:
    window = make_window(tmp_path / "big")
    seen: list[Progress] = []
    window.start_import([corpus / "zelenskyy.csv", corpus / "putin.csv"], preview=False)
    task = window._job
    assert task is not None and window.progress.isVisible() and window.cancel_button.isEnabled()
    task.signals.progressed.connect(seen.append)
    qtbot.waitUntil(lambda: any("stored" in p.message for p in seen), timeout=60000)
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        window.cancel_button.click()
    report = finished.args[0]
    assert report is not None and report.cancelled
    assert 0 < len(report.imported_ids) < 1796
    assert not window.progress.isVisible()
    assert window.summary_dialog is not None and "cancelled" in window.summary_dialog.windowTitle()
    window.close_archive()
    with Archive.open(tmp_path / "big") as archive:
        assert archive.count() == len(report.imported_ids)
        assert archive.check().consistent


def test_import_failures_are_listed_with_reasons(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window(tmp_path / "a")
    bad = tmp_path / "bad.json"
    bad.write_text("[{", encoding="utf-8")
    good = tmp_path / "good.md"
    good.write_text("# A release\n\nWith a body.", encoding="utf-8")
    with qtbot.waitSignal(window.job_finished, timeout=30000) as finished:
        window.start_import([bad, good])
    report = finished.args[0]
    assert len(report.imported_ids) == 1
    table = window.summary_dialog.table
    problems = {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    assert "malformed JSON" in problems["bad.json"] and problems["good.md"] == ""


def test_a_locked_archive_is_offered_read_only(qtbot, make_window, sample_archive: Path) -> None:
    with Archive.open(sample_archive):  # another "process" holds it for writing
        window = make_window()
        with qtbot.waitSignal(window.search_finished, timeout=20000):
            assert window.open_archive(sample_archive)
        assert "open in another window or process" in window.recorded.questions[0]
        assert window.archive.readonly and "(read-only)" in window.windowTitle()
        assert not window.tag_action.isEnabled() and not window.import_files_action.isEnabled()
        assert window.model.rowCount() == 8
        window.close_archive()


def test_first_run_seeds_the_demo_releases(qtbot, make_window, private_home: Path) -> None:
    from archive_browser.core.paths import default_archive

    window = make_window()
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        window.open_archive(default_archive(), seed_demo=True)
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=10000)
    assert window.tags.tags() == {"demo": 5}
    assert str(default_archive()).startswith(str(private_home))

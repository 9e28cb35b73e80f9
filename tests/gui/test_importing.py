"""Importing through the window: the split preview, progress, cancel and the summary."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import Progress
from archive_browser.gui.dialogs import ImportSummaryDialog, SplitPreviewDialog
from archive_browser.gui.features.importing import FILE_FILTER


def test_import_with_split_preview_and_summary(
    qtbot,
    make_window,
    tmp_path: Path,
    sample: Path,
) -> None:
    window = make_window(tmp_path / "new")
    assert window.model.rowCount() == 0
    with qtbot.waitSignal(window.features.importing.preview_opened, timeout=10000) as shown:
        window.features.importing.start([sample])
    dialog = shown.args[0]
    assert isinstance(dialog, SplitPreviewDialog) and dialog.parent() is window
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
        task = window.context.jobs.current
        assert task is not None
        task.signals.progressed.connect(progress.append)
    report = finished.args[0]
    assert report is not None and not report.cancelled
    assert len(report.imported_ids) == 4 and report.failures == []
    summary = window.findChild(ImportSummaryDialog)
    assert summary is not None and summary.isVisible()
    assert summary.table.rowCount() == 1
    assert summary.table.item(0, 1).text() == "4"
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
    window.features.importing.start([corpus / "zelenskyy.csv", corpus / "putin.csv"], preview=False)
    task = window.context.jobs.current
    assert task is not None and window.progress.isVisible() and window.cancel_button.isEnabled()
    task.signals.progressed.connect(seen.append)
    qtbot.waitUntil(lambda: any("stored" in p.message for p in seen), timeout=60000)
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        window.cancel_button.click()
    report = finished.args[0]
    assert report is not None and report.cancelled
    assert 0 < len(report.imported_ids) < 1796
    assert not window.progress.isVisible()
    summary = window.findChild(ImportSummaryDialog)
    assert summary is not None and "cancelled" in summary.windowTitle()
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
        window.features.importing.start([bad, good])
    report = finished.args[0]
    assert len(report.imported_ids) == 1
    table = window.findChild(ImportSummaryDialog).table
    problems = {table.item(r, 0).text(): table.item(r, 3).text() for r in range(table.rowCount())}
    assert "malformed JSON" in problems["bad.json"] and problems["good.md"] == ""


def test_a_locked_archive_is_offered_read_only(qtbot, make_window, sample_archive: Path) -> None:
    with Archive.open(sample_archive):  # another "process" holds it for writing
        window = make_window()
        with qtbot.waitSignal(window.search_finished, timeout=20000):
            assert window.open_archive(sample_archive)
        assert "open in another window or process" in window.recorded.questions[0]
        assert window.archive.readonly and "(read-only)" in window.windowTitle()
        assert not window.action("edit.tag").isEnabled()
        assert not window.action("file.import_files").isEnabled()
        assert not window.action("search.save").isEnabled()
        assert window.action("file.export_pdf").isEnabled()
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


def test_import_actions_wait_while_a_job_runs(qtbot, make_window, tmp_path: Path, corpus) -> None:
    window = make_window(tmp_path / "busy")
    action = window.action("file.import_files")
    assert action.isEnabled()
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        window.features.importing.start([corpus / "zelenskyy.csv"], preview=False)
        assert not action.isEnabled() and not window.action("tools.reindex").isEnabled()
        window.features.importing.start([corpus / "putin.csv"], preview=False)  # ignored
        window.cancel_button.click()
    assert action.isEnabled()
    assert window.recorded.messages == []


def test_the_file_filter_offers_every_releases_format() -> None:
    for ending in ("*.txt", "*.md", "*.html", "*.csv", "*.tsv", "*.json", "*.jsonl"):
        assert ending in FILE_FILTER


def test_the_summary_opens_a_possible_duplicate_beside_its_match(
    qtbot, make_window, tmp_path: Path
) -> None:
    body = "The brigade is congratulated on its anniversary.\n\nIt has served with honour."
    first = tmp_path / "first.csv"
    first.write_text(f'title,date,body\n155th brigade,2021-11-01,"{body}"\n', encoding="utf-8")
    second = tmp_path / "second.csv"
    second.write_text(f'title,date,body\n126th brigade,2021-11-02,"{body}"\n', encoding="utf-8")
    window = make_window(tmp_path / "a")
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        window.features.importing.start([first])
    with qtbot.waitSignal(window.job_finished, timeout=30000) as finished:
        window.features.importing.start([second])
    (match,) = finished.args[0].matches
    assert match.kind == "possible" and match.id is not None
    qtbot.waitUntil(lambda: len(window.findChildren(ImportSummaryDialog)) == 2, timeout=10000)
    dialog = window.findChildren(ImportSummaryDialog)[-1]
    assert dialog.pairs.rowCount() == 1
    assert dialog.pairs.item(0, 0).text() == f"#{match.id} 126th brigade"
    qtbot.mouseClick(dialog.pairs.cellWidget(0, 2), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.features.compare.showing, timeout=10000)
    assert [side.release.title for side in window.compare.sides] == [
        "155th brigade",
        "126th brigade",
    ]
    assert window.recorded.bugs == []

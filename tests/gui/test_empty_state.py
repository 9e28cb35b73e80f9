"""An empty archive shows how to fill it, not "Nothing matches this search"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from archive_browser.gui.dialogs import ImportSummaryDialog


def test_empty_archive_offers_imports_that_run(
    qtbot, make_window, tmp_path: Path, sample: Path, monkeypatch
) -> None:
    window = make_window(tmp_path / "empty")
    empty = window.features.results.empty
    assert empty.isVisible() and not window.table.isVisible()
    assert "Nothing matches" not in window.reader.browser.toPlainText()
    assert "demo releases" in empty.demo_label.text()
    assert empty.files_button.isEnabled() and empty.folder_button.isEnabled()
    # Import folder… opens the folder dialog of the menu's action.
    asked: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getExistingDirectory", lambda *a, **k: asked.append("folder") or ""
    )
    qtbot.mouseClick(empty.folder_button, Qt.MouseButton.LeftButton)
    assert asked == ["folder"]
    # Import files… runs the import, and the list replaces the empty state.
    monkeypatch.setattr(
        QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(sample)], "Releases")
    )
    with qtbot.waitSignal(window.features.importing.preview_opened, timeout=10000) as shown:
        qtbot.mouseClick(empty.files_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        shown.args[0].accept()
    qtbot.waitUntil(lambda: window.model.rowCount() == 5, timeout=10000)
    assert not empty.isVisible() and window.table.isVisible()
    summary = window.findChild(ImportSummaryDialog)
    if summary is not None:
        summary.close()


def test_a_search_with_no_hit_still_says_nothing_matches(qtbot, window) -> None:
    from tests.gui.helpers import search

    search(qtbot, window, "zzzyxnotaword")
    assert window.model.rowCount() == 0
    assert not window.features.results.empty.isVisible()
    qtbot.waitUntil(lambda: "Nothing matches" in window.reader.browser.toPlainText(), timeout=5000)

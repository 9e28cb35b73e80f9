"""A second window on an archive: a banner says it is read-only, disabled actions say why, and
Ctrl+T says so in the status bar instead of doing nothing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from archive_browser.gui.dialogs import TagDialog

BANNER = "Read-only: this archive is open in another window. Changes are disabled."


def test_second_window_is_read_only_and_says_why(qtbot, make_window, sample_archive: Path) -> None:
    first = make_window(sample_archive)
    assert not first.features.status.banner.isVisible()
    second = make_window(sample_archive)
    assert second.archive.readonly
    banner = second.features.status.banner
    assert banner.isVisible() and banner.text() == BANNER
    assert banner.textFormat() == Qt.TextFormat.PlainText
    for action_id in ("edit.tag", "file.import_files", "file.import_folder"):
        action = second.action(action_id)
        assert not action.isEnabled()
        assert action.toolTip() == BANNER and action.statusTip() == BANNER
    assert second.action("file.export_pdf").isEnabled()
    # With no selection the first window's Ctrl+T says what is missing.
    first.table.clearSelection()
    first.table.setCurrentIndex(first.model.index(-1, 0))
    qtbot.waitUntil(lambda: not first.action("edit.tag").isEnabled(), timeout=5000)
    assert first.action("edit.tag").toolTip() == "Select a release first."
    # Ctrl+T in the read-only window: the reason in the status bar, no dialog.
    second.select_rows([0])
    second.activateWindow()
    qtbot.waitUntil(lambda: second.isActiveWindow(), timeout=5000)
    qtbot.keyClick(second.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert second.findChild(TagDialog) is None
    assert second.statusBar().currentMessage() == f"Tag selected releases: {BANNER}"
    second.close_archive()
    assert not banner.isVisible()

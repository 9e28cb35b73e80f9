"""Editing a release's metadata."""

from __future__ import annotations

from PySide6.QtCore import Qt

from archive_browser.gui.dialogs import MetadataDialog
from tests.gui.helpers import search, titles


def test_editing_metadata_saves_and_reindexes(qtbot, window) -> None:
    search(qtbot, window, "BELTA")
    window.select_rows([0])
    qtbot.keyClick(window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(MetadataDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.title.setText("Interview with BELTA")
    dialog.date.setText("2024-07-30")
    dialog.place.setText("Minsk")
    assert dialog.changes() == {
        "title": "Interview with BELTA",
        "date": "2024-07-30",
        "place": "Minsk",
    }
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        dialog.accept()
    qtbot.waitUntil(lambda: window.reader.release.title == "Interview with BELTA", timeout=10000)
    search(qtbot, window, "place:minsk date:2024-07-30")
    assert titles(window.model) == ["Interview with BELTA"]


def test_bad_date_in_metadata_is_a_clear_message(qtbot, window) -> None:
    release_id = window.model.id_at(0)
    window.features.editing.apply_edit(release_id, {"date": "30/07/2024"})
    qtbot.waitUntil(lambda: bool(window.recorded.messages), timeout=10000)
    assert "YYYY-MM-DD" in window.recorded.messages[0]

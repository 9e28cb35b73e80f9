"""The reader and its hits: highlighting, F3 / Shift+F3, focus, selectable text, text size."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from archive_browser.gui.reader import CURRENT_HIT_COLOR, HIT_COLOR
from tests.gui.helpers import background_at, search

BISHKEK = "Informal meeting of the heads of the CSTO member states"


def test_the_reader_shows_the_release_with_every_hit_marked(qtbot, window) -> None:
    search(qtbot, window, "Bishkek")
    reader = window.reader
    assert reader.release is not None and reader.release.title.startswith(BISHKEK)
    assert reader.hit_count == reader.browser.toPlainText().count("Bishkek")
    text = reader.browser.toPlainText()
    assert background_at(reader, text.index("Bishkek")) == HIT_COLOR


def test_hit_navigation_with_f3(qtbot, window) -> None:
    search(qtbot, window, "CSTO Afghanistan")
    reader = window.reader
    assert reader.hit_count > 3 and reader.counter.text() == f"0 of {reader.hit_count}"
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert reader.current_hit == 1 and reader.counter.text() == f"1 of {reader.hit_count}"
    qtbot.keyClick(window, Qt.Key.Key_F3)
    assert reader.current_hit == 2
    qtbot.keyClick(window, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert reader.current_hit == 1
    selection = reader.browser.extraSelections()[0]
    assert selection.format.background().color() == CURRENT_HIT_COLOR
    start, end = reader.hit_positions[0]
    assert selection.cursor.selectionStart() == start and selection.cursor.selectionEnd() == end


def test_nothing_found_is_said_in_the_reader(qtbot, window) -> None:
    search(qtbot, window, "nosuchwordanywhere")
    assert window.model.rowCount() == 0
    assert window.reader.release is None
    assert window.reader.browser.toPlainText() == "Nothing matches this search."


def test_keyboard_focus_and_reader_text_is_selectable(qtbot, window) -> None:
    window.table.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.edit.hasFocus()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Slash)
    assert window.search.edit.hasFocus()
    qtbot.keyClick(window.search.edit, Qt.Key.Key_Down)  # from the search box to the results
    assert window.table.hasFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Down)
    assert window.table.currentIndex().row() == 1
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert window.reader.browser.hasFocus()
    flags = window.reader.browser.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    assert flags & Qt.TextInteractionFlag.TextSelectableByKeyboard
    window.reader.browser.selectAll()
    window.reader.browser.copy()
    assert window.reader.release.title in QApplication.clipboard().text()
    size = window.reader.font_size
    qtbot.keyClick(window, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.font_size == size + 1
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.font_size == size + 2
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert window.reader.font_size == size + 1
    assert all(side.font_size == size + 1 for side in window.compare.sides)

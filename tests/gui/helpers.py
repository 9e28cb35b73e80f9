"""What several window tests do: type a query, read the results' titles, a reader's colours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor

from archive_browser.gui.results_model import Column


def titles(model) -> list[str]:
    return [model.data(model.index(r, Column.TITLE)) for r in range(model.rowCount())]


def type_query(qtbot, results, text: str) -> None:
    """Types a query as a person would and waits for the results. (QTest cannot type
    Cyrillic, so a Russian query is put in the box and sent with Enter.)"""
    results.search.edit.clear()
    if text.isascii():
        qtbot.keyClicks(results.search.edit, text)
    else:
        results.search.edit.setText(text)
        qtbot.keyClick(results.search.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: results.spec.query == text and results.idle, timeout=10000)


def search(qtbot, window, text: str) -> None:
    """`type_query` in a main window."""
    type_query(qtbot, window.features.results, text)


def background_at(reader, position: int) -> QColor:
    cursor = QTextCursor(reader.browser.document())
    cursor.setPosition(position + 1)
    return cursor.charFormat().background().color()

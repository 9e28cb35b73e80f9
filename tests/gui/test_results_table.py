"""The results table: titles take the spare width, a column chooser on the header remembered
with the window, sources shown by their site's name, readable beside the compare view."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from archive_browser.core.archive import Archive
from archive_browser.core.model import ReleaseDraft
from archive_browser.gui.results_model import Column, readable_source
from tests.gui.helpers import search

LONG = "Meeting with permanent members of the Security Council on the situation in the region"


def sourced_archive(folder: Path) -> Path:
    with Archive.open(folder) as archive:
        archive.add_releases(
            [
                ReleaseDraft(
                    LONG + " one", "Text one.", "2022-03-14", source="www.president.gov.ua"
                ),
                ReleaseDraft(
                    LONG + " two", "Text two.", "2022-12-31", source="http://www.kremlin.ru/e/1"
                ),
                ReleaseDraft("Short", "Text three.", "2021-01-02", source="CSTO press office"),
            ]
        )
    return folder


def header_menu(qtbot, window) -> QMenu:
    """Right-clicks the results' header as a person would and returns the menu it opens."""
    header = window.table.horizontalHeader()
    pos = QPoint(10, header.height() // 2)
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Mouse, pos, header.viewport().mapToGlobal(pos)
    )
    QApplication.sendEvent(header.viewport(), event)
    qtbot.waitUntil(lambda: any(m.isVisible() for m in header.findChildren(QMenu)), timeout=5000)
    return next(m for m in header.findChildren(QMenu) if m.isVisible())


def click_entry(qtbot, menu: QMenu, text: str) -> None:
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_readable_sources_keep_the_stored_value() -> None:
    assert readable_source("www.president.gov.ua") == "president.gov.ua"
    assert readable_source("http://www.kremlin.ru/events/president/news/1") == "kremlin.ru"
    assert readable_source("https://Example.ORG:8080/a") == "example.org"
    assert readable_source("CSTO press office") == "CSTO press office"
    assert readable_source("") == ""


# A popup menu off-screen: the platform cannot raise it or grab the keyboard for it.
@pytest.mark.qt_log_ignore("This plugin does not support (raise|grabbing)")
def test_titles_sources_and_the_column_chooser(qtbot, make_window, tmp_path: Path) -> None:
    folder = sourced_archive(tmp_path / "a")
    window = make_window(folder)
    model, table = window.model, window.table
    search(qtbot, window, "")
    rows = {model.index(r, Column.TITLE).data(): r for r in range(model.rowCount())}
    one = rows[LONG + " one"]
    assert model.index(one, Column.SOURCE).data() == "president.gov.ua"
    assert model.index(one, Column.SOURCE).data(Qt.ItemDataRole.ToolTipRole) == (
        "www.president.gov.ua"
    )
    assert model.index(rows[LONG + " two"], Column.SOURCE).data() == "kremlin.ru"
    assert model.index(one, Column.TITLE).data(Qt.ItemDataRole.ToolTipRole) == LONG + " one"
    header = table.horizontalHeader()
    others = [c for c in Column if c != Column.TITLE]
    assert header.sectionSize(Column.TITLE) > max(header.sectionSize(c) for c in others)
    assert header.sectionSize(Column.TITLE) + sum(header.sectionSize(c) for c in others) >= (
        table.viewport().width() - 2
    )  # the title takes the spare width
    # Right click on the header: hide Score and Lang.
    menu = header_menu(qtbot, window)
    assert [a.text() for a in menu.actions()] == [
        "Date",
        "Source",
        "Lang",
        "Tags",
        "Score",
        "Versions",
    ]
    click_entry(qtbot, menu, "Score")
    assert header.isSectionHidden(Column.SCORE)
    click_entry(qtbot, header_menu(qtbot, window), "Lang")
    assert header.isSectionHidden(Column.LANGUAGE) and not header.isSectionHidden(Column.DATE)
    window.close()  # remembered with the window's state
    again = make_window(folder)
    header = again.table.horizontalHeader()
    assert header.isSectionHidden(Column.SCORE) and header.isSectionHidden(Column.LANGUAGE)
    menu = header_menu(qtbot, again)
    assert not next(a for a in menu.actions() if a.text() == "Score").isChecked()
    click_entry(qtbot, menu, "Score")
    assert not header.isSectionHidden(Column.SCORE)


def test_compare_keeps_the_results_readable(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window(sourced_archive(tmp_path / "a"))
    window.resize(1600, 800)
    qtbot.waitUntil(lambda: window.width() == 1600, timeout=5000)
    search(qtbot, window, "Text")
    window.select_rows([0, 1])
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.features.compare.showing, timeout=5000)
    header = window.table.horizontalHeader()
    date_text = window.table.fontMetrics().horizontalAdvance("2022-12-31")
    assert header.sectionSize(Column.DATE) > date_text
    _side, results_width, reading = window.splitter.sizes()
    assert reading > results_width / 2  # the two texts got room
    assert results_width >= window.features.results.readable_width() - 2

"""The keyboard shortcuts the window promises, pressed as a user presses them.

Only public behaviour is used: key presses, the window's actions found by their shortcut,
widgets found by their Qt type or title, and the archive on disk (opened read-only next to
the window). The archive holds what plain files give: the sample imported with no options
(no source), the Russian fixtures, and a release with no title and no language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLineEdit,
    QTableView,
    QTableWidget,
    QTextEdit,
    QTreeWidget,
    QWidget,
)

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CTRL = Qt.KeyboardModifier.ControlModifier

#: The shortcuts the window promises (Help > Keyboard shortcuts), each with its key press.
PROMISED = {
    "Ctrl+D": (Qt.Key.Key_D, CTRL),
    "Ctrl+T": (Qt.Key.Key_T, CTRL),
    "Ctrl+E": (Qt.Key.Key_E, CTRL),
    "Ctrl+I": (Qt.Key.Key_I, CTRL),
    "Ctrl+P": (Qt.Key.Key_P, CTRL),
    "Ctrl+S": (Qt.Key.Key_S, CTRL),
    "F1": (Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier),
}


@pytest.fixture
def plain_archive(tmp_path: Path, sample: Path) -> Path:
    """The sample imported with no options, the Russian fixtures, and a release with no
    title and no language: what plain text files give."""
    folder = tmp_path / "plain"
    with Archive.open(folder) as archive:
        run(archive.import_paths([sample, FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt"]))
        archive.add_releases([ReleaseDraft(title="", body="Untitled text on the Minsk summit.")])
    return folder


@pytest.fixture
def plain_window(make_window, plain_archive: Path, qtbot):
    window = make_window(plain_archive)
    window.activateWindow()
    qtbot.waitUntil(lambda: results_table(window).model().rowCount() == 9, timeout=10000)
    return window


def on_disk(folder: Path) -> Archive:
    """The archive as stored, read next to the window (which holds the write lock)."""
    return Archive.open(folder, readonly=True)


def results_table(window: QWidget) -> QTableView:
    tables = [
        t
        for t in window.findChildren(QTableView)
        if t.isVisible() and not isinstance(t, QTableWidget) and t.window() is window
    ]
    assert len(tables) == 1, tables
    return tables[0]


def shown_titles(window: QWidget) -> list[str]:
    model = results_table(window).model()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def select_rows(qtbot, window: QWidget, rows: list[int]) -> list[str]:
    """Clicks the first row, Ctrl+clicks the others; returns their titles."""
    table = results_table(window)
    for n, row in enumerate(rows):
        rect = table.visualRect(table.model().index(row, 0))
        modifier = CTRL if n else Qt.KeyboardModifier.NoModifier
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())
    return [shown_titles(window)[r] for r in rows]


def press(qtbot, window: QWidget, keys: str) -> None:
    key, modifier = PROMISED[keys]
    qtbot.keyClick(results_table(window), key, modifier)


def visible_dialog(title: str) -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible() and widget.windowTitle() == title:
            return widget
    return None


def wait_dialog(qtbot, title: str) -> QDialog:
    qtbot.waitUntil(lambda: visible_dialog(title) is not None, timeout=10000)
    dialog = visible_dialog(title)
    assert dialog is not None
    return dialog


def when_modal(handle: Callable[[QWidget], None]) -> list[str]:
    """Runs `handle` on the next modal dialog (a blocking file or input dialog) as soon as
    it shows. Returns a list that records the type of the dialog handled."""
    handled: list[str] = []

    def attempt() -> None:
        modal = QApplication.activeModalWidget()
        if modal is None:
            QTimer.singleShot(20, attempt)
            return
        handled.append(type(modal).__name__)
        handle(modal)

    QTimer.singleShot(0, attempt)
    return handled


def test_every_promised_shortcut_is_one_action(plain_window) -> None:
    bound: dict[str, list[str]] = {}
    for action in plain_window.findChildren(QAction):
        for sequence in action.shortcuts():
            bound.setdefault(sequence.toString(), []).append(action.text())
    for keys in PROMISED:
        assert keys in bound and len(bound[keys]) == 1, (keys, bound.get(keys))
    assert all(
        a.isEnabled()
        for a in plain_window.findChildren(QAction)
        if a.shortcut() in {QKeySequence(k) for k in PROMISED}
    )


def test_ctrl_t_tags_the_selected_releases(qtbot, plain_window, plain_archive: Path) -> None:
    chosen = select_rows(qtbot, plain_window, [0, 2])
    press(qtbot, plain_window, "Ctrl+T")
    dialog = wait_dialog(qtbot, "Tags")
    (edit,) = dialog.findChildren(QLineEdit)
    qtbot.keyClicks(edit, "summit")
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    def tagged() -> list[str]:
        with on_disk(plain_archive) as archive:
            return sorted(r.title for r in archive.get_many(archive.ids_with_tag("summit")))

    qtbot.waitUntil(lambda: tagged() == sorted(chosen), timeout=10000)


def test_ctrl_e_edits_the_current_release(qtbot, plain_window) -> None:
    (title,) = select_rows(qtbot, plain_window, [1])
    press(qtbot, plain_window, "Ctrl+E")
    dialog = qtbot.waitUntil(lambda: edit_dialog() is not None, timeout=10000) or edit_dialog()
    assert dialog is not None
    assert title in [e.text() for e in dialog.findChildren(QLineEdit)]
    dialog.reject()


def edit_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        title = widget.windowTitle()
        if (
            isinstance(widget, QDialog)
            and widget.isVisible()
            and title.startswith("Edit release #")
        ):
            return widget
    return None


def test_ctrl_d_reads_two_releases_side_by_side(qtbot, plain_window) -> None:
    chosen = select_rows(qtbot, plain_window, [0, 1])

    def shown_texts() -> list[str]:
        views = [v for v in plain_window.findChildren(QTextEdit) if v.isVisible()]
        return [v.toPlainText() for v in views]

    before = len(shown_texts())
    press(qtbot, plain_window, "Ctrl+D")
    qtbot.waitUntil(lambda: len(shown_texts()) >= before + 1, timeout=10000)
    texts = shown_texts()
    for title in chosen:
        assert sum(title.rstrip("…")[:40] in text for text in texts) >= 1, (title, texts)
    assert plain_window.recorded.messages == []


def test_ctrl_i_imports_the_chosen_file(qtbot, plain_window, plain_archive: Path, tmp_path) -> None:
    source = tmp_path / "one.json"
    body = "The ministers met in Yerevan to talk about the summit."
    source.write_text(json.dumps([{"title": "Yerevan meeting", "body": body}]), encoding="utf-8")

    def choose(dialog: QWidget) -> None:
        assert isinstance(dialog, QFileDialog)
        dialog.selectFile(str(source))
        dialog.accept()

    handled = when_modal(choose)
    press(qtbot, plain_window, "Ctrl+I")
    qtbot.waitUntil(lambda: handled == ["QFileDialog"], timeout=10000)

    def stored() -> int:
        with on_disk(plain_archive) as archive:
            return archive.search("Yerevan").total

    qtbot.waitUntil(lambda: stored() == 1, timeout=30000)
    qtbot.waitUntil(lambda: "Yerevan meeting" in shown_titles(plain_window), timeout=10000)
    summary = wait_dialog(qtbot, "Import finished")
    summary.accept()


def test_ctrl_p_offers_a_pdf_export(qtbot, plain_window) -> None:
    press(qtbot, plain_window, "Ctrl+P")
    dialog = wait_dialog(qtbot, "Export releases")
    paths = [e.text() for e in dialog.findChildren(QLineEdit)]
    assert any(p.endswith(".pdf") for p in paths), paths
    dialog.reject()


def test_ctrl_s_saves_the_search(qtbot, plain_window, plain_archive: Path) -> None:
    def name(dialog: QWidget) -> None:
        assert isinstance(dialog, QInputDialog)
        dialog.setTextValue("Everything plain")
        dialog.accept()

    handled = when_modal(name)
    press(qtbot, plain_window, "Ctrl+S")
    qtbot.waitUntil(lambda: handled == ["QInputDialog"], timeout=10000)

    def saved() -> list[str]:
        with on_disk(plain_archive) as archive:
            return [s.name for s in archive.saved_searches()]

    qtbot.waitUntil(lambda: saved() == ["Everything plain"], timeout=10000)


def test_f1_lists_the_shortcuts(qtbot, plain_window) -> None:
    press(qtbot, plain_window, "F1")
    dialog = wait_dialog(qtbot, "Keyboard shortcuts")
    (table,) = dialog.findChildren(QTableWidget)
    listed = " ".join(table.item(r, 0).text() for r in range(table.rowCount()))
    for keys in PROMISED:
        assert keys in listed, (keys, listed)
    dialog.reject()


def facet_groups(window: QWidget) -> dict[str, list[str]]:
    """The groups of the facet tree (e.g. "Languages") with the values each shows."""
    groups: dict[str, list[str]] = {}
    for tree in window.findChildren(QTreeWidget):
        for i in range(tree.topLevelItemCount()):
            group = tree.topLevelItem(i)
            values = [group.child(j).text(0) for j in range(group.childCount())]
            groups.setdefault(group.text(0), values)
    return groups


def test_plain_releases_show_no_empty_facet_or_source(qtbot, plain_window) -> None:
    """What the table and the facets show of releases with no source, title or language."""
    titles = shown_titles(plain_window)
    assert len(titles) == 9
    model = results_table(plain_window).model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    source, language = headers.index("Source"), headers.index("Lang")
    assert {model.index(r, source).data() or "" for r in range(model.rowCount())} == {""}
    languages = sorted(model.index(r, language).data() or "" for r in range(model.rowCount()))
    assert languages == ["", *["en"] * 5, *["ru"] * 3]
    groups = facet_groups(plain_window)
    assert groups["Sources"] == []  # no empty value offered
    assert groups["Languages"] == ["en", "ru"]
    assert all(value for values in groups.values() for value in values), groups

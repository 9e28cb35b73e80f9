"""Imported text is never markup: a release with HTML in every field and paragraph shows it
literally in every view, and nothing set as rich text carries its tags."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QTreeWidget, QWidget

from archive_browser.core.archive import Archive
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.search import SearchSpec
from archive_browser.gui.dialogs import ImportSummaryDialog, SplitPreviewDialog, TagDialog
from archive_browser.gui.results_model import Column
from tests.gui.helpers import search

IMG, LINK, BOLD = "<img src=/dev/zero>", "<a href=file:///etc/passwd>x</a>", "<b>bold</b>"
HOSTILE = f"{IMG} {LINK} {BOLD}"
TAGS = ("<img", "<a href", "<b>bold")


def hostile_archive(folder: Path) -> Path:
    with Archive.open(folder) as archive:
        draft = ReleaseDraft(
            title=f"Title {HOSTILE}",
            body=f"First paragraph {HOSTILE}\n\nSecond paragraph {BOLD} Moscow",
            date="2022-02-02",
            summary=f"Summary {HOSTILE}",
            source=f"Source {BOLD}",
            url="file:///etc/passwd",
            place=f"Place {IMG}",
            kind=f"Kind {BOLD}",
            notes=f"Notes {LINK}",
            tags=[f"tag {BOLD}"],
        )
        other = ReleaseDraft(title=f"Other {BOLD}", body=f"Another text {LINK} Moscow")
        archive.add_releases([draft, other])
        archive.save_search(f"Saved {BOLD}", SearchSpec(f'"{BOLD}" Moscow'))
    return folder


def rich_strings(window: QWidget) -> list[tuple[str, str]]:
    """Every string the window's widgets give Qt to render as it guesses or as rich text:
    tooltips, labels not in plain format, item views' tooltips, window titles."""
    out: list[tuple[str, str]] = []
    for w in QApplication.allWidgets():
        top = w.window()
        if top is not window and top.parentWidget() is not window:
            continue  # another test's window
        if w.toolTip():
            out.append((f"{type(w).__name__} tooltip", w.toolTip()))
        if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.PlainText:
            out.append((f"QLabel {w.objectName()}", w.text()))
        if isinstance(w, QTreeWidget):
            stack = [w.topLevelItem(i) for i in range(w.topLevelItemCount())]
            while stack:
                item = stack.pop()
                for c in range(w.columnCount()):
                    out.append(("tree item tooltip", item.toolTip(c)))
                stack += [item.child(i) for i in range(item.childCount())]
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            try:
                rows, columns = model.rowCount(QModelIndex()), model.columnCount(QModelIndex())
            except TypeError:  # a list model of Qt's own (a completer's)
                rows, columns = model.rowCount(QModelIndex()), 1
            for r in range(min(rows, 50)):
                for c in range(columns):
                    tip = model.index(r, c).data(Qt.ItemDataRole.ToolTipRole)
                    if isinstance(tip, str):
                        out.append((f"{type(w).__name__} cell tooltip", tip))
    return out


def assert_no_markup(window: QWidget) -> None:
    for where, text in rich_strings(window):
        if GuiQt.mightBeRichText(text):
            assert not any(tag in text for tag in TAGS), (where, text)


def rendered(rich: str) -> str:
    doc = QTextDocument()
    doc.setHtml(rich)
    return doc.toPlainText()


def test_imported_html_is_shown_literally_everywhere(qtbot, make_window, tmp_path: Path) -> None:
    window = make_window(hostile_archive(tmp_path / "a"))
    model = window.model
    search(qtbot, window, "Moscow")
    assert model.rowCount() == 2
    window.select_rows([0])
    qtbot.waitUntil(lambda: window.reader.release is not None, timeout=5000)
    # The table shows the literal title; its tooltip renders to the literal title.
    titles = {model.index(r, Column.TITLE).data() for r in range(2)}
    assert f"Title {HOSTILE}" in titles
    row = next(r for r in range(2) if model.index(r, Column.TITLE).data() == f"Title {HOSTILE}")
    tip = model.index(row, Column.TITLE).data(Qt.ItemDataRole.ToolTipRole)
    assert rendered(tip) == f"Title {HOSTILE}"
    window.select_rows([row])
    qtbot.waitUntil(lambda: "Summary" in window.reader.browser.toPlainText(), timeout=5000)
    shown = window.reader.browser.toPlainText()
    for text in (f"Title {HOSTILE}", f"Summary {HOSTILE}", f"First paragraph {HOSTILE}", BOLD):
        assert text in shown
    assert window.reader.browser.document().toHtml().count("<img") == 0
    # Facets and the tag panel list the values as written.
    assert f"tag {BOLD}" in window.tags.tags()
    assert f"Source {BOLD}" in window.facets.items("source")
    assert_no_markup(window)
    # The tag dialog, the compare view, the saved searches.
    qtbot.keyClick(window.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(TagDialog)
    assert dialog is not None and f"tag {BOLD} (1)" in dialog.summary.text()
    assert_no_markup(window)
    dialog.reject()
    window.select_rows([0, 1])
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.features.compare.showing, timeout=5000)
    both = "".join(side.browser.toPlainText() for side in window.compare.sides)
    assert f"Title {HOSTILE}" in both and f"Other {BOLD}" in both
    assert_no_markup(window)
    window.features.tags.panel.set_undo(f"renaming “{BOLD}”")
    assert rendered(window.tags.undo_button.toolTip()) == f"Undo: renaming “{BOLD}”"
    assert_no_markup(window)


def test_split_preview_and_import_summary_show_text_literally(
    qtbot, make_window, tmp_path: Path, sample: Path
) -> None:
    window = make_window(tmp_path / "new")
    text = tmp_path / "releases <b>bold.txt"  # no "/" in a file name
    # The shared sample (five releases in one text file), with HTML in a paragraph of each.
    body = sample.read_text(encoding="utf-8").replace("\n\n\n", f"\n\nParagraph {HOSTILE}\n\n\n")
    text.write_text(body, encoding="utf-8")
    with qtbot.waitSignal(window.features.importing.preview_opened, timeout=10000) as shown:
        window.features.importing.start([text])
    preview = shown.args[0]
    assert isinstance(preview, SplitPreviewDialog)
    tips = []
    for i in range(preview.tree.topLevelItemCount()):
        top = preview.tree.topLevelItem(i)
        tips += [top.child(j).toolTip(0) for j in range(top.childCount())]
    assert any(rendered(t) == f"Paragraph {HOSTILE}" for t in tips)
    assert_no_markup(window)
    with qtbot.waitSignal(window.features.importing.summary_opened, timeout=30000) as done:
        preview.accept()
    summary = done.args[0]
    assert isinstance(summary, ImportSummaryDialog)
    assert summary.table.item(0, 0).text() == text.name
    assert rendered(summary.table.item(0, 0).toolTip()) == str(text)
    assert_no_markup(window)
    summary.close()

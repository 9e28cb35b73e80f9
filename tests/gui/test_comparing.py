"""Reading two releases side by side."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from archive_browser.gui.reader import ONLY_LEFT_COLOR
from tests.gui.helpers import background_at, search


def test_two_releases_side_by_side_with_hits_and_differences(
    qtbot,
    make_window,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "versions"
    one = tmp_path / "v1.txt"
    two = tmp_path / "v2.txt"
    one.write_text(
        "Statement on Afghanistan\n\nThe presidents met in Bishkek and discussed Afghanistan.",
        encoding="utf-8",
    )
    two.write_text(
        "Statement on Afghanistan\n\nThe presidents met in Astana and discussed Afghanistan "
        "at length.",
        encoding="utf-8",
    )
    with Archive.open(folder) as archive:
        run(archive.import_paths([one, two]))
    window = make_window(folder)
    search(qtbot, window, "Afghanistan")
    assert window.model.rowCount() == 2
    window.table.selectAll()
    sizes = window.splitter.sizes()
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.reading.currentWidget() is window.compare
    assert window.splitter.sizes()[2] > sizes[2]  # the two texts took room from the results
    left, right = window.compare.sides
    assert "Bishkek" in left.browser.toPlainText() or "Bishkek" in right.browser.toPlainText()
    assert "Astana" in left.browser.toPlainText() + right.browser.toPlainText()
    assert left.hit_count == 2 and right.hit_count == 2  # in the title and in the body
    window.compare.show_diff.setChecked(True)
    diff = window.compare.diff
    assert diff is not None
    left_text = left.release.body
    marked = [left_text[s:e] for s, e in diff.only_left]
    right_marked = [right.release.body[s:e] for s, e in diff.only_right]
    assert sorted([*marked, *right_marked]) == sorted(["Bishkek", "Astana", "at length"])
    doc_text = left.browser.toPlainText()
    word = marked[0]
    assert background_at(left, doc_text.index(word)) == QColor(ONLY_LEFT_COLOR)
    # Swap, then close back to one reader.
    before = left.release.id
    window.compare.swap()
    assert window.compare.sides[1].release.id == before
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    assert window.reading.currentWidget() is window.reader
    assert abs(window.splitter.sizes()[2] - sizes[2]) <= 2


def test_compare_with_from_the_context_menu_flow(qtbot, window) -> None:
    search(qtbot, window, "CSTO")
    compare = window.features.compare
    first, second = window.model.id_at(0), window.model.id_at(1)
    window.select_rows([0])
    menu = window.features.results.context_menu(window.selected_ids())
    entry = next(a for a in menu.actions() if a.text() == "Compare with…")
    entry.trigger()
    assert compare.picking == first
    window.select_rows([1])
    assert compare.picking is None
    assert window.reading.currentWidget() is window.compare
    assert [s.release.id for s in window.compare.sides] == [first, second]


def test_ctrl_d_with_one_release_says_what_to_select(qtbot, window) -> None:
    window.select_rows([0])
    qtbot.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert window.recorded.messages == ["Select two releases to read them side by side."]
    assert window.reading.currentWidget() is window.reader

"""The main window, driven through its real widgets off-screen on a real archive."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor
from PySide6.QtWidgets import QApplication

from archive_browser.core.archive import Archive
from archive_browser.core.search import Filter
from archive_browser.gui.reader import CURRENT_HIT_COLOR, HIT_COLOR, ONLY_LEFT_COLOR
from archive_browser.gui.results_model import Column, ResultsModel, Role

BISHKEK = "Informal meeting of the heads of the CSTO member states"


def titles(window) -> list[str]:
    model = window.model
    return [model.data(model.index(r, Column.TITLE)) for r in range(model.rowCount())]


def search(qtbot, window, text: str) -> None:
    """Types a query as a person would and waits for the results. (QTest cannot type
    Cyrillic, so a Russian query is put in the box and sent with Enter.)"""
    window.search.edit.clear()
    if text.isascii():
        qtbot.keyClicks(window.search.edit, text)
    else:
        window.search.edit.setText(text)
        qtbot.keyClick(window.search.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.spec.query == text and window.search_idle, timeout=10000)


def background_at(reader, position: int) -> QColor:
    cursor = QTextCursor(reader.browser.document())
    cursor.setPosition(position + 1)
    return cursor.charFormat().background().color()


def test_typing_a_query_shows_matching_rows_with_highlights(qtbot, window) -> None:
    assert window.model.rowCount() == 8  # everything before a query
    search(qtbot, window, "Bishkek")
    assert len(titles(window)) == 1 and titles(window)[0].startswith(BISHKEK)
    assert window.search.count.text() == "1 release"
    # Snippets are cut on a worker and filled in when they arrive.
    index = window.model.index(0, Column.TITLE)
    qtbot.waitUntil(lambda: bool(window.model.data(index, Role.SNIPPET_HTML)), timeout=5000)
    snippet = window.model.data(index, Role.SNIPPET_HTML)
    assert '<span style="background-color:#ffe066;">Bishkek</span>' in snippet
    # The reader shows the release with every hit marked.
    reader = window.reader
    assert reader.release is not None and reader.release.title.startswith(BISHKEK)
    assert reader.hit_count == reader.browser.toPlainText().count("Bishkek")
    text = reader.browser.toPlainText()
    assert background_at(reader, text.index("Bishkek")) == HIT_COLOR


def test_russian_query_in_the_window(qtbot, window) -> None:
    search(qtbot, window, "заседания")
    assert titles(window) == ["Заседание Совета коллективной безопасности ОДКБ в Бишкеке"]
    search(qtbot, window, "елка")
    assert titles(window) == ["Новогодняя ёлка в штаб-квартире ОДКБ"]


def test_malformed_query_shows_a_message_and_keeps_results(qtbot, window) -> None:
    search(qtbot, window, "CSTO")
    before = titles(window)
    window.search.edit.clear()
    qtbot.keyClicks(window.search.edit, '"unclosed')
    qtbot.waitUntil(lambda: window.search.error.isVisible(), timeout=5000)
    assert "quotation mark" in window.search.error.text()
    assert titles(window) == before
    qtbot.keyClicks(window.search.edit, '"')
    qtbot.waitUntil(lambda: not window.search.error.isVisible(), timeout=5000)


def test_clicking_a_facet_narrows_the_results(qtbot, window) -> None:
    assert window.facets.items("year") == {"2024": 3, "2023": 1, "2013": 2}
    group = next(
        window.facets.topLevelItem(i)
        for i in range(window.facets.topLevelItemCount())
        if window.facets.topLevelItem(i).text(0) == "Years"
    )
    item = next(
        group.child(j) for j in range(group.childCount()) if group.child(j).text(0) == "2013"
    )
    rect = window.facets.visualItemRect(item)
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        qtbot.mouseClick(window.facets.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.search.filters() == (Filter("year", "2013"),)
    assert window.search.chip_row.isVisible()
    assert len(titles(window)) == 2
    assert window.facets.items("year") == {"2013": 2}
    # Removing the chip removes the filter.
    chip = window.search.chips.itemAt(0).widget()
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert window.search.filters() == () and len(titles(window)) == 8


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
    from archive_browser.core.jobs import run

    with Archive.open(folder) as archive:
        run(archive.import_paths([one, two]))
    window = make_window(folder)
    search(qtbot, window, "Afghanistan")
    assert window.model.rowCount() == 2
    window.table.selectAll()
    window.compare_selected()
    assert window.reading.currentWidget() is window.compare
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


def test_compare_with_from_the_context_menu_flow(qtbot, window) -> None:
    search(qtbot, window, "CSTO")
    first, second = window.model.id_at(0), window.model.id_at(1)
    window.select_rows([0])
    window.start_compare_pick(first)
    window.select_rows([1])
    assert window.reading.currentWidget() is window.compare
    assert [s.release.id for s in window.compare.sides] == [first, second]


def test_tagging_several_rows_updates_table_facets_and_tag_search(qtbot, window) -> None:
    search(qtbot, window, "CSTO")
    window.select_rows([0, 1])
    ids = window.selected_ids()
    window.tag_selected()
    dialog = window.tag_dialog
    qtbot.keyClicks(dialog.edit, "summit, Central Asia")
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        dialog.accept()
    qtbot.waitUntil(lambda: "summit" in window.tags.tags(), timeout=10000)
    assert window.tags.tags()["summit"] == 2
    qtbot.waitUntil(lambda: window.facets.items("tag").get("summit") == 2, timeout=10000)
    tag_column = [
        window.model.data(window.model.index(r, Column.TAGS))
        for r in range(window.model.rowCount())
        if window.model.id_at(r) in ids
    ]
    assert all("summit" in t and "Central Asia" in t for t in tag_column)
    search(qtbot, window, "tag:summit")
    assert sorted(window.model.ids()) == sorted(ids)
    search(qtbot, window, 'tag:"central asia"')
    assert sorted(window.model.ids()) == sorted(ids)


def test_tag_dialog_removes_a_tag_from_all(qtbot, window) -> None:
    window.select_rows([0, 1, 2])
    ids = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.apply_tags(ids, ["x"], [])
    window.select_rows([0, 1, 2])
    window.tag_dialog = None
    window.tag_selected()
    dialog = window.tag_dialog
    assert dialog.list.count() == 1
    dialog.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        dialog.accept()
    assert "x" not in window.tags.tags()


def test_tag_rename_merge_and_undo(qtbot, window) -> None:
    window.select_rows([0])
    a = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.apply_tags(a, ["afganistan"], [])
    window.select_rows([1, 2])
    b = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.apply_tags(b, ["Afghanistan"], [])
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.do_rename_tag("afganistan", "Afghanistan")  # a merge
    assert window.tags.tags() == {"Afghanistan": 3}
    assert window.undo_action.isEnabled() and "renaming" in window.undo_action.text()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.tags.tags() == {"afganistan": 1, "Afghanistan": 2}
    search(qtbot, window, "tag:afganistan")
    assert window.model.ids() == a
    # Delete asks first, and can be undone too.
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.delete_tag("Afghanistan")
    assert window.recorded.questions[-1].startswith("Remove the tag “Afghanistan” from 2")
    assert "Afghanistan" not in window.tags.tags()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.undo_tags()
    assert window.tags.tags()["Afghanistan"] == 2


def test_editing_metadata_saves_and_reindexes(qtbot, window) -> None:
    search(qtbot, window, "BELTA")
    window.select_rows([0])
    window.edit_selected()
    dialog = window.metadata_dialog
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
    assert titles(window) == ["Interview with BELTA"]


def test_bad_date_in_metadata_is_a_clear_message(qtbot, window) -> None:
    release_id = window.model.id_at(0)
    window.apply_edit(release_id, {"date": "30/07/2024"})
    qtbot.waitUntil(lambda: bool(window.recorded.messages), timeout=10000)
    assert "YYYY-MM-DD" in window.recorded.messages[0]


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
    start, end = reader._hits[0]
    assert selection.cursor.selectionStart() == start and selection.cursor.selectionEnd() == end


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


def test_saved_searches_are_stored_counted_renamed_and_deleted(qtbot, window) -> None:
    search(qtbot, window, "CSTO")
    window.search.add_filter(Filter("year", "2024"))
    qtbot.waitUntil(lambda: window.search.count.text() == "2 releases", timeout=10000)
    window.do_save_search("CSTO 2024", window.search.spec())
    qtbot.waitUntil(lambda: window.saved.list.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: "(2)" in window.saved.list.item(0).text(), timeout=10000)
    window.do_save_search(
        "Russian", window.search.spec().__class__("", (Filter("language", "ru"),))
    )
    qtbot.waitUntil(lambda: window.saved.list.count() == 2, timeout=10000)
    # Running a saved search restores its query and filters.
    window.search.set_spec(window.search.spec().__class__("elka"))
    search_ = window.saved.search(window.saved.ids()[0])
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.use_saved_search(search_)
    assert window.search.edit.text() == "CSTO" and window.search.filters() == (
        Filter("year", "2024"),
    )
    # Reorder, then reopen the archive: the order is kept in the archive.
    ids = window.saved.ids()
    window._reorder_saved(list(reversed(ids)))
    qtbot.waitUntil(lambda: window.archive.store.saved_searches()[0][1] == "Russian", timeout=10000)
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.open_archive(window.archive.folder)
    qtbot.waitUntil(lambda: window.saved.list.count() == 2, timeout=10000)
    assert window.saved.list.item(0).text().startswith("Russian")
    window.delete_saved_search(window.saved.search(window.saved.ids()[0]))
    qtbot.waitUntil(lambda: window.saved.list.count() == 1, timeout=10000)


def test_sort_by_date(qtbot, window) -> None:
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.search.sort.setCurrentIndex(window.search.sort.findData("date"))
    dates = [window.model.data(window.model.index(r, Column.DATE)) for r in range(8)]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[-1] == ""


def test_results_model_passes_qtmodeltester(qtmodeltester, window) -> None:
    qtmodeltester.check(window.model)
    empty = ResultsModel()
    qtmodeltester.check(empty)


def test_status_bar_and_check_archive(qtbot, window) -> None:
    assert window.count_label.text() == "8 releases in archive"
    assert window.index_label.text() == "Index up to date"
    window.check_archive()
    qtbot.waitUntil(lambda: hasattr(window, "last_check"), timeout=10000)
    assert window.last_check.consistent


def test_rebuild_index_runs_in_the_background(qtbot, window) -> None:
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        window.rebuild_index()
        assert window.progress.isVisible() and window.cancel_button.isVisible()
        assert not window.import_files_action.isEnabled()
    assert not window.progress.isVisible()
    assert window.archive.check().consistent


def test_window_state_is_remembered(qtbot, make_window, sample_archive: Path) -> None:
    first = make_window(sample_archive)
    first.splitter.setSizes([200, 700, 500])
    first.reader.set_font_size(15)
    first.compare.sync.setChecked(False)
    first.close()
    second = make_window()
    assert second.reader.font_size == 15
    assert not second.compare.sync.isChecked()
    assert abs(second.splitter.sizes()[0] - first.splitter.sizes()[0]) <= 2
    assert sample_archive.resolve() in [p.resolve() for p in second.settings.recent_archives()]


def test_a_bug_in_a_worker_reaches_the_bug_dialog(qtbot, window) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    window.runner.call(broken, write=False, failed=window.errors.report)
    qtbot.waitUntil(lambda: bool(window.recorded.bugs), timeout=5000)
    assert "RuntimeError: boom" in window.recorded.bugs[0]
    assert "Traceback" in window.recorded.bugs[0]
    window.recorded.bugs.clear()

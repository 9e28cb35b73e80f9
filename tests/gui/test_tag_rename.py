"""Renaming a tag in the Tags panel carries the name into the search on screen, its chips and
the saved searches; Ctrl+Z restores exactly what was there. The tag dialog says which tags the
selected releases have."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

from archive_browser.core.search import Filter, SearchSpec
from archive_browser.gui.dialogs import TagDialog
from tests.gui.helpers import search


def test_rename_updates_query_chips_saved_searches_and_undo_restores(qtbot, window) -> None:
    tags = window.features.tags
    window.select_rows([0, 1])
    ids = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(ids, ["summit"], [])
    window.select_rows([2])
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(window.selected_ids(), ["other"], [])
    window.archive.save_search("Summits", SearchSpec("tag:summit", (Filter("tag", "summit"),)))
    window.archive.save_search("Others", SearchSpec("tag:other"))
    search(qtbot, window, "tag:summit")
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.search.add_filter(Filter("tag", "summit"))
    assert sorted(window.model.ids()) == sorted(ids)
    before_tags = window.tags.tags()
    before_saved = {s.name: s.spec for s in window.archive.saved_searches()}

    window.side.setCurrentWidget(window.tags)
    window.tags.select("summit")
    qtbot.mouseClick(window.tags.rename_button, Qt.MouseButton.LeftButton)
    dialog = window.findChild(QInputDialog)
    assert dialog is not None and dialog.isVisible()
    edit = dialog.findChild(QLineEdit)
    edit.selectAll()
    qtbot.keyClicks(edit, "CSTO summit")
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.search_idle, timeout=10000)
    assert window.tags.tags() == {"CSTO summit": 2, "other": 1}
    assert window.search.edit.text() == 'tag:"CSTO summit"'
    assert window.search.filters() == (Filter("tag", "CSTO summit"),)
    assert sorted(window.model.ids()) == sorted(ids)  # not "Nothing matches"
    saved = {s.name: s.spec for s in window.archive.saved_searches()}
    assert saved["Summits"] == SearchSpec('tag:"CSTO summit"', (Filter("tag", "CSTO summit"),))
    assert saved["Others"] == before_saved["Others"]

    assert window.action("edit.undo").isEnabled(), window.recorded.messages
    qtbot.waitUntil(lambda: window.findChild(QInputDialog) is None, timeout=5000)
    window.activateWindow()  # the closed dialog left no window active (off-screen)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    window.search.edit.clearFocus()  # Ctrl+Z in the search box undoes typing there
    qtbot.mouseClick(window.tags.tree.viewport(), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        qtbot.keyClick(window.tags.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.search_idle, timeout=10000)
    assert window.tags.tags() == before_tags  # no empty "CSTO summit" left behind
    assert window.archive.tag_counts() == sorted(before_tags.items(), key=lambda p: p[0])
    assert {s.name: s.spec for s in window.archive.saved_searches()} == before_saved
    assert window.search.edit.text() == "tag:summit"
    assert window.search.filters() == (Filter("tag", "summit"),)
    assert sorted(window.model.ids()) == sorted(ids)


def test_tag_dialog_says_which_tags_the_selection_has(qtbot, window) -> None:
    tags = window.features.tags
    window.select_rows([0, 1, 2, 3, 4])
    ids = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(ids, ["Afghanistan"], [])
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(ids[:2], ["summit"], [])
    window.select_rows([0, 1, 2, 3, 4])
    qtbot.keyClick(window.table, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(TagDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.summary.text() == "Tags of 5 selected releases: Afghanistan (5), summit (2)"
    dialog.reject()
    window.select_rows([5])
    dialog = tags.tag_selected()
    assert dialog.summary.text() == "Tags of 1 selected release: none yet"

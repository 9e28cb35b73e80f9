"""Tags: the tag dialog, the tag panel's rename, merge and delete, and undo."""

from __future__ import annotations

from PySide6.QtCore import Qt

from archive_browser.gui.dialogs import TagDialog
from archive_browser.gui.results_model import Column
from tests.gui.helpers import search


def test_tagging_several_rows_updates_table_facets_and_tag_search(qtbot, window) -> None:
    search(qtbot, window, "CSTO")
    window.select_rows([0, 1])
    ids = window.selected_ids()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(TagDialog)
    assert dialog is not None and dialog.isVisible()
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
    tags = window.features.tags
    window.select_rows([0, 1, 2])
    ids = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(ids, ["x"], [])
    window.select_rows([0, 1, 2])
    dialog = tags.tag_selected()
    assert dialog is not None
    assert dialog.list.count() == 1
    dialog.list.item(0).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        dialog.accept()
    assert "x" not in window.tags.tags()


def test_tag_rename_merge_and_undo(qtbot, window) -> None:
    tags = window.features.tags
    undo = window.action("edit.undo")
    assert not undo.isEnabled() and tags.undo_description is None
    window.select_rows([0])
    a = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(a, ["afganistan"], [])
    window.select_rows([1, 2])
    b = window.selected_ids()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(b, ["Afghanistan"], [])
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.do_rename_tag("afganistan", "Afghanistan")  # a merge
    assert window.tags.tags() == {"Afghanistan": 3}
    assert undo.isEnabled() and "renaming" in undo.text()
    assert tags.undo_description == "renaming “afganistan”"
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.tags.tags() == {"afganistan": 1, "Afghanistan": 2}
    assert not undo.isEnabled()
    search(qtbot, window, "tag:afganistan")
    assert window.model.ids() == a
    # Delete asks first, and can be undone too.
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.delete_tag("Afghanistan")
    assert window.recorded.questions[-1].startswith("Remove the tag “Afghanistan” from 2")
    assert "Afghanistan" not in window.tags.tags()
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        window.tags.undo_button.click()
    assert window.tags.tags()["Afghanistan"] == 2


def test_tag_action_needs_a_selection_and_a_writable_archive(qtbot, window) -> None:
    tag = window.action("edit.tag")
    window.select_rows([0])
    assert tag.isEnabled()
    window.table.clearSelection()
    assert not tag.isEnabled()
    window.select_rows([0, 1])
    assert tag.isEnabled()


def test_the_tag_panel_refreshes_on_tag_changes_only(qtbot, make_context, sample_archive) -> None:
    from archive_browser.core.changes import Changes
    from archive_browser.gui.features.searching import ResultsFeature
    from archive_browser.gui.features.tagging import TagsFeature

    ctx = make_context(sample_archive)
    results = ResultsFeature(ctx)
    tags = TagsFeature(ctx, results)
    ctx.changes_made.emit(Changes.all())
    assert tags.panel.tags() == {}
    ids = ctx.archive.search(ctx.archive.parse("CSTO")).ids[:2]
    changes = ctx.archive.tag(ids, ["summit"])
    ctx.changes_made.emit(Changes(saved_searches=True))
    assert tags.panel.tags() == {}  # not its concern
    ctx.changes_made.emit(changes)
    assert tags.panel.tags() == {"summit": 2}

"""The main window as a whole: it assembles the features, builds the menus from their
actions, remembers its state, opens and closes archives."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QKeySequence

from archive_browser.gui.actions import MENUS


def standard(key: QKeySequence.StandardKey) -> str:
    return QKeySequence(key).toString()


#: Every menu entry with a shortcut, as the window has always had them.
SHORTCUTS = {
    "file.open": (standard, QKeySequence.StandardKey.Open),
    "file.import_files": "Ctrl+I",
    "file.import_folder": "Ctrl+Shift+I",
    "file.export_pdf": "Ctrl+P",
    "file.quit": (standard, QKeySequence.StandardKey.Quit),
    "edit.undo": "Ctrl+Z",
    "edit.tag": "Ctrl+T",
    "edit.edit": "Ctrl+E",
    "search.find": "Ctrl+F",
    "search.save": "Ctrl+S",
    "search.next_hit": "F3",
    "search.previous_hit": "Shift+F3",
    "view.compare": "Ctrl+D",
    "view.versions": "Ctrl+Shift+V",
    "view.larger": (standard, QKeySequence.StandardKey.ZoomIn),
    "view.smaller": (standard, QKeySequence.StandardKey.ZoomOut),
    "help.shortcuts": "F1",
}


def menu_texts(window) -> dict[str, list[str]]:
    return {
        m.text(): [a.text() or "---" for a in m.menu().actions()]
        for m in window.menuBar().actions()
    }


def test_menus_are_built_from_the_features_actions(qtbot, make_window) -> None:
    window = make_window()
    assert [m.text() for m in window.menuBar().actions()] == list(MENUS.values())
    assert menu_texts(window) == {
        "&File": [
            "&Open archive…",
            "&New archive…",
            "Recent archives",
            "---",
            "&Import files…",
            "Import &folder…",
            "Import PDFs &split into releases…",
            "---",
            "Export to &PDF…",
            "E&xport to CSV or JSON…",
            "Export as a BagIt &bag…",
            "&Back up archive…",
            "---",
            "&Quit",
        ],
        "&Edit": [
            "&Undo tag operation",
            "---",
            "&Tag selected releases…",
            "&Edit release…",
            "---",
            "Select all results",
        ],
        "&Search": [
            "&Find…",
            "&Save search…",
            "Clear filters",
            "First versions only (on/off)",
            "---",
            "&Next hit",
            "&Previous hit",
            "---",
            "Query language…",
        ],
        "&View": [
            "Read side by si&de",
            "Close side by side",
            "---",
            "&Larger text",
            "&Smaller text",
            "---",
            "&Versions of this release",
            "&Translations",
        ],
        "&Tools": [
            "&Check archive",
            "&Rebuild index",
            "&Verify original files",
            "---",
            "Find &versions again",
        ],
        "&Help": ["&Keyboard shortcuts", "&Query language", "&About Archive Browser"],
    }
    shortcuts = {
        action_id: window.action(action_id).shortcut().toString()
        for action_id in window.context.actions.ids()
        if not window.action(action_id).shortcut().isEmpty()
    }
    expected = {
        action_id: keys if isinstance(keys, str) else keys[0](keys[1])
        for action_id, keys in SHORTCUTS.items()
    }
    expected = {action_id: keys for action_id, keys in expected.items() if keys}
    assert expected["search.find"] == standard(QKeySequence.StandardKey.Find)
    assert expected["search.save"] == standard(QKeySequence.StandardKey.Save)
    assert shortcuts == expected


def test_without_an_archive_only_opening_and_help_are_enabled(qtbot, make_window) -> None:
    window = make_window()
    enabled = {i for i in window.context.actions.ids() if window.action(i).isEnabled()}
    assert "file.open" in enabled and "help.shortcuts" in enabled
    for action_id in ("file.import_files", "file.export_pdf", "edit.tag", "tools.check"):
        assert action_id not in enabled
    assert not window.search.isEnabled()


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


def test_closing_the_archive_empties_the_window(qtbot, window) -> None:
    assert window.model.rowCount() == 8 and window.archive is not None
    window.close_archive()
    assert window.archive is None and window.model.rowCount() == 0
    assert window.reader.browser.toPlainText() == "No archive is open."
    assert window.count_label.text() == "No archive"
    assert not window.action("file.export_pdf").isEnabled()
    assert not window.search.isEnabled()


def test_a_bug_in_a_worker_reaches_the_bug_dialog(qtbot, window) -> None:
    def broken() -> None:
        raise RuntimeError("boom")

    window.runner.call(broken, write=False, failed=window.errors.report)
    qtbot.waitUntil(lambda: bool(window.recorded.bugs), timeout=5000)
    assert "RuntimeError: boom" in window.recorded.bugs[0]
    assert "Traceback" in window.recorded.bugs[0]
    window.recorded.bugs.clear()

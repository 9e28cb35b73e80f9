"""Help: the list of keyboard shortcuts names every shortcut of the menus."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableWidget

from archive_browser.gui.dialogs import ShortcutsDialog


def test_f1_lists_every_shortcut_of_the_menus(qtbot, make_window) -> None:
    window = make_window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    qtbot.keyClick(window, Qt.Key.Key_F1)
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    table = dialog.findChild(QTableWidget)
    listed = " | ".join(table.item(r, 0).text() for r in range(table.rowCount()))
    for action_id in window.context.actions.ids():
        keys = window.action(action_id).shortcut().toString()
        if keys and keys not in ("Ctrl++", "Ctrl+-"):
            assert keys in listed, action_id
    assert "Ctrl++ / Ctrl+-" in listed

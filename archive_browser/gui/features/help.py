"""Help: the list of keyboard shortcuts and the about box."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from archive_browser import APP_NAME, __version__
from archive_browser.gui.actions import ActionSpec
from archive_browser.gui.dialogs import ShortcutsDialog
from archive_browser.gui.features.base import Feature


class HelpFeature(Feature):
    """F1 lists the keyboard shortcuts."""

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec("help.shortcuts", "&Keyboard shortcuts", "help", self.show_shortcuts, "F1"),
            ActionSpec("help.about", f"&About {APP_NAME}", "help", self.show_about, order=2),
        ]

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.ctx.window)
        dialog.open()
        return dialog

    def show_about(self) -> None:
        QMessageBox.about(
            self.ctx.window,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Keep, search, read, tag and export collections "
            "of press releases, offline.",
        )

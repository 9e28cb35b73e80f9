"""What every feature of the window has in common."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QObject

from archive_browser.core.changes import Changes
from archive_browser.core.integrity import is_damage
from archive_browser.gui.actions import ActionSpec
from archive_browser.gui.context import WindowContext

#: A context menu entry of the results: (text, handler), or None for a separator.
MenuItem = tuple[str, object] | None


class Feature(QObject):
    """A part of the window. It declares its actions, and refreshes what it shows when the
    archive changes (`on_changes`) or closes (`on_closed`)."""

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx)
        self.ctx = ctx
        ctx.changes_made.connect(self._on_changes_safely)
        ctx.archive_closed.connect(self.on_closed)

    def _on_changes_safely(self, changes: Changes) -> None:
        # An archive opened damaged is shown as far as it can be read: a part that cannot
        # read its data stays empty, and the damage is said once, by the damaged-archive
        # dialog, not as a bug report from every part.
        try:
            self.on_changes(changes)
        except sqlite3.DatabaseError as e:
            archive = self.ctx.archive
            if not is_damage(e) or archive is None or archive.damage is None:
                raise

    def actions(self) -> list[ActionSpec]:
        return []

    def on_changes(self, changes: Changes) -> None:
        """Refreshes what these changes make stale."""

    def on_closed(self) -> None:
        """Forgets what belonged to the archive that closed."""

"""Editing a release's metadata (title, date, place, ...)."""

from __future__ import annotations

from typing import Any

from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.context import WindowContext
from archive_browser.gui.dialogs import MetadataDialog
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import write_op


class EditFeature(Feature):
    """Ctrl+E edits the release the results are on; the change is saved and reindexed on the
    writer."""

    def __init__(self, ctx: WindowContext, results: ResultsFeature) -> None:
        super().__init__(ctx)
        self.results = results
        results.add_menu_items(self._menu_items)

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "edit.edit",
                "&Edit release…",
                "edit",
                self.edit_selected,
                "Ctrl+E",
                When(writable=True, min_selected=1),
                section=1,
                order=1,
            )
        ]

    def _menu_items(self, ids: list[int]) -> list[MenuItem]:
        return [("Edit…", self.edit_selected)] if len(ids) == 1 else []

    def edit_selected(self) -> MetadataDialog | None:
        """Opens the metadata dialog for the current release (and returns it)."""
        archive = self.ctx.archive
        release_id = self.results.current_id()
        if archive is None or release_id is None:
            return None
        languages = [v for v, _ in archive.facets()["language"]]
        dialog = MetadataDialog(self.ctx.window, archive.get(release_id), languages)
        dialog.accepted.connect(lambda: self.apply_edit(release_id, dialog.changes()))
        dialog.open()
        return dialog

    def apply_edit(self, release_id: int, changes: dict[str, Any]) -> None:
        if changes:
            write_op(self.ctx, lambda archive: archive.update(release_id, **changes))

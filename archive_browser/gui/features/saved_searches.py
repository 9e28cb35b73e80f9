"""Saved searches: save the current search, run, rename, delete and reorder them, each with
its current count."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QInputDialog

from archive_browser.core.changes import Changes
from archive_browser.core.errors import UserFacingError
from archive_browser.core.search import SavedSearch, SearchSpec
from archive_browser.gui.actions import WRITABLE, ActionSpec
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import read_op, write_op
from archive_browser.gui.panels import SavedSearchPanel


class SavedSearchesFeature(Feature):
    """The saved searches panel. Counts are read in the background, after the names."""

    def __init__(self, ctx: WindowContext, results: ResultsFeature) -> None:
        super().__init__(ctx)
        self.results = results
        self.panel = SavedSearchPanel(ctx.window)
        self.panel.chosen.connect(self.use)
        self.panel.rename_requested.connect(self.rename)
        self.panel.delete_requested.connect(self.delete)
        self.panel.reordered.connect(self.reorder)
        results.search.save_requested.connect(self.save_current)
        self._counts: dict[int, int] = {}

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "search.save",
                "&Save search…",
                "search",
                self.save_current,
                QKeySequence.StandardKey.Save,
                WRITABLE,
                order=1,
            )
        ]

    def load(self) -> None:
        archive = self.ctx.archive
        if archive is None:
            return
        searches = archive.saved_searches()
        self.panel.set_searches(searches, self._counts)

        def counts(archive: Any) -> dict[int, int]:
            out = {}
            for s in searches:
                try:
                    out[s.id] = archive.run_search(s.spec, limit=1).total
                except UserFacingError:
                    continue
            return out

        read_op(self.ctx, counts, lambda c: self._show(searches, c))

    def _show(self, searches: list[SavedSearch], counts: dict[int, int]) -> None:
        self._counts = counts
        self.panel.set_searches(searches, counts)

    def on_changes(self, changes: Changes) -> None:
        if changes.everything:
            self._counts = {}
        if changes.saved_searches or changes.results:
            self.load()

    def on_closed(self) -> None:
        self._counts = {}

    def save_current(self) -> None:
        """Asks for a name and saves the current search under it."""
        spec = self.results.search.spec()
        default = spec.query or " ".join(f.value for f in spec.filters) or "All releases"
        name, ok = QInputDialog.getText(self.ctx.window, "Save search", "Name:", text=default)
        if ok and name.strip():
            self.save(name.strip(), spec)

    def save(self, name: str, spec: SearchSpec) -> None:
        write_op(self.ctx, lambda archive: archive.save_search(name, spec))

    def use(self, search: SavedSearch) -> None:
        self.results.search.set_spec(search.spec)

    def rename(self, search: SavedSearch) -> None:
        name, ok = QInputDialog.getText(
            self.ctx.window, "Rename saved search", "Name:", text=search.name
        )
        if ok and name.strip():
            self.do_rename(search, name)

    def do_rename(self, search: SavedSearch, name: str) -> None:
        write_op(self.ctx, lambda archive: archive.rename_saved_search(search.id, name))

    def delete(self, search: SavedSearch) -> None:
        if self.ctx.ask("Delete saved search", f"Delete “{search.name}”?"):
            write_op(self.ctx, lambda archive: archive.delete_saved_search(search.id))

    def reorder(self, ids: list[int]) -> None:
        """Keeps the searches in this order (the panel shows it already)."""
        write_op(self.ctx, lambda archive: archive.order_saved_searches(ids))

"""Tags: the tag panel (rename, merge, delete), tagging the selected releases, and undoing the
last tag operation."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QInputDialog

from archive_browser.core.archive import Archive
from archive_browser.core.changes import Changes
from archive_browser.core.search import Filter, SearchSpec
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.context import WindowContext
from archive_browser.gui.dialogs import TagDialog
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import Outcome, write_op
from archive_browser.gui.panels import TagPanel

#: Which releases carried each tag before an operation: what undoing it restores.
Snapshot = dict[str, list[int]]


class TagsFeature(Feature):
    """Every tag operation runs on the writer and can be undone; `tags_changed` follows each
    one, once the panel shows its outcome."""

    tags_changed = Signal()

    def __init__(self, ctx: WindowContext, results: ResultsFeature) -> None:
        super().__init__(ctx)
        self.results = results
        self.panel = TagPanel(ctx.window)
        self.panel.search_requested.connect(
            lambda name: results.search.set_spec(SearchSpec("", (Filter("tag", name),)))
        )
        self.panel.rename_requested.connect(self.rename_tag)
        self.panel.merge_requested.connect(self.merge_tag)
        self.panel.delete_requested.connect(self.delete_tag)
        self.panel.undo_requested.connect(self.undo)
        results.add_menu_items(self._menu_items)
        self._undo: tuple[str, Snapshot] | None = None

    def actions(self) -> list[ActionSpec]:
        can_undo = When(writable=True, check=lambda: self._undo is not None)
        return [
            ActionSpec("edit.undo", "&Undo tag operation", "edit", self.undo, "Ctrl+Z", can_undo),
            ActionSpec(
                "edit.tag",
                "&Tag selected releases…",
                "edit",
                self.tag_selected,
                "Ctrl+T",
                When(writable=True, min_selected=1),
                section=1,
            ),
        ]

    def _menu_items(self, ids: list[int]) -> list[MenuItem]:
        return [(f"Tag {len(ids)} release{'s' if len(ids) != 1 else ''}…", self.tag_selected)]

    @property
    def undo_description(self) -> str | None:
        """What the Undo action would undo, if anything."""
        return self._undo[0] if self._undo is not None else None

    def load(self) -> None:
        if self.ctx.archive is not None:
            self.panel.set_tags(self.ctx.archive.tag_counts())

    def on_changes(self, changes: Changes) -> None:
        if changes.tags:
            self.load()

    def on_closed(self) -> None:
        self._set_undo(None)

    # --- tagging releases

    def tag_selected(self) -> TagDialog | None:
        """Opens the tag dialog for the selected releases (and returns it)."""
        archive = self.ctx.archive
        ids = self.results.selected_ids()
        if archive is None or not ids:
            return None
        current: dict[str, int] = {}
        for names in archive.tags_of(ids).values():
            for name in names:
                current[name] = current.get(name, 0) + 1
        dialog = TagDialog(self.ctx.window, len(ids), current, [n for n, _ in archive.tag_counts()])
        dialog.accepted.connect(lambda: self.apply_tags(ids, dialog.to_add(), dialog.to_remove()))
        dialog.open()
        return dialog

    def apply_tags(self, ids: list[int], add: list[str], remove: list[str]) -> None:
        """Adds and removes tags on releases, on the write worker; undoable."""
        if not (add or remove):
            return

        def op(archive: Archive) -> Outcome[Snapshot]:
            snapshot = archive.tag_snapshot([*add, *remove])
            changes = Changes()
            if add:
                changes |= archive.tag(ids, add)
            if remove:
                changes |= archive.untag(ids, remove)
            return Outcome(changes, snapshot)

        what = f"tagging {len(ids):,} release{'s' if len(ids) != 1 else ''}"
        write_op(self.ctx, op, lambda outcome: self._done(what, outcome.value))

    # --- the tag panel

    def rename_tag(self, name: str) -> None:
        new, ok = QInputDialog.getText(
            self.ctx.window, "Rename tag", f"New name for “{name}”:", text=name
        )
        if ok and new.strip() and new.strip() != name:
            self.do_rename_tag(name, new.strip())

    def merge_tag(self, name: str) -> None:
        others = [n for n in self.panel.tags() if n != name]
        if not others:
            self.ctx.errors.show_message("There is no other tag to merge into.")
            return
        target, ok = QInputDialog.getItem(
            self.ctx.window, "Merge tag", f"Merge “{name}” into:", others, 0, False
        )
        if ok and target:
            self.do_rename_tag(name, target)

    def do_rename_tag(self, old: str, new: str) -> None:
        """Renames a tag, merging it when `new` exists; undoable."""

        def op(archive: Archive) -> Outcome[Snapshot]:
            snapshot = archive.tag_snapshot([old, new])
            return Outcome(archive.rename_tag(old, new), snapshot)

        write_op(self.ctx, op, lambda outcome: self._done(f"renaming “{old}”", outcome.value))

    def delete_tag(self, name: str) -> None:
        count = self.panel.tags().get(name, 0)
        question = f"Remove the tag “{name}” from {count:,} release{'s' if count != 1 else ''}?"
        if self.ctx.ask("Delete tag", question):
            self.do_delete_tag(name)

    def do_delete_tag(self, name: str) -> None:
        def op(archive: Archive) -> Outcome[Snapshot]:
            snapshot = archive.tag_snapshot([name])
            return Outcome(archive.delete_tag(name), snapshot)

        write_op(self.ctx, op, lambda outcome: self._done(f"deleting “{name}”", outcome.value))

    # --- undo

    def undo(self) -> None:
        """Undoes the last tag operation."""
        if self.ctx.archive is None or self._undo is None:
            return
        _what, snapshot = self._undo
        self._set_undo(None)
        write_op(
            self.ctx,
            lambda archive: archive.restore_tags(snapshot),
            lambda _changes: self.tags_changed.emit(),
        )

    def _done(self, what: str, snapshot: Snapshot) -> None:
        self._set_undo((what, snapshot))
        self.tags_changed.emit()

    def _set_undo(self, undo: tuple[str, Snapshot] | None) -> None:
        self._undo = undo
        self.panel.set_undo(undo[0] if undo else None)
        if undo is not None:
            self.ctx.actions.get("edit.undo").setText(f"&Undo {undo[0]}")
        self.ctx.state_changed.emit()

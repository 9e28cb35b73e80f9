"""Tags: the tag panel (rename, merge, delete), tagging the selected releases, and undoing the
last tag operation."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QInputDialog

from archive_browser.core.archive import Archive
from archive_browser.core.archive.tags import retag_spec
from archive_browser.core.changes import Changes
from archive_browser.core.search import Filter, SearchSpec
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.context import WindowContext
from archive_browser.gui.dialogs import TagDialog
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import Outcome, write_op
from archive_browser.gui.panels import TagPanel
from archive_browser.gui.plain import literal

#: Which releases carried each tag before an operation: what undoing it restores.
Snapshot = dict[str, list[int]]


@dataclass(frozen=True)
class Undo:
    """What undoing the last tag operation restores: the tags' releases, and after a rename
    the saved searches it rewrote and the search it changed on screen."""

    what: str
    snapshot: Snapshot
    renamed: tuple[str, str, list[int]] | None = None  # old, new, saved search ids
    spec_before: SearchSpec | None = None
    spec_after: SearchSpec | None = None


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
        self._undo: Undo | None = None

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
        return self._undo.what if self._undo is not None else None

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
        write_op(self.ctx, op, lambda outcome: self._done(Undo(what, outcome.value)))

    # --- the tag panel

    def rename_tag(self, name: str) -> QInputDialog:
        """Asks for the tag's new name (in a window-modal dialog, returned)."""
        dialog = QInputDialog(self.ctx.window)
        dialog.setWindowTitle("Rename tag")
        dialog.setLabelText(literal(f"New name for “{name}”:"))
        dialog.setTextValue(name)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def accepted() -> None:
            new = dialog.textValue().strip()
            if new and new != name:
                self.do_rename_tag(name, new)

        dialog.accepted.connect(accepted)
        dialog.open()
        return dialog

    def merge_tag(self, name: str) -> None:
        others = [n for n in self.panel.tags() if n != name]
        if not others:
            self.ctx.errors.show_message("There is no other tag to merge into.")
            return
        target, ok = QInputDialog.getItem(
            self.ctx.window, "Merge tag", literal(f"Merge “{name}” into:"), others, 0, False
        )
        if ok and target:
            self.do_rename_tag(name, target)

    def do_rename_tag(self, old: str, new: str) -> None:
        """Renames a tag, merging it when `new` exists, in the releases, the saved searches and
        the search on screen; undoable."""

        def op(archive: Archive) -> Outcome[tuple[Snapshot, list[int]]]:
            snapshot = archive.tag_snapshot([old, new])
            changes = archive.rename_tag(old, new)
            in_searches, search_ids = archive.rename_tag_in_searches(old, new)
            return Outcome(changes | in_searches, (snapshot, search_ids))

        def done(outcome: Outcome[tuple[Snapshot, list[int]]]) -> None:
            snapshot, search_ids = outcome.value
            before = self.results.search.spec()
            after = retag_spec(before, old, new)
            if after != before:
                self.results.search.set_spec(after)
            undo = Undo(f"renaming “{old}”", snapshot, (old, new, search_ids), before, after)
            self._done(undo)

        write_op(self.ctx, op, done)

    def delete_tag(self, name: str) -> None:
        count = self.panel.tags().get(name, 0)
        question = f"Remove the tag “{name}” from {count:,} release{'s' if count != 1 else ''}?"
        if self.ctx.ask("Delete tag", question):
            self.do_delete_tag(name)

    def do_delete_tag(self, name: str) -> None:
        def op(archive: Archive) -> Outcome[Snapshot]:
            snapshot = archive.tag_snapshot([name])
            return Outcome(archive.delete_tag(name), snapshot)

        write_op(
            self.ctx, op, lambda outcome: self._done(Undo(f"deleting “{name}”", outcome.value))
        )

    # --- undo

    def undo(self) -> None:
        """Undoes the last tag operation."""
        if self.ctx.archive is None or self._undo is None:
            return
        undo = self._undo
        self._set_undo(None)

        def op(archive: Archive) -> Changes:
            changes = archive.restore_tags(undo.snapshot)
            if undo.renamed is not None and undo.renamed[2]:
                old, new, search_ids = undo.renamed
                changes |= archive.rename_tag_in_searches(new, old, search_ids)[0]
            return changes

        def done(_changes: Changes) -> None:
            if undo.spec_before is not None and self.results.search.spec() == undo.spec_after:
                self.results.search.set_spec(undo.spec_before)
            self.tags_changed.emit()

        write_op(self.ctx, op, done)

    def _done(self, undo: Undo) -> None:
        self._set_undo(undo)
        self.tags_changed.emit()

    def _set_undo(self, undo: Undo | None) -> None:
        self._undo = undo
        self.panel.set_undo(undo.what if undo else None)
        if undo is not None:
            self.ctx.actions.get("edit.undo").setText(f"&Undo {undo.what}")
        self.ctx.state_changed.emit()

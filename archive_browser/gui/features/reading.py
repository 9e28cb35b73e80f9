"""The reader and its hits: the release the user is on, with every hit marked; F3 and
Shift+F3 move between hits, Ctrl++ and Ctrl+- change the text size."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QStackedWidget

from archive_browser.core.errors import UserFacingError
from archive_browser.gui.actions import ActionSpec
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.reader import Marks, ReaderView


class ReadingFeature(Feature):
    """Shows the current release in the reader. `stack` holds the reader and any other way of
    reading (side by side); `active_reader` is the one F3 moves in."""

    font_size_changed = Signal(int)

    def __init__(self, ctx: WindowContext, results: ResultsFeature) -> None:
        super().__init__(ctx)
        self.results = results
        self.reader = ReaderView()
        self.stack = QStackedWidget(ctx.window)
        self.stack.addWidget(self.reader)
        results.current_changed.connect(self._current_changed)
        results.nothing_found.connect(
            lambda: self.reader.show_message(
                "No releases yet: import some."
                if ctx.archive is not None and ctx.archive.count() == 0
                else "Nothing matches this search."
            )
        )
        results.table.activated.connect(lambda _i: self.reader.browser.setFocus())

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec("search.next_hit", "&Next hit", "search", self.next_hit, "F3", section=1),
            ActionSpec(
                "search.previous_hit",
                "&Previous hit",
                "search",
                self.previous_hit,
                "Shift+F3",
                section=1,
                order=1,
            ),
            ActionSpec(
                "view.larger",
                "&Larger text",
                "view",
                lambda: self.font_step(1),
                QKeySequence.StandardKey.ZoomIn,
                section=1,
                hidden_shortcuts=("Ctrl+=",),
            ),
            ActionSpec(
                "view.smaller",
                "&Smaller text",
                "view",
                lambda: self.font_step(-1),
                QKeySequence.StandardKey.ZoomOut,
                section=1,
                order=1,
            ),
        ]

    @property
    def reading_one(self) -> bool:
        """True when the reader (not another view) is shown."""
        return self.stack.currentWidget() is self.reader

    def _current_changed(self, release_id: int) -> None:
        if self.reading_one:
            self.show_release(release_id)

    def show_release(self, release_id: int) -> None:
        archive = self.ctx.archive
        if archive is None:
            return
        try:
            release = archive.get(release_id)
        except UserFacingError:
            self.reader.show_message("This release is no longer in the archive.")
            return
        terms = self.results.terms
        spans = archive.hit_spans(release, terms)
        self.reader.show_release(release, Marks(spans, searching=bool(terms)))

    def show_current(self) -> None:
        """Shows the release the results are on again (e.g. back from side by side)."""
        release_id = self.results.current_id()
        if release_id is not None:
            self.show_release(release_id)

    def active_reader(self) -> ReaderView:
        """The reader with focus in the view shown (the left one of two, unless the right
        one has focus)."""
        page = self.stack.currentWidget()
        sides = getattr(page, "sides", None)
        if sides:
            right = sides[-1]
            return right if right.browser.hasFocus() else sides[0]
        return self.reader

    def next_hit(self) -> None:
        self.active_reader().next_hit()

    def previous_hit(self) -> None:
        self.active_reader().previous_hit()

    def set_font_size(self, size: int) -> None:
        self.reader.set_font_size(size)
        self.font_size_changed.emit(self.reader.font_size)

    def font_step(self, step: int) -> None:
        self.set_font_size(self.reader.font_size + step)

    def on_closed(self) -> None:
        self.reader.show_message("No archive is open.")

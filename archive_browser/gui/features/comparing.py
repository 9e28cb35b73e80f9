"""Reading two releases side by side, with their hits and differences marked."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QSplitter

from archive_browser.core.diffsummary import kind_label, summarize
from archive_browser.gui.actions import ActionSpec
from archive_browser.gui.compare import CompareView
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.features.reading import ReadingFeature
from archive_browser.gui.features.searching import ResultsFeature

#: The share of the results' and reader's width two texts take while side by side.
COMPARE_SHARE = 0.72


class CompareFeature(Feature):
    """Ctrl+D shows the two selected releases side by side; "Compare with…" shows the next
    release selected beside one; Esc goes back to one reader. While side by side the view
    takes room from the results (the window's `splitter`: side panel, results, reading)."""

    def __init__(
        self,
        ctx: WindowContext,
        results: ResultsFeature,
        reading: ReadingFeature,
        splitter: QSplitter,
    ) -> None:
        super().__init__(ctx)
        self.results = results
        self.reading = reading
        self.splitter = splitter
        self.view = CompareView()
        self.view.closed.connect(self.close)
        self.view.replace_requested.connect(self.replace_side)
        reading.stack.addWidget(self.view)
        # What changed, in one line, above the two texts (core.diffsummary).
        self.summary = QLabel("")
        self.summary.setContentsMargins(6, 2, 6, 2)
        self.view.layout().insertWidget(1, self.summary)
        self.view.pair_shown.connect(self._show_summary)
        reading.font_size_changed.connect(self._set_font_size)
        # Before the reader shows it: a release picked to compare is not read alone.
        results.current_changed.connect(self._current_changed)
        results.add_menu_items(self._menu_items)
        self._pick: int | None = None
        self._sizes_before: list[int] = []

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "view.compare", "Read side by si&de", "view", self.compare_selected, "Ctrl+D"
            ),
            ActionSpec(
                "view.close_compare",
                "Close side by side",
                "view",
                self.close,
                order=1,
                hidden_shortcuts=("Esc",),
            ),
        ]

    def _menu_items(self, ids: list[int]) -> list[MenuItem]:
        if len(ids) == 2:
            return [("Read these two side by side", self.compare_selected)]
        if len(ids) == 1:
            return [("Compare with…", lambda: self.start_pick(ids[0]))]
        return []

    @property
    def showing(self) -> bool:
        return self.reading.stack.currentWidget() is self.view

    @property
    def picking(self) -> int | None:
        """The release waiting for another to be shown beside it, if any."""
        return self._pick

    def start_pick(self, left_id: int) -> None:
        """Remembers a release; the next one selected is shown beside it."""
        self._pick = left_id
        self.ctx.show_status("Select the release to read beside it (Esc to stop).")

    def _current_changed(self, release_id: int) -> None:
        if self._pick is not None and release_id != self._pick:
            left, self._pick = self._pick, None
            self.ctx.status.clearMessage()
            self.open(left, release_id)

    def compare_selected(self) -> None:
        ids = self.results.selected_ids()
        if len(ids) != 2:
            self.ctx.errors.show_message("Select two releases to read them side by side.")
            return
        self.open(ids[0], ids[1])

    def open(self, left_id: int, right_id: int) -> None:
        archive = self.ctx.archive
        if archive is None:
            return
        left, right = archive.get(left_id), archive.get(right_id)
        terms = self.results.terms
        self.view.set_pair(
            left, right, archive.hit_spans(left, terms), archive.hit_spans(right, terms)
        )
        if not self.showing:
            # Two texts need room: take it from the results while they are side by side.
            self._sizes_before = self.splitter.sizes()
            side, results, reading = self._sizes_before
            total = results + reading
            wanted = max(reading, int(total * COMPARE_SHARE))
            # The results stay readable beside the two texts (dates whole, titles begun).
            wanted = max(reading, min(wanted, total - self.results.readable_width()))
            self.splitter.setSizes([side, total - wanted, wanted])
        self.reading.stack.setCurrentWidget(self.view)

    def close(self) -> None:
        self._pick = None
        self.ctx.status.clearMessage()
        if self.showing:
            self.reading.stack.setCurrentWidget(self.reading.reader)
            if self._sizes_before:
                self.splitter.setSizes(self._sizes_before)
            self.reading.show_current()

    def replace_side(self, side: int) -> None:
        release_id = self.results.current_id()
        archive = self.ctx.archive
        if release_id is None or archive is None:
            return
        release = archive.get(release_id)
        self.view.replace(side, release, archive.hit_spans(release, self.results.terms))

    def _show_summary(self) -> None:
        left, right = self.view.releases
        if left is not None and right is not None:
            change = summarize(left.body, right.body)
            self.summary.setText(f"{kind_label(change.kind).capitalize()}: {change.summary}")

    def _set_font_size(self, size: int) -> None:
        for side in self.view.sides:
            side.set_font_size(size)

    def on_closed(self) -> None:
        self.close()

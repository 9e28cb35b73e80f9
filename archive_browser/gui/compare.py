"""Reading two releases side by side: synchronised scrolling (can be switched off), each side
with its own hit highlighting, and an optional word-level difference view."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QLabel,
    QSizePolicy,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.diff import WordDiff, word_diff
from archive_browser.core.model import Release
from archive_browser.gui.reader import ONLY_LEFT_COLOR, ONLY_RIGHT_COLOR, Marks, ReaderView

LEFT, RIGHT = 0, 1


class CompareView(QWidget):
    """Two readers next to each other."""

    closed = Signal()
    replace_requested = Signal(int)  # LEFT or RIGHT: put the selected release there
    pair_shown = Signal()  # the two releases were shown (anew, swapped or replaced)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sides = (ReaderView(), ReaderView())
        self._hits: list[dict[str, list[tuple[int, int]]]] = [{}, {}]
        self.diff: WordDiff | None = None
        self._syncing = False

        self.sync = QCheckBox("Scroll together")
        self.sync.setChecked(True)
        self.show_diff = QCheckBox("Show differences")
        self.show_diff.setToolTip(
            "Mark the words one release has that the other lacks (red: only left, green: only "
            "right)"
        )
        self.similarity = QLabel("")
        self.show_diff.toggled.connect(self._refresh)
        bar = QToolBar()
        bar.setIconSize(bar.iconSize() / 2)
        bar.addWidget(self.sync)
        bar.addWidget(self.show_diff)
        bar.addWidget(self.similarity)
        spacer = QWidget()
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        bar.addWidget(spacer)
        bar.addAction("Swap sides", self.swap)
        bar.addAction("Replace left", lambda: self.replace_requested.emit(LEFT)).setToolTip(
            "Show the release selected in the results on the left"
        )
        bar.addAction("Replace right", lambda: self.replace_requested.emit(RIGHT)).setToolTip(
            "Show the release selected in the results on the right"
        )
        bar.addAction("Close", self.closed.emit).setToolTip("Back to reading one release (Esc)")

        splitter = QSplitter(Qt.Orientation.Horizontal)
        for side in self.sides:
            splitter.addWidget(side)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(bar)
        layout.addWidget(splitter, 1)

        for i, side in enumerate(self.sides):
            bar_ = side.browser.verticalScrollBar()
            bar_.valueChanged.connect(lambda _v, i=i: self._follow(i))

    @property
    def releases(self) -> tuple[Release | None, Release | None]:
        return self.sides[LEFT].release, self.sides[RIGHT].release

    def set_pair(
        self,
        left: Release,
        right: Release,
        left_hits: dict[str, list[tuple[int, int]]],
        right_hits: dict[str, list[tuple[int, int]]],
    ) -> None:
        """Shows two releases, each with the hits of the current query."""
        self._hits = [left_hits, right_hits]
        self.sides[LEFT].release = left
        self.sides[RIGHT].release = right
        self.diff = None
        self._refresh()

    def replace(self, side: int, release: Release, hits: dict[str, list[tuple[int, int]]]) -> None:
        left, right = self.releases
        pair = [left, right]
        pair[side] = release
        self._hits[side] = hits
        if pair[LEFT] is not None and pair[RIGHT] is not None:
            self.set_pair(pair[LEFT], pair[RIGHT], self._hits[LEFT], self._hits[RIGHT])

    def swap(self) -> None:
        left, right = self.releases
        if left is not None and right is not None:
            self.set_pair(right, left, self._hits[RIGHT], self._hits[LEFT])

    def _refresh(self) -> None:
        left, right = self.releases
        if left is None or right is None:
            return
        differences: tuple[list[tuple[int, int]] | None, list[tuple[int, int]] | None] = (
            None,
            None,
        )
        if self.show_diff.isChecked():
            if self.diff is None:
                self.diff = word_diff(left.body, right.body)
            differences = (self.diff.only_left, self.diff.only_right)
            self.similarity.setText(f"{self.diff.similarity:.0%} of words in common")
        else:
            self.similarity.setText("")
        searching = any(any(spans) for hits in self._hits for spans in hits.values())
        self.sides[LEFT].show_release(
            left, Marks(self._hits[LEFT], differences[LEFT], ONLY_LEFT_COLOR, searching)
        )
        self.sides[RIGHT].show_release(
            right, Marks(self._hits[RIGHT], differences[RIGHT], ONLY_RIGHT_COLOR, searching)
        )
        self.pair_shown.emit()

    def _follow(self, source: int) -> None:
        """Keeps the other side at the same relative position when scrolling together."""
        if self._syncing or not self.sync.isChecked():
            return
        src = self.sides[source].browser.verticalScrollBar()
        dst = self.sides[1 - source].browser.verticalScrollBar()
        fraction = src.value() / src.maximum() if src.maximum() else 0.0
        self._syncing = True
        try:
            dst.setValue(round(fraction * dst.maximum()))
        finally:
            self._syncing = False

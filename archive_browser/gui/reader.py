"""Reading one release: title, metadata, tags and body, with the query's hits highlighted and
next/previous hit navigation. The text is inserted as plain text, never as HTML, so a release
cannot run script or fetch anything."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QTextBrowser,
    QTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.model import Release

Span = tuple[int, int]
HIT_COLOR = QColor("#ffe066")
CURRENT_HIT_COLOR = QColor("#ff9f1c")
ONLY_LEFT_COLOR = "#ffc9c9"
ONLY_RIGHT_COLOR = "#b2f2bb"
DEFAULT_FONT_SIZE = 11
MIN_FONT_SIZE, MAX_FONT_SIZE = 7, 32


@dataclass(frozen=True, slots=True)
class Marks:
    """What to highlight in a release: hits of the query in its title, summary and body, and
    words that differ from another release (body only)."""

    hits: dict[str, list[Span]]
    differences: list[Span] | None = None
    difference_color: str = ONLY_LEFT_COLOR
    searching: bool = True  # False when there is no query, so "no hits" is not said


class ReaderView(QWidget):
    """Shows one release with its hits; F3/Shift+F3 (bound by the window) move between them."""

    hit_changed = Signal(int, int)  # current hit (1-based, 0 for none), number of hits
    rendered = Signal()  # a release was laid out anew (its body starts at `body_offset`)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.release: Release | None = None
        self._marks = Marks({})
        self._hits: list[Span] = []  # document positions
        self._current = -1
        self.font_size = DEFAULT_FONT_SIZE
        self.body_offset = 0

        self.prev_button = QToolButton(text="◀", toolTip="Previous hit (Shift+F3)")
        self.next_button = QToolButton(text="▶", toolTip="Next hit (F3)")
        self.counter = QLabel("")
        self.counter.setMinimumWidth(70)
        self.counter.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.smaller = QToolButton(text="A−", toolTip="Smaller text (Ctrl+-)")
        self.larger = QToolButton(text="A+", toolTip="Larger text (Ctrl++)")
        self.prev_button.clicked.connect(self.previous_hit)
        self.next_button.clicked.connect(self.next_hit)
        self.smaller.clicked.connect(lambda: self.set_font_size(self.font_size - 1))
        self.larger.clicked.connect(lambda: self.set_font_size(self.font_size + 1))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addStretch(1)
        for w in (self.prev_button, self.counter, self.next_button, self.smaller, self.larger):
            bar.addWidget(w)

        self.browser = QTextBrowser()
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setUndoRedoEnabled(False)
        self.browser.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.browser.document().setDocumentMargin(14)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.browser, 1)
        self.show_message("Select a release to read it.")

    # --- contents

    def show_message(self, text: str) -> None:
        self.release = None
        self._hits = []
        self._current = -1
        self.browser.setPlainText(text)
        self._update_counter()

    def show_release(self, release: Release, marks: Marks | None = None) -> None:
        """Shows a release with its marks; the view returns to the top."""
        self.release = release
        self._marks = marks or Marks({})
        self._render()
        self.browser.verticalScrollBar().setValue(0)

    def _render(self) -> None:
        release = self.release
        if release is None:
            return
        doc = self.browser.document()
        doc.clear()
        base = QFont(self.browser.font())
        base.setPointSize(self.font_size)
        doc.setDefaultFont(base)
        cursor = QTextCursor(doc)

        title_format = QTextCharFormat()
        title_format.setFontPointSize(self.font_size * 1.45)
        title_format.setFontWeight(QFont.Weight.Bold)
        offsets: dict[str, int] = {"title": cursor.position()}
        cursor.insertText(release.title, title_format)

        meta_format = QTextCharFormat()
        meta_format.setForeground(QColor("#5c6370"))
        meta = " · ".join(
            filter(
                None,
                [
                    release.date or "date unknown",
                    release.source,
                    release.place,
                    release.kind,
                    release.language,
                    f"#{release.id}",
                ],
            )
        )
        cursor.insertBlock()
        cursor.insertText(meta, meta_format)
        if release.url:
            cursor.insertBlock()
            cursor.insertText(release.url, meta_format)
        if release.tags:
            cursor.insertBlock()
            tag_format = QTextCharFormat(meta_format)
            tag_format.setForeground(QColor("#1c6ea4"))
            cursor.insertText("Tags: " + ", ".join(release.tags), tag_format)
        plain = QTextCharFormat()
        if release.summary:
            cursor.insertBlock()
            cursor.insertBlock()
            summary_format = QTextCharFormat()
            summary_format.setFontItalic(True)
            offsets["summary"] = cursor.position()
            cursor.insertText(release.summary, summary_format)
        cursor.insertBlock()
        cursor.insertBlock()
        offsets["body"] = cursor.position()
        cursor.insertText(release.body, plain)
        if release.notes:
            cursor.insertBlock()
            cursor.insertBlock()
            cursor.insertText("Notes: " + release.notes, meta_format)

        if self._marks.differences:
            color = QColor(self._marks.difference_color)
            self._paint(offsets["body"], self._marks.differences, color)
        self._hits = []
        for name in ("title", "summary", "body"):
            spans = self._marks.hits.get(name, [])
            if name in offsets and spans:
                self._paint(offsets[name], spans, HIT_COLOR)
                self._hits += [(offsets[name] + s, offsets[name] + e) for s, e in spans]
        self._current = -1
        self.browser.setExtraSelections([])
        self._update_counter()
        self.body_offset = offsets["body"]
        self.rendered.emit()

    def _paint(self, offset: int, spans: list[Span], color: QColor) -> None:
        fmt = QTextCharFormat()
        fmt.setBackground(color)
        cursor = QTextCursor(self.browser.document())
        for s, e in spans:
            cursor.setPosition(offset + s)
            cursor.setPosition(offset + e, QTextCursor.MoveMode.KeepAnchor)
            cursor.mergeCharFormat(fmt)

    # --- hits

    @property
    def hit_positions(self) -> list[tuple[int, int]]:
        """Where each hit is in the document, in order (start, end)."""
        return [(start, end) for start, end in self._hits]

    @property
    def hit_count(self) -> int:
        return len(self._hits)

    @property
    def current_hit(self) -> int:
        """The current hit, 1-based; 0 before the first move."""
        return self._current + 1

    def next_hit(self) -> None:
        if self._hits:
            self._go((self._current + 1) % len(self._hits))

    def previous_hit(self) -> None:
        if self._hits:
            self._go((self._current - 1) % len(self._hits))

    def _go(self, i: int) -> None:
        self._current = i
        start, end = self._hits[i]
        cursor = QTextCursor(self.browser.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(CURRENT_HIT_COLOR)
        selection.format = fmt
        self.browser.setExtraSelections([selection])
        plain = QTextCursor(cursor)
        plain.clearSelection()
        self.browser.setTextCursor(plain)
        self.browser.ensureCursorVisible()
        self._update_counter()

    def _update_counter(self) -> None:
        n = len(self._hits)
        searching = self._marks.searching and self.release is not None
        self.counter.setText(f"{self.current_hit} of {n}" if n else "no hits" if searching else "")
        self.prev_button.setEnabled(n > 0)
        self.next_button.setEnabled(n > 0)
        self.hit_changed.emit(self.current_hit, n)

    # --- text size

    def set_font_size(self, size: int) -> None:
        size = max(MIN_FONT_SIZE, min(MAX_FONT_SIZE, size))
        if size == self.font_size:
            return
        self.font_size = size
        if self.release is not None:
            position = self.browser.verticalScrollBar().value()
            current = self._current
            self._render()
            if 0 <= current < len(self._hits):
                self._go(current)
            else:
                self.browser.verticalScrollBar().setValue(position)
        else:
            font = QFont(self.browser.font())
            font.setPointSize(size)
            self.browser.document().setDefaultFont(font)

    def selected_text(self) -> str:
        return self.browser.textCursor().selectedText().replace("\u2029", "\n")

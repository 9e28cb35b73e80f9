"""The search box: the query language with a help popover, search as you type, the sort
order, filter chips from facets, and a clear message for a query that cannot be understood."""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.query_help import EXAMPLES, FIELDS_NOTE
from archive_browser.core.search import SORT_LABELS, SORTS, Filter, SearchSpec

DEBOUNCE_MS = 150


class HelpPopover(QFrame):
    """Examples of the query language; clicking one puts it in the search box."""

    example_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        title = QLabel("<b>Search examples</b> — click one to try it")
        layout.addWidget(title)
        for query, meaning in EXAMPLES:
            row = QHBoxLayout()
            button = QPushButton(query)
            button.setFlat(True)
            button.setStyleSheet("text-align: left; font-family: monospace;")
            button.clicked.connect(lambda _=False, q=query: self._choose(q))
            row.addWidget(button)
            label = QLabel(html.escape(meaning))
            label.setStyleSheet("color: palette(placeholder-text);")
            row.addWidget(label, 1)
            layout.addLayout(row)
        more = QLabel(FIELDS_NOTE)
        more.setWordWrap(True)
        layout.addWidget(more)

    def _choose(self, query: str) -> None:
        self.hide()
        self.example_chosen.emit(query)


class FilterChip(QToolButton):
    """A filter picked from a facet; clicking it removes it."""

    def __init__(self, f: Filter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter = f
        self.setText(f"{f.label}  ✕")
        self.setToolTip("Remove this filter")
        self.setAutoRaise(False)


class SearchBar(QWidget):
    """Emits `spec_changed` a moment after typing stops, at once on Enter or a new sort."""

    spec_changed = Signal(object)  # SearchSpec
    save_requested = Signal()
    results_requested = Signal()  # Down in the box: go to the results

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(
            'Search: words, "phrases", tag:…, date:[2013 to 2014] — press ? for examples'
        )
        self.edit.setClearButtonEnabled(True)
        self.help_button = QToolButton(text="?", toolTip="Query language examples")
        self.sort = QComboBox()
        for key in SORTS:
            self.sort.addItem(SORT_LABELS[key], key)
        self.sort.setToolTip("Order of the results")
        self.save_button = QPushButton("Save search")
        self.save_button.setToolTip("Save this query with its filters and order (Ctrl+S)")
        self.count = QLabel("")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setMinimumWidth(120)
        self.error = QLabel("")
        self.error.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the query
        self.error.setStyleSheet("color: #c92a2a;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.chips = QHBoxLayout()
        self.chips.setContentsMargins(0, 0, 0, 0)
        self.chips.addStretch(1)
        self.chip_row = QWidget()
        self.chip_row.setLayout(self.chips)
        self.chip_row.hide()

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.help_button)
        row.addWidget(self.sort)
        row.addWidget(self.save_button)
        row.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(row)
        layout.addWidget(self.chip_row)
        layout.addWidget(self.error)

        self.popover = HelpPopover(self)
        self.popover.example_chosen.connect(self._use_example)
        self.help_button.clicked.connect(self.show_help)
        self.timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self.timer.timeout.connect(self._emit)
        self.edit.textEdited.connect(lambda _t: self.timer.start())
        self.edit.returnPressed.connect(self._emit)
        self.sort.currentIndexChanged.connect(lambda _i: self._emit())
        self.save_button.clicked.connect(self.save_requested.emit)
        self.edit.installEventFilter(self)
        self._filters: tuple[Filter, ...] = ()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.edit
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
        ):
            self.results_requested.emit()
            return True
        return super().eventFilter(watched, event)

    # --- the spec

    def spec(self) -> SearchSpec:
        return SearchSpec(self.edit.text().strip(), self._filters, self.sort.currentData())

    def set_spec(self, spec: SearchSpec, *, emit: bool = True) -> None:
        self.edit.setText(spec.query)
        self.sort.blockSignals(True)
        self.sort.setCurrentIndex(max(0, self.sort.findData(spec.sort)))
        self.sort.blockSignals(False)
        self._set_filters(spec.filters)
        if emit:
            self._emit()

    def add_filter(self, f: Filter) -> None:
        if f not in self._filters:
            self._set_filters((*self._filters, f))
            self._emit()

    def remove_filter(self, f: Filter) -> None:
        self._set_filters(tuple(x for x in self._filters if x != f))
        self._emit()

    def filters(self) -> tuple[Filter, ...]:
        return self._filters

    def _set_filters(self, filters: tuple[Filter, ...]) -> None:
        self._filters = tuple(filters)
        while self.chips.count() > 1:
            item = self.chips.takeAt(0)
            if item is not None and item.widget() is not None:
                item.widget().deleteLater()
        for f in self._filters:
            chip = FilterChip(f)
            chip.clicked.connect(lambda _=False, f=f: self.remove_filter(f))
            self.chips.insertWidget(self.chips.count() - 1, chip)
        self.chip_row.setVisible(bool(self._filters))

    def _emit(self) -> None:
        self.timer.stop()
        self.spec_changed.emit(self.spec())

    # --- feedback

    def show_error(self, message: str | None) -> None:
        """Shows why the query cannot be run (the last good results stay), or clears it."""
        self.error.setText(f"Cannot search: {message}" if message else "")
        self.error.setVisible(bool(message))
        self.edit.setStyleSheet("QLineEdit { border: 1px solid #c92a2a; }" if message else "")

    def set_count(self, text: str) -> None:
        self.count.setText(text)

    def show_help(self) -> None:
        self.popover.adjustSize()
        self.popover.move(self.edit.mapToGlobal(QPoint(0, self.edit.height())))
        self.popover.show()

    def _use_example(self, query: str) -> None:
        self.edit.setText(query)
        self.edit.setFocus()
        self._emit()

    def focus(self) -> None:
        self.edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.edit.selectAll()

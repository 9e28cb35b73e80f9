"""The side panel: facets of the current results, saved searches and the tag manager."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.search import Filter, SavedSearch
from archive_browser.gui.plain import literal

FACET_TITLES = {
    "tag": "Tags",
    "year": "Years",
    "source": "Sources",
    "language": "Languages",
    "kind": "Kinds",
}
VALUE_ROLE = Qt.ItemDataRole.UserRole + 1


class FacetPanel(QTreeWidget):
    """Counts of the current results by tag, year, source, language and kind; activating one
    narrows the search to it."""

    filter_chosen = Signal(object)  # Filter

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["Narrow by", "Results"])
        header = self.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.setRootIsDecorated(True)
        self.setUniformRowHeights(True)
        self.itemActivated.connect(self._activated)
        self.itemClicked.connect(self._activated)
        self._expanded = {"tag", "year", "source", "language"}

    def set_facets(self, facets: dict[str, list[tuple[str, int]]]) -> None:
        for i in range(self.topLevelItemCount()):
            item = self.topLevelItem(i)
            key = item.data(0, VALUE_ROLE)
            if item.isExpanded():
                self._expanded.add(key)
            else:
                self._expanded.discard(key)
        self.clear()
        for key, title in FACET_TITLES.items():
            values = facets.get(key, [])
            group = QTreeWidgetItem(self, [title, ""])
            group.setData(0, VALUE_ROLE, key)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for value, count in values:
                child = QTreeWidgetItem(group, [value, f"{count:,}"])
                child.setData(0, VALUE_ROLE, Filter(key, value))
                child.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            group.setExpanded(key in self._expanded and bool(values))

    def items(self, key: str) -> dict[str, int]:
        """The values shown for one facet, with their counts (for tests and tooltips)."""
        for i in range(self.topLevelItemCount()):
            group = self.topLevelItem(i)
            if group.data(0, VALUE_ROLE) == key:
                return {
                    group.child(j).text(0): int(group.child(j).text(1).replace(",", ""))
                    for j in range(group.childCount())
                }
        return {}

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        value = item.data(0, VALUE_ROLE)
        if isinstance(value, Filter):
            self.filter_chosen.emit(value)


class SavedSearchPanel(QWidget):
    """Saved searches with their current counts; drag to reorder, context menu to rename or
    delete."""

    chosen = Signal(object)  # SavedSearch
    rename_requested = Signal(object)
    delete_requested = Signal(object)
    reordered = Signal(list)  # ids in the new order

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = QListWidget()
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemActivated.connect(self._chosen)
        self.list.itemClicked.connect(self._chosen)
        self.list.model().rowsMoved.connect(self._moved)
        self.empty = QLabel("No saved searches yet: search, then Save search (Ctrl+S).")
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 4px;")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Saved searches</b>"))
        layout.addWidget(self.empty)
        layout.addWidget(self.list, 1)
        self._searches: dict[int, SavedSearch] = {}

    def set_searches(self, searches: list[SavedSearch], counts: dict[int, int]) -> None:
        current = self.current_id()
        self.list.clear()
        self._searches = {s.id: s for s in searches}
        for s in searches:
            count = counts.get(s.id)
            label = f"{s.name}  ({count:,})" if count is not None else s.name
            item = QListWidgetItem(label)
            item.setData(VALUE_ROLE, s.id)
            item.setToolTip(literal(_describe(s)))
            self.list.addItem(item)
            if s.id == current:
                self.list.setCurrentItem(item)
        self.empty.setVisible(not searches)

    def ids(self) -> list[int]:
        return [self.list.item(i).data(VALUE_ROLE) for i in range(self.list.count())]

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(VALUE_ROLE) if item is not None else None

    def search(self, search_id: int) -> SavedSearch:
        return self._searches[search_id]

    def _chosen(self, item: QListWidgetItem) -> None:
        self.chosen.emit(self._searches[item.data(VALUE_ROLE)])

    def _moved(self, *_: object) -> None:
        self.reordered.emit(self.ids())

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        search = self._searches[item.data(VALUE_ROLE)]
        menu = QMenu(self)
        menu.addAction("Run", lambda: self.chosen.emit(search))
        menu.addAction("Rename…", lambda: self.rename_requested.emit(search))
        menu.addAction("Delete…", lambda: self.delete_requested.emit(search))
        menu.exec(self.list.viewport().mapToGlobal(pos))


def _describe(search: SavedSearch) -> str:
    spec = search.spec
    parts = [f"Query: {spec.query or '(everything)'}"]
    parts += [f"Filter {f.label}" for f in spec.filters]
    parts.append(f"Sort: {spec.sort}")
    return "\n".join(parts)


class TagPanel(QWidget):
    """Every tag with its count; rename, merge into another, delete, and undo the last one."""

    search_requested = Signal(str)  # show the releases with this tag
    rename_requested = Signal(str)
    merge_requested = Signal(str)
    delete_requested = Signal(str)
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Tag", "Releases"])
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setRootIsDecorated(False)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        self.tree.itemActivated.connect(lambda item, _c: self.search_requested.emit(item.text(0)))
        self.rename_button = QPushButton("Rename…")
        self.merge_button = QPushButton("Merge into…")
        self.delete_button = QPushButton("Delete…")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setEnabled(False)
        self.rename_button.clicked.connect(lambda: self._emit(self.rename_requested))
        self.merge_button.clicked.connect(lambda: self._emit(self.merge_requested))
        self.delete_button.clicked.connect(lambda: self._emit(self.delete_requested))
        self.undo_button.clicked.connect(self.undo_requested.emit)
        buttons = QGridLayout()
        buttons.addWidget(self.rename_button, 0, 0)
        buttons.addWidget(self.merge_button, 0, 1)
        buttons.addWidget(self.delete_button, 1, 0)
        buttons.addWidget(self.undo_button, 1, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.tree.currentItemChanged.connect(lambda *_: self._enable())
        self._enable()

    def set_tags(self, counts: list[tuple[str, int]]) -> None:
        current = self.current_tag()
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        for name, count in counts:
            item = _CountItem([name, f"{count:,}"])
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight)
            self.tree.addTopLevelItem(item)
            if name == current:
                self.tree.setCurrentItem(item)
        self.tree.setSortingEnabled(True)
        self._enable()

    def tags(self) -> dict[str, int]:
        return {
            self.tree.topLevelItem(i).text(0): int(
                self.tree.topLevelItem(i).text(1).replace(",", "")
            )
            for i in range(self.tree.topLevelItemCount())
        }

    def current_tag(self) -> str | None:
        item = self.tree.currentItem()
        return item.text(0) if item is not None else None

    def select(self, name: str) -> None:
        for i in range(self.tree.topLevelItemCount()):
            if self.tree.topLevelItem(i).text(0) == name:
                self.tree.setCurrentItem(self.tree.topLevelItem(i))

    def set_undo(self, description: str | None) -> None:
        self.undo_button.setEnabled(description is not None)
        self.undo_button.setToolTip(literal(f"Undo: {description}") if description else "")

    def _enable(self) -> None:
        has = self.current_tag() is not None
        for b in (self.rename_button, self.merge_button, self.delete_button):
            b.setEnabled(has)

    def _emit(self, signal: Signal) -> None:  # type: ignore[type-arg]
        tag = self.current_tag()
        if tag is not None:
            signal.emit(tag)

    def _menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        name = item.text(0)
        menu = QMenu(self)
        menu.addAction("Show releases", lambda: self.search_requested.emit(name))
        menu.addAction("Rename…", lambda: self.rename_requested.emit(name))
        menu.addAction("Merge into…", lambda: self.merge_requested.emit(name))
        menu.addAction("Delete…", lambda: self.delete_requested.emit(name))
        menu.exec(self.tree.viewport().mapToGlobal(pos))


class _CountItem(QTreeWidgetItem):
    """Sorts the count column as numbers and the tag column without case."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        column = self.treeWidget().sortColumn() if self.treeWidget() else 0
        if column == 1:
            return int(self.text(1).replace(",", "")) < int(other.text(1).replace(",", ""))
        return self.text(0).casefold() < other.text(0).casefold()

"""The results table: a model over the ids of matching releases that fetches rows lazily.

The model holds only ids (and scores) in result order, so 100,000 results cost little; the
title, date, source and tags of a row are read from the archive in blocks when the view first
asks for them. Snippets need the whole text and take longer, so they are asked of
`snippet_source` (a worker, in the window) and filled in when they arrive.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any
from urllib.parse import urlsplit

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from archive_browser.core.archive import Archive
from archive_browser.core.index import HighlightTerms
from archive_browser.gui.plain import literal

BLOCK = 64
SNIPPET_WIDTH = 200
Index = QModelIndex | QPersistentModelIndex
HIT_OPEN, HIT_CLOSE = '<span style="background-color:#ffe066;">', "</span>"
#: Asked for the snippets (as HTML) of some ids; calls back with them, maybe later.
#: Its last argument tells whether they are still wanted when the work starts.
SnippetSource = Callable[
    [list[int], HighlightTerms, Callable[[dict[int, str]], None], Callable[[], bool]], None
]


class Column(IntEnum):
    TITLE = 0
    DATE = 1
    SOURCE = 2
    LANGUAGE = 3
    TAGS = 4
    SCORE = 5
    VERSIONS = 6


HEADERS = {
    Column.TITLE: "Title",
    Column.DATE: "Date",
    Column.SOURCE: "Source",
    Column.LANGUAGE: "Lang",
    Column.TAGS: "Tags",
    Column.SCORE: "Score",
    Column.VERSIONS: "Versions",
}


_HOST = re.compile(r"(?i)[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?(/.*)?")


def readable_source(source: str) -> str:
    """A source as people name it: a site's host without "www." (from a URL or a bare host,
    "www.president.gov.ua" -> "president.gov.ua"); anything else as it is stored."""
    text = source.strip()
    if "://" in text:
        host = urlsplit(text).hostname or text
    elif _HOST.fullmatch(text) and " " not in text:
        host = text.split("/", 1)[0].split(":", 1)[0]
    else:
        return text
    host = host.lower()
    return host[4:] if host.startswith("www.") and host.count(".") > 1 else host


class Role(IntEnum):
    """Custom data roles of the results model."""

    RELEASE_ID = Qt.ItemDataRole.UserRole + 1
    SNIPPET_HTML = Qt.ItemDataRole.UserRole + 2


@dataclass(slots=True)
class Row:
    title: str
    date: str
    source: str
    language: str
    tags: str
    snippet_html: str | None  # None until it arrives
    versions: int = 1  # how many versions of the release there are (itself included)


class ResultsModel(QAbstractTableModel):
    """Releases matching the current search, in order."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.archive: Archive | None = None
        self._ids: list[int] = []
        self._scores: list[float] = []
        self._terms = HighlightTerms()
        self._rows: dict[int, Row] = {}
        self._positions: dict[int, int] | None = None
        self._generation = 0
        self.snippet_source: SnippetSource | None = None

    # --- contents

    def set_results(
        self, archive: Archive | None, ids: list[int], scores: list[float], terms: HighlightTerms
    ) -> None:
        self.beginResetModel()
        self.archive = archive
        self._ids = list(ids)
        self._scores = list(scores) if len(scores) == len(ids) else []
        self._terms = terms
        self._rows.clear()
        self._positions = None
        self._generation += 1
        self.endResetModel()

    def ids(self) -> list[int]:
        return list(self._ids)

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, release_id: int) -> int | None:
        if self._positions is None:
            self._positions = {i: row for row, i in enumerate(self._ids)}
        return self._positions.get(release_id)

    def forget(self, ids: list[int] | None = None) -> None:
        """Drops cached rows (all, or these ids) so they are read again, e.g. after tagging."""
        if ids is None:
            self._rows.clear()
        else:
            for release_id in ids:
                self._rows.pop(release_id, None)
        if self._ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._ids) - 1, len(Column) - 1))

    def _row(self, row: int) -> Row | None:
        release_id = self._ids[row]
        cached = self._rows.get(release_id)
        if cached is not None or self.archive is None:
            return cached
        start = max(0, row - BLOCK // 4)
        block = [i for i in self._ids[start : start + BLOCK] if i not in self._rows]
        data = self.archive.rows(block, ("title", "date", "source", "language"))
        tags = self.archive.tags_of(block)
        sizes = self.archive.cluster_sizes(block)
        for i in block:
            if i in data:
                title, date, source, language = data[i]
                tag_text = ", ".join(tags.get(i, []))
                row_data = Row(title, date or "", source, language, tag_text, None, sizes[i])
                self._rows[i] = row_data
        self._ask_snippets([i for i in block if i in data])
        return self._rows.get(release_id)

    def _ask_snippets(self, ids: list[int]) -> None:
        if not ids or self.archive is None:
            return
        generation = self._generation

        def arrived(snippets: dict[int, str]) -> None:
            if generation == self._generation:
                self._set_snippets(snippets)

        if self.snippet_source is not None:
            self.snippet_source(ids, self._terms, arrived, lambda: generation == self._generation)
        else:
            snippets = self.archive.snippets(ids, self._terms, SNIPPET_WIDTH)
            for i, snippet in snippets.items():
                self._rows[i].snippet_html = snippet.html(HIT_OPEN, HIT_CLOSE)

    def _set_snippets(self, snippets: dict[int, str]) -> None:
        rows = []
        for release_id, html in snippets.items():
            cached = self._rows.get(release_id)
            if cached is not None:
                cached.snippet_html = html
                row = self.row_of(release_id)
                if row is not None:
                    rows.append(row)
        if rows:
            self.dataChanged.emit(
                self.index(min(rows), Column.TITLE),
                self.index(max(rows), Column.TITLE),
                [Role.SNIPPET_HTML],
            )

    # --- Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS.get(Column(section)) if 0 <= section < len(Column) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The view asks every cell for a dozen roles on every repaint: the ones without an
        # answer return before anything else is looked at.
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row_number = index.row()
        if not 0 <= row_number < len(self._ids):
            return None
        if role == _RELEASE_ID:
            return self._ids[row_number]
        column = index.column()
        if role == _ALIGNMENT:
            return _RIGHT if column == Column.SCORE else None
        row = self._row(row_number)
        if row is None:
            return None
        if role == _SNIPPET:
            return (row.snippet_html or "") if column == Column.TITLE else None
        if column == Column.SCORE:
            return f"{self._scores[row_number]:.2f}" if self._scores else ""
        if role == _TOOLTIP:
            return literal(_text(row, Column(column), tooltip=True))
        return _text(row, Column(column))


_RELEASE_ID, _SNIPPET = int(Role.RELEASE_ID), int(Role.SNIPPET_HTML)
_TOOLTIP, _ALIGNMENT = int(Qt.ItemDataRole.ToolTipRole), int(Qt.ItemDataRole.TextAlignmentRole)
_ANSWERED_ROLES = frozenset(
    {int(Qt.ItemDataRole.DisplayRole), _TOOLTIP, _SNIPPET, _RELEASE_ID, _ALIGNMENT}
)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


def _text(row: Row, column: Column, *, tooltip: bool = False) -> str:
    """What a cell shows (its tooltip: the source as stored)."""
    if column == Column.TITLE:
        return row.title
    if column == Column.DATE:
        return row.date
    if column == Column.SOURCE:
        return row.source if tooltip else readable_source(row.source)
    if column == Column.LANGUAGE:
        return row.language
    if column == Column.TAGS:
        return row.tags
    if column == Column.VERSIONS:
        return f"{row.versions} versions" if row.versions > 1 else ""
    return ""

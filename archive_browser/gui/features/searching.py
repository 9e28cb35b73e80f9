"""Search and results: the search bar, the facets, and the results table over ids."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QMenu, QTableView

from archive_browser.core import search_process
from archive_browser.core.archive import Archive
from archive_browser.core.changes import Changes
from archive_browser.core.errors import IndexDamagedError, UserFacingError
from archive_browser.core.index import HighlightTerms
from archive_browser.core.search import SearchSpec
from archive_browser.core.search_process import Answer, SearchProcess, search_answer, snippet_html
from archive_browser.gui.actions import ActionSpec
from archive_browser.gui.context import WindowContext
from archive_browser.gui.delegates import SnippetDelegate, row_height
from archive_browser.gui.empty_state import EmptyState
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.operations import read_op
from archive_browser.gui.panels import FacetPanel
from archive_browser.gui.results_model import (
    HIT_CLOSE,
    HIT_OPEN,
    SNIPPET_WIDTH,
    Column,
    ResultsModel,
)
from archive_browser.gui.search_bar import SearchBar

#: The columns the header's context menu can hide and show (the title always shows).
OPTIONAL_COLUMNS = (
    Column.DATE,
    Column.SOURCE,
    Column.LANGUAGE,
    Column.TAGS,
    Column.SCORE,
    Column.VERSIONS,
)
#: The least width of the title column beside the others, in the compare view too.
MIN_TITLE_WIDTH = 180

COLUMN_WIDTHS = {
    Column.DATE: 84,
    Column.SOURCE: 120,
    Column.LANGUAGE: 40,
    Column.TAGS: 90,
    Column.SCORE: 48,
    Column.VERSIONS: 76,
}


NOT_SEARCHABLE_YET = (
    "An import is running: the releases it stored are listed, but the newest ones are not "
    "searchable yet. A text query finds them once they are indexed."
)


class ResultsFeature(Feature):
    """Runs searches as the user types (stale answers are dropped), shows the results, their
    facets and count, and knows the selection."""

    search_finished = Signal()  # the results, facets and count on screen are up to date
    current_changed = Signal(int)  # the release the user is on
    selection_changed = Signal()
    nothing_found = Signal()  # a search answered with no release
    index_damaged = Signal()  # a search met a damaged index (marked for rebuilding)

    def __init__(self, ctx: WindowContext) -> None:
        super().__init__(ctx)
        self.spec = SearchSpec()
        #: Hide later versions of a release (the Versions feature's option).
        self.first_versions = False
        self.terms = HighlightTerms()
        self._seq = 0
        self._done_seq = 0
        self._menu_items: list[Callable[[list[int]], list[MenuItem]]] = []

        self.search = SearchBar(ctx.window)
        self.search.spec_changed.connect(self.run_search)
        self.search.results_requested.connect(self.focus_results)
        self.facets = FacetPanel(ctx.window)
        self.facets.filter_chosen.connect(self.search.add_filter)
        self.model = ResultsModel(self)
        self.model.snippet_source = self._fetch_snippets
        self.table = self._make_table()
        #: Above the results: says when a text query cannot find everything listed yet.
        self.note = QLabel(NOT_SEARCHABLE_YET)
        self.note.setTextFormat(Qt.TextFormat.PlainText)
        self.note.setWordWrap(True)
        self.note.setStyleSheet("QLabel { background: #fff4cc; color: #333; padding: 4px; }")
        self.note.hide()
        self._importing = False
        self._text_query = False
        #: Instead of the table while the archive holds no release.
        self.empty = EmptyState(ctx.window)
        self.empty.hide()
        self.empty.import_files.connect(lambda: ctx.actions.get("file.import_files").trigger())
        self.empty.import_folder.connect(lambda: ctx.actions.get("file.import_folder").trigger())
        ctx.import_progress.connect(self._import_progressed)
        ctx.selected_count = self.selected_count
        self.selection_changed.connect(ctx.state_changed)
        self.search.setEnabled(False)
        ctx.archive_opened.connect(lambda: self.search.setEnabled(True))
        #: Searches of an archive this big run in a process of their own (search_process.py).
        self.process_min_releases = search_process.MIN_RELEASES
        self._process: SearchProcess | None = None
        self._process_lock = threading.Lock()
        ctx.jobs.ended.connect(self._jobs_ended)

    def _make_table(self) -> QTableView:
        table = QTableView(self.ctx.window)
        table.setModel(self.model)
        table.setItemDelegateForColumn(Column.TITLE, SnippetDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(row_height(table.font()))
        header = table.horizontalHeader()
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        for column, width in COLUMN_WIDTHS.items():
            table.setColumnWidth(column, width)
        # A date always reads whole ("2022-03-14", never "2022-0").
        date_width = table.fontMetrics().horizontalAdvance("2022-12-31") + 18
        table.setColumnWidth(Column.DATE, max(COLUMN_WIDTHS[Column.DATE], date_width))
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(
            lambda pos: self.column_menu().popup(header.mapToGlobal(pos))
        )
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.customContextMenuRequested.connect(self._context_menu)
        table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.model.modelReset.connect(self.selection_changed)
        return table

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "edit.select_all", "Select all results", "edit", self.table.selectAll, section=2
            ),
            ActionSpec(
                "search.find",
                "&Find…",
                "search",
                self.search.focus,
                QKeySequence.StandardKey.Find,
                hidden_shortcuts=("/",),
            ),
            ActionSpec("search.clear", "Clear filters", "search", self.clear_filters, order=2),
            ActionSpec(
                "search.help", "Query language…", "search", self.search.show_help, section=2
            ),
            ActionSpec("help.query", "&Query language", "help", self.search.show_help, order=1),
        ]

    def column_menu(self) -> QMenu:
        """The header's menu: which columns show (the header's state, with them, is saved
        with the window's)."""
        header = self.table.horizontalHeader()
        menu = QMenu(header)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for column in OPTIONAL_COLUMNS:
            name = str(self.model.headerData(column, Qt.Orientation.Horizontal))
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda shown, c=column: header.setSectionHidden(c, not shown))
        return menu

    def readable_width(self) -> int:
        """The width the results need to stay readable: the shown columns beside a title."""
        header = self.table.horizontalHeader()
        # (The versions badge, last, may be cut while two texts are side by side.)
        others = sum(
            header.sectionSize(c)
            for c in OPTIONAL_COLUMNS
            if not header.isSectionHidden(c) and c != Column.VERSIONS
        )
        return others + MIN_TITLE_WIDTH + self.table.verticalScrollBar().sizeHint().width()

    def add_menu_items(self, items: Callable[[list[int]], list[MenuItem]]) -> None:
        """Adds entries to the results' context menu, given the selected ids."""
        self._menu_items.append(items)

    # --- searching

    def run_search(self, spec: SearchSpec | None = None) -> None:
        """Runs a search on a worker; stale answers (the user typed on) are dropped."""
        spec = spec or self.search.spec()
        archive = self.ctx.archive
        if archive is None:
            return
        try:
            parsed = archive.parse(spec.query)
        except UserFacingError as e:  # a malformed query, or the index is not ready yet
            self.search.show_error(str(e))
            return
        self.search.show_error(None)
        self.spec = spec
        self._text_query = not parsed.is_everything
        self._show_note()
        self._seq += 1
        seq = self._seq

        asked = SearchSpec(spec.query, spec.filters, spec.sort, self.first_versions)

        def work(archive: Any) -> Answer | None:
            if seq != self._seq:
                return None  # typed past before it started: its answer would be dropped
            process = self._search_process(archive)
            answer = None
            if process is not None:
                answer = process.search(asked, archive.data_generation)
            return answer if answer is not None else search_answer(archive, asked)

        read_op(
            self.ctx,
            work,
            lambda answer: self._search_done(seq, answer),
            lambda e, tb: self._search_failed(seq, e, tb),
        )

    @property
    def idle(self) -> bool:
        """True when the last search started has been answered."""
        return self._done_seq == self._seq and not self.search.timer.isActive()

    @property
    def searches_answered(self) -> int:
        """How many searches have been answered (or dropped as stale) so far."""
        return self._done_seq

    def _search_done(self, seq: int, answer: Any) -> None:
        self._done_seq = max(self._done_seq, seq)
        if seq != self._seq or answer is None:
            return
        self._show_empty(self.ctx.archive is not None and self.ctx.archive.count() == 0)
        keep = self.current_id()
        self.terms = answer.terms
        self.model.set_results(self.ctx.archive, answer.ids, answer.scores, answer.terms)
        self.facets.set_facets(answer.facets)
        total = answer.total
        self.search.set_count(f"{total:,} release{'s' if total != 1 else ''}")
        row = self.model.row_of(keep) if keep is not None else None
        if row is None and answer.ids:
            row = 0
        if row is not None:
            self.select_rows([row])
        else:
            self.nothing_found.emit()
        self.search_finished.emit()

    def _search_failed(self, seq: int, error: BaseException, details: str) -> None:
        self._done_seq = max(self._done_seq, seq)
        if seq != self._seq:
            return
        if isinstance(error, UserFacingError):
            self.search.show_error(str(error))
            if isinstance(error, IndexDamagedError):
                self.index_damaged.emit()  # it was marked damaged; rebuilt as a missing one is
        else:
            self.ctx.errors.report(error, details)
        self.search_finished.emit()

    def _show_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        self.table.setVisible(not empty)
        if empty:
            writable = self.ctx.writable
            for button in (self.empty.files_button, self.empty.folder_button):
                button.setEnabled(writable)

    def _import_progressed(self, progress: object) -> None:
        if self._importing != (progress is not None):
            self._importing = progress is not None
            self._show_note()

    def _show_note(self) -> None:
        self.note.setVisible(self._importing and self._text_query)

    def clear_filters(self) -> None:
        spec = self.search.spec()
        self.search.set_spec(SearchSpec(spec.query, (), spec.sort))

    def on_changes(self, changes: Changes) -> None:
        if changes.everything:
            self.model.forget()
        elif changes.releases or changes.removed:
            self.model.forget(sorted(changes.releases | changes.removed))
        if changes.results or changes.tags or changes.index:
            # Scores and order follow the index: a search is run again after any change to it.
            self.run_search(self.search.spec())

    def _search_process(self, archive: Archive) -> SearchProcess | None:
        """The process that searches this archive, started once it is big enough to pay
        (on a read thread: counting and starting it are quick there)."""
        with self._process_lock:
            process = self._process
            if process is None or process.folder != archive.folder:
                if archive.count() < self.process_min_releases:
                    return None
                if process is not None:
                    process.close()
                process = self._process = SearchProcess(archive.folder)
            return process

    def _jobs_ended(self) -> None:
        # A job may have changed or replaced the index: a fresh process opens it, started
        # now on a read thread so that it is ready by the next searches.
        process = self._process
        if process is not None and self.ctx.archive is not None:
            process.restart()
            self.ctx.runner.call(process.start, write=False)

    def _close_process(self) -> None:
        with self._process_lock:
            process, self._process = self._process, None
        if process is not None:
            process.close()

    def on_closed(self) -> None:
        self._close_process()
        self.search.setEnabled(False)
        self._show_empty(False)
        self.model.set_results(None, [], [], HighlightTerms())

    # --- results

    def _fetch_snippets(
        self,
        ids: list[int],
        terms: HighlightTerms,
        done: Callable[[dict[int, str]], None],
        wanted: Callable[[], bool],
    ) -> None:
        """Cuts snippets on a worker (they need each release's whole text), unless the results
        changed before the worker got to them."""

        def work(archive: Any) -> dict[int, str]:
            if not wanted():
                return {}
            marks = (HIT_OPEN, HIT_CLOSE)
            process = self._search_process(archive)
            found = None
            if process is not None:
                found = process.snippets(ids, terms, SNIPPET_WIDTH, marks, archive.data_generation)
            return (
                found
                if found is not None
                else snippet_html(archive, ids, terms, SNIPPET_WIDTH, marks)
            )

        read_op(self.ctx, work, done)

    def focus_results(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.select_rows([0])

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

    def selected_count(self) -> int:
        """How many rows are selected (without listing them: a selection may hold them all)."""
        return sum(r.height() for r in self.table.selectionModel().selection())

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        if index.isValid():
            return self.model.id_at(index.row())
        ids = self.selected_ids()
        return ids[0] if ids else None

    def select_rows(self, rows: Sequence[int]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for i, row in enumerate(rows):
            index = self.model.index(row, 0)
            if i == 0:
                selection.setCurrentIndex(index, flags)
            else:
                selection.select(index, flags)
        if rows:
            self.table.scrollTo(self.model.index(rows[0], 0))

    def _selection_changed(self) -> None:
        self.selection_changed.emit()
        release_id = self.current_id()
        if release_id is not None and self.ctx.archive is not None:
            self.current_changed.emit(release_id)

    def context_menu(self, ids: list[int]) -> QMenu:
        """The context menu for these selected releases (each feature adds its entries)."""
        menu = QMenu(self.table)
        for items in self._menu_items:
            for item in items(ids):
                if item is None:
                    menu.addSeparator()
                else:
                    text, handler = item
                    menu.addAction(text, handler)
        return menu

    def _context_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        if index.row() not in {i.row() for i in self.table.selectionModel().selectedRows()}:
            self.select_rows([index.row()])
        self.context_menu(self.selected_ids()).exec(self.table.viewport().mapToGlobal(pos))

"""The main window: search, results, reader, side-by-side reading, tagging, import.

Everything that touches the archive beyond a quick read runs on a worker thread (see
workers.py); the window only starts work and shows its results.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QItemSelectionModel,
    QPoint,
    QStandardPaths,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QIcon,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from archive_browser import APP_NAME, __version__
from archive_browser.core import background, importers
from archive_browser.core.archive import Archive, ImportReport
from archive_browser.core.errors import (
    ArchiveLockedError,
    MalformedQueryError,
    ReadOnlyArchiveError,
    UserFacingError,
)
from archive_browser.core.index import HighlightTerms
from archive_browser.core.jobs import Job, Progress, run
from archive_browser.core.paths import resource_path
from archive_browser.core.search import Filter, SavedSearch, SearchSpec
from archive_browser.gui import damaged
from archive_browser.gui.compare import LEFT, RIGHT, CompareView
from archive_browser.gui.delegates import SnippetDelegate, row_height
from archive_browser.gui.dialogs import (
    ExportDialog,
    ImportSummaryDialog,
    MetadataDialog,
    ShortcutsDialog,
    SplitPreviewDialog,
    TagDialog,
)
from archive_browser.gui.errors import ErrorReporter
from archive_browser.gui.panels import FacetPanel, SavedSearchPanel, TagPanel
from archive_browser.gui.reader import Marks, ReaderView
from archive_browser.gui.results_model import (
    HIT_CLOSE,
    HIT_OPEN,
    SNIPPET_WIDTH,
    Column,
    ResultsModel,
)
from archive_browser.gui.search_bar import SearchBar
from archive_browser.gui.settings import Settings
from archive_browser.gui.workers import JobTask, Runner

#: The split of text files is shown for correction when an import holds at most this many.
MAX_SPLIT_PREVIEW_FILES = 50


class MainWindow(QMainWindow):
    """One archive, its search, results and reader."""

    search_finished = Signal()  # the results, facets and count on screen are up to date
    job_finished = Signal(object)  # the result of a background job (None when cancelled)
    tags_changed = Signal()
    archive_opened = Signal()

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.errors = ErrorReporter()
        self.errors.parent_widget = self
        self.ask: Callable[[str, str], bool] = self._ask
        self.runner = Runner(self)
        self.archive: Archive | None = None
        self.damaged_offer: damaged.DamagedArchiveOffer | None = None
        self.spec = SearchSpec()
        self._search_seq = 0
        self._search_done_seq = 0
        self._terms = HighlightTerms()
        self._job: JobTask | None = None
        self._undo: tuple[str, dict[str, list[int]]] | None = None
        self._compare_pick: int | None = None
        self._sizes_before_compare: list[int] = []
        self.split_dialog: SplitPreviewDialog | None = None
        self.summary_dialog: ImportSummaryDialog | None = None

        self.setWindowTitle(APP_NAME)
        icon = resource_path("icons", "archive-browser.svg")
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._restore_state()
        self._set_enabled()

    # --- building ------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.search = SearchBar()
        self.search.spec_changed.connect(self.run_search)
        self.search.save_requested.connect(self.save_search)
        self.search.results_requested.connect(self._focus_results)

        self.model = ResultsModel(self)
        self.model.snippet_source = self._fetch_snippets
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(Column.TITLE, SnippetDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(row_height(self.table.font()))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(Column.TITLE, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(36)
        for column, width in (
            (Column.DATE, 84),
            (Column.SOURCE, 90),
            (Column.LANGUAGE, 40),
            (Column.TAGS, 90),
            (Column.SCORE, 48),
        ):
            self.table.setColumnWidth(column, width)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._results_menu)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.activated.connect(lambda _i: self.reader.browser.setFocus())

        self.reader = ReaderView()
        self.compare = CompareView()
        self.compare.closed.connect(self.close_compare)
        self.compare.replace_requested.connect(self._replace_compare_side)
        self.reading = QStackedWidget()
        self.reading.addWidget(self.reader)
        self.reading.addWidget(self.compare)

        self.facets = FacetPanel()
        self.facets.filter_chosen.connect(self.search.add_filter)
        self.saved = SavedSearchPanel()
        self.saved.chosen.connect(self.use_saved_search)
        self.saved.rename_requested.connect(self.rename_saved_search)
        self.saved.delete_requested.connect(self.delete_saved_search)
        self.saved.reordered.connect(self._reorder_saved)
        self.tags = TagPanel()
        self.tags.search_requested.connect(
            lambda name: self.search.set_spec(SearchSpec("", (Filter("tag", name),)))
        )
        self.tags.rename_requested.connect(self.rename_tag)
        self.tags.merge_requested.connect(self.merge_tag)
        self.tags.delete_requested.connect(self.delete_tag)
        self.tags.undo_requested.connect(self.undo_tags)

        browse = QSplitter(Qt.Orientation.Vertical)
        browse.addWidget(self.saved)
        browse.addWidget(self.facets)
        browse.setSizes([110, 490])
        self.side_splitter = browse
        self.side = QTabWidget()
        self.side.addTab(browse, "Browse")
        self.side.addTab(self.tags, "Tags")

        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.table)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.side)
        self.splitter.addWidget(results)
        self.splitter.addWidget(self.reading)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 4)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.resize(1400, 860)
        self.splitter.setSizes([230, 640, 530])

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], Any],
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Open archive…", self.choose_archive, QKeySequence.StandardKey.Open)
        self._action(file, "&New archive…", self.new_archive)
        self.recent_menu = file.addMenu("Recent archives")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file.addSeparator()
        self.import_files_action = self._action(
            file, "&Import files…", self.choose_import_files, "Ctrl+I"
        )
        self.import_folder_action = self._action(
            file, "Import &folder…", self.choose_import_folder, "Ctrl+Shift+I"
        )
        file.addSeparator()
        self.export_pdf_action = self._action(
            file, "Export to &PDF…", lambda: self.choose_export(".pdf"), "Ctrl+P"
        )
        self.export_action = self._action(
            file, "E&xport to CSV or JSON…", lambda: self.choose_export(".csv")
        )
        self.backup_action = self._action(file, "&Back up archive…", self.choose_backup)
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit = bar.addMenu("&Edit")
        self.undo_action = self._action(edit, "&Undo tag operation", self.undo_tags, "Ctrl+Z")
        edit.addSeparator()
        self.tag_action = self._action(edit, "&Tag selected releases…", self.tag_selected, "Ctrl+T")
        self.edit_action = self._action(edit, "&Edit release…", self.edit_selected, "Ctrl+E")
        edit.addSeparator()
        self._action(edit, "Select all results", self.table.selectAll)

        search = bar.addMenu("&Search")
        self._action(search, "&Find…", self.search.focus, QKeySequence.StandardKey.Find)
        self.save_search_action = self._action(
            search, "&Save search…", self.save_search, QKeySequence.StandardKey.Save
        )
        self._action(search, "Clear filters", self._clear_filters)
        search.addSeparator()
        self._action(search, "&Next hit", self.next_hit, "F3")
        self._action(search, "&Previous hit", self.previous_hit, "Shift+F3")
        search.addSeparator()
        self._action(search, "Query language…", self.search.show_help)
        slash = QShortcut(QKeySequence("/"), self)
        slash.activated.connect(self.search.focus)

        view = bar.addMenu("&View")
        self.compare_action = self._action(
            view, "Read side by si&de", self.compare_selected, "Ctrl+D"
        )
        self.close_compare_action = self._action(view, "Close side by side", self.close_compare)
        close_compare = QShortcut(QKeySequence("Esc"), self)
        close_compare.activated.connect(self.close_compare)
        view.addSeparator()
        self._action(
            view, "&Larger text", lambda: self._font_step(1), QKeySequence.StandardKey.ZoomIn
        )
        self._action(
            view, "&Smaller text", lambda: self._font_step(-1), QKeySequence.StandardKey.ZoomOut
        )
        equal = QShortcut(QKeySequence("Ctrl+="), self)
        equal.activated.connect(lambda: self._font_step(1))

        tools = bar.addMenu("&Tools")
        self.check_action = self._action(tools, "&Check archive", self.check_archive)
        self.reindex_action = self._action(tools, "&Rebuild index", self.rebuild_index)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(help_menu, "&Query language", self.search.show_help)
        self._action(help_menu, f"&About {APP_NAME}", self.show_about)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.count_label = QLabel("")
        self.index_label = QLabel("")
        self.job_label = QLabel("")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setRange(0, 1000)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_job)
        for w in (self.job_label, self.progress, self.cancel_button):
            w.hide()
        status.addWidget(self.count_label)
        status.addWidget(self.index_label)
        status.addPermanentWidget(self.job_label)
        status.addPermanentWidget(self.progress)
        status.addPermanentWidget(self.cancel_button)

    # --- window state --------------------------------------------------------------------------

    def _restore_state(self) -> None:
        s = self.settings
        geometry = s.state("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        for key, splitter in (("splitter", self.splitter), ("side_splitter", self.side_splitter)):
            state = s.state(key)
            if state is not None:
                splitter.restoreState(state)
        header = s.state("results_header")
        if header is not None:
            self.table.horizontalHeader().restoreState(header)
        self.reader.set_font_size(s.get("reader/font_size", self.reader.font_size, int))
        for side in self.compare.sides:
            side.set_font_size(self.reader.font_size)
        self.compare.sync.setChecked(s.get("compare/sync", True, bool))

    def save_state(self) -> None:
        s = self.settings
        s.set_state("geometry", self.saveGeometry())
        s.set_state("splitter", self.splitter.saveState())
        s.set_state("side_splitter", self.side_splitter.saveState())
        s.set_state("results_header", self.table.horizontalHeader().saveState())
        s.set("reader/font_size", self.reader.font_size)
        s.set("compare/sync", self.compare.sync.isChecked())
        s.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.close_archive()
        super().closeEvent(event)

    # --- the archive ---------------------------------------------------------------------------

    def open_archive(self, folder: Path, *, seed_demo: bool = False) -> bool:
        """Opens an archive (closing the current one); seeds the demo releases when asked.
        Returns False when it could not be opened."""
        self.close_archive()
        try:
            try:
                archive = Archive.open(folder)
            except (ArchiveLockedError, ReadOnlyArchiveError) as e:
                if not self.ask(APP_NAME, f"{e}\n\nOpen it read-only?"):
                    return False
                archive = Archive.open(folder, readonly=True)
        except UserFacingError as e:
            self.errors.report(e)
            return False
        self.archive = archive
        self.settings.add_recent_archive(archive.folder)
        title = f"{archive.folder.name} — {APP_NAME}"
        self.setWindowTitle(title + (" (read-only)" if archive.readonly else ""))
        self.archive_opened.emit()
        if archive.damage is not None:
            # A damaged file: read-only, one dialog offering the ways out (gui/damaged.py).
            self.damaged_offer = damaged.offer_recovery(self, archive)
            self._set_enabled()
            return True
        if not archive.readonly and archive.needs_repair:
            self.run_job(
                background.run_in_process(archive, background.repair_task),
                "Bringing the index up to date",
                self._after_change,
            )
        elif seed_demo and not archive.readonly:
            from archive_browser.core.demo import seed_demo as demo_job

            self.run_job(demo_job(archive), "Adding the demo releases", self._after_change)
        else:
            self.refresh()
        if not archive.readonly:
            # Rotating copies in the archive's backups folder, one a day, the newest five kept.
            self.runner.call(
                lambda: run(archive.auto_backup()), write=True, failed=self.errors.report
            )
        self._set_enabled()
        return True

    def close_archive(self) -> None:
        self.runner.shutdown()
        self._job = None
        if self.archive is not None:
            self.archive.close()
            self.archive = None
        self.model.set_results(None, [], [], HighlightTerms())
        self.reader.show_message("No archive is open.")
        self.close_compare()
        self._set_enabled()

    def choose_archive(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open an archive folder")
        if folder:
            self.open_archive(Path(folder))

    def new_archive(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Choose an empty folder for the new archive"
        )
        if not folder:
            return
        path = Path(folder)
        if any(path.iterdir()) and not (path / "archive.sqlite3").exists():
            self.errors.show_message(
                f"{path} is not empty. Choose an empty folder for a new archive."
            )
            return
        self.open_archive(path)

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for folder in self.settings.recent_archives():
            self.recent_menu.addAction(str(folder), lambda f=folder: self.open_archive(f))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def _set_enabled(self) -> None:
        has = self.archive is not None
        writable = has and self.archive is not None and not self.archive.readonly
        idle = self._job is None
        for action in (self.import_files_action, self.import_folder_action, self.reindex_action):
            action.setEnabled(writable and idle)
        for action in (self.tag_action, self.edit_action, self.save_search_action):
            action.setEnabled(writable)
        self.check_action.setEnabled(has and idle)
        self.export_pdf_action.setEnabled(has and idle)
        self.backup_action.setEnabled(has and idle)
        self.export_action.setEnabled(has and idle)
        self.undo_action.setEnabled(writable and self._undo is not None)
        self.search.setEnabled(has)

    def refresh(self) -> None:
        """Reruns the search and reloads the side panels and status bar."""
        self.run_search(self.search.spec())
        self.load_tags()
        self.load_saved_searches()
        self.update_status()

    def update_status(self) -> None:
        archive = self.archive
        if archive is None:
            self.count_label.setText("No archive")
            self.index_label.setText("")
            return
        self.count_label.setText(f"{archive.count():,} releases in {archive.folder.name}")
        if archive.index_problem:
            self.index_label.setText("Index must be rebuilt")
        else:
            pending = archive.pending_index_count()
            self.index_label.setText(
                "Index up to date" if not pending else f"Index: {pending:,} changes pending"
            )

    # --- searching -----------------------------------------------------------------------------

    def run_search(self, spec: SearchSpec | None = None) -> None:
        """Runs a search on a worker; stale answers (the user typed on) are dropped."""
        spec = spec or self.search.spec()
        archive = self.archive
        if archive is None:
            return
        try:
            parsed = archive.parse(spec.query)
        except MalformedQueryError as e:
            self.search.show_error(str(e))
            return
        except UserFacingError as e:  # the index is not ready yet
            self.search.show_error(str(e))
            return
        self.search.show_error(None)
        self.spec = spec
        self._search_seq += 1
        seq = self._search_seq

        def work() -> tuple[Any, HighlightTerms, dict[str, list[tuple[str, int]]]] | None:
            if seq != self._search_seq:
                return None  # typed past before it started: its answer would be dropped
            results = archive.search(parsed, sort=spec.sort, limit=None, filters=spec.filters)
            terms = HighlightTerms() if parsed.is_everything else archive.highlight_terms(parsed)
            everything = parsed.is_everything and not spec.filters
            facets = archive.facets(None if everything else results.ids)
            return results, terms, facets

        self.runner.call(
            work,
            write=False,
            finished=lambda r: self._search_done(seq, r),
            failed=lambda e, tb: self._search_failed(seq, e, tb),
        )

    @property
    def search_idle(self) -> bool:
        """True when the last search started has been answered."""
        return self._search_done_seq == self._search_seq and not self.search.timer.isActive()

    def _search_done(self, seq: int, answer: Any) -> None:
        self._search_done_seq = max(self._search_done_seq, seq)
        if seq != self._search_seq or self.archive is None or answer is None:
            return
        results, terms, facets = answer
        keep = self.current_id()
        self._terms = terms
        self.model.set_results(self.archive, results.ids, results.scores, terms)
        self.facets.set_facets(facets)
        total = results.total
        self.search.set_count(f"{total:,} release{'s' if total != 1 else ''}")
        row = self.model.row_of(keep) if keep is not None else None
        if row is None and results.ids:
            row = 0
        if row is not None:
            self.select_rows([row])
        else:
            self.reader.show_message("Nothing matches this search.")
        self.search_finished.emit()

    def _search_failed(self, seq: int, error: BaseException, details: str) -> None:
        self._search_done_seq = max(self._search_done_seq, seq)
        if seq != self._search_seq:
            return
        if isinstance(error, UserFacingError):
            self.search.show_error(str(error))
        else:
            self.errors.report(error, details)
        self.search_finished.emit()

    def _clear_filters(self) -> None:
        spec = self.search.spec()
        self.search.set_spec(SearchSpec(spec.query, (), spec.sort))

    # --- results and reading -------------------------------------------------------------------

    def _fetch_snippets(
        self,
        ids: list[int],
        terms: HighlightTerms,
        done: Callable[[dict[int, str]], None],
        wanted: Callable[[], bool],
    ) -> None:
        """Cuts snippets on a worker (they need each release's whole text), unless the results
        changed before the worker got to them."""
        archive = self.archive
        if archive is None:
            return

        def work() -> dict[int, str]:
            if not wanted():
                return {}
            snippets = archive.snippets(ids, terms, SNIPPET_WIDTH)
            return {i: s.html(HIT_OPEN, HIT_CLOSE) for i, s in snippets.items()}

        self.runner.call(work, write=False, finished=done, failed=self.errors.report)

    def _focus_results(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.currentIndex().isValid() and self.model.rowCount():
            self.select_rows([0])

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.id_at(r) for r in rows]

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
        release_id = self.current_id()
        if release_id is None or self.archive is None:
            return
        if self._compare_pick is not None and release_id != self._compare_pick:
            left, self._compare_pick = self._compare_pick, None
            self.statusBar().clearMessage()
            self.open_compare(left, release_id)
            return
        if self.reading.currentWidget() is self.reader:
            self.show_release(release_id)

    def show_release(self, release_id: int) -> None:
        assert self.archive is not None
        try:
            release = self.archive.get(release_id)
        except UserFacingError:
            self.reader.show_message("This release is no longer in the archive.")
            return
        spans = self.archive.hit_spans(release, self._terms)
        self.reader.show_release(release, Marks(spans, searching=bool(self._terms)))

    def next_hit(self) -> None:
        self._active_reader().next_hit()

    def previous_hit(self) -> None:
        self._active_reader().previous_hit()

    def _active_reader(self) -> ReaderView:
        if self.reading.currentWidget() is self.compare:
            right = self.compare.sides[RIGHT]
            return right if right.browser.hasFocus() else self.compare.sides[LEFT]
        return self.reader

    def _font_step(self, step: int) -> None:
        size = self.reader.font_size + step
        self.reader.set_font_size(size)
        for side in self.compare.sides:
            side.set_font_size(self.reader.font_size)

    def _results_menu(self, pos: QPoint) -> None:
        index = self.table.indexAt(pos)
        if not index.isValid():
            return
        if index.row() not in {i.row() for i in self.table.selectionModel().selectedRows()}:
            self.select_rows([index.row()])
        ids = self.selected_ids()
        menu = QMenu(self)
        if len(ids) == 2:
            menu.addAction("Read these two side by side", self.compare_selected)
        if len(ids) == 1:
            menu.addAction("Compare with…", lambda: self.start_compare_pick(ids[0]))
        menu.addAction(f"Tag {len(ids)} release{'s' if len(ids) != 1 else ''}…", self.tag_selected)
        if len(ids) == 1:
            menu.addAction("Edit…", self.edit_selected)
        menu.addSeparator()
        menu.addAction("Export to PDF…", lambda: self.choose_export(".pdf"))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # --- side by side --------------------------------------------------------------------------

    def start_compare_pick(self, left_id: int) -> None:
        """Remembers a release; the next one selected is shown beside it."""
        self._compare_pick = left_id
        self.statusBar().showMessage("Select the release to read beside it (Esc to stop).")

    def compare_selected(self) -> None:
        ids = self.selected_ids()
        if len(ids) != 2:
            self.errors.show_message("Select two releases to read them side by side.")
            return
        self.open_compare(ids[0], ids[1])

    def open_compare(self, left_id: int, right_id: int) -> None:
        assert self.archive is not None
        left, right = self.archive.get(left_id), self.archive.get(right_id)
        self.compare.set_pair(
            left,
            right,
            self.archive.hit_spans(left, self._terms),
            self.archive.hit_spans(right, self._terms),
        )
        if self.reading.currentWidget() is not self.compare:
            # Two texts need room: take it from the results while they are side by side.
            self._sizes_before_compare = self.splitter.sizes()
            side, results, reading = self._sizes_before_compare
            total = results + reading
            wanted = max(reading, int(total * 0.72))
            self.splitter.setSizes([side, total - wanted, wanted])
        self.reading.setCurrentWidget(self.compare)

    def close_compare(self) -> None:
        self._compare_pick = None
        self.statusBar().clearMessage()
        if self.reading.currentWidget() is self.compare:
            self.reading.setCurrentWidget(self.reader)
            if self._sizes_before_compare:
                self.splitter.setSizes(self._sizes_before_compare)
            release_id = self.current_id()
            if release_id is not None and self.archive is not None:
                self.show_release(release_id)

    def _replace_compare_side(self, side: int) -> None:
        release_id = self.current_id()
        if release_id is None or self.archive is None:
            return
        release = self.archive.get(release_id)
        self.compare.replace(side, release, self.archive.hit_spans(release, self._terms))

    # --- tags ----------------------------------------------------------------------------------

    def load_tags(self) -> None:
        if self.archive is not None:
            self.tags.set_tags(self.archive.tag_counts())

    def tag_selected(self) -> None:
        archive = self.archive
        ids = self.selected_ids()
        if archive is None or not ids:
            return
        current: dict[str, int] = {}
        for names in archive.tags_of(ids).values():
            for name in names:
                current[name] = current.get(name, 0) + 1
        dialog = TagDialog(self, len(ids), current, [n for n, _ in archive.tag_counts()])
        self.tag_dialog = dialog
        dialog.accepted.connect(lambda: self.apply_tags(ids, dialog.to_add(), dialog.to_remove()))
        dialog.open()

    def apply_tags(self, ids: list[int], add: list[str], remove: list[str]) -> None:
        """Adds and removes tags on releases, on the write worker; undoable."""
        archive = self.archive
        if archive is None or not (add or remove):
            return

        def work() -> dict[str, list[int]]:
            snapshot = archive.tag_snapshot([*add, *remove])
            if add:
                archive.tag(ids, add)
            if remove:
                archive.untag(ids, remove)
            return snapshot

        what = f"tagging {len(ids):,} release{'s' if len(ids) != 1 else ''}"
        self._write(work, lambda snapshot: self._tags_done(what, snapshot))

    def rename_tag(self, name: str) -> None:
        new, ok = QInputDialog.getText(self, "Rename tag", f"New name for “{name}”:", text=name)
        if ok and new.strip() and new.strip() != name:
            self.do_rename_tag(name, new.strip())

    def merge_tag(self, name: str) -> None:
        others = [n for n in self.tags.tags() if n != name]
        if not others:
            self.errors.show_message("There is no other tag to merge into.")
            return
        target, ok = QInputDialog.getItem(
            self, "Merge tag", f"Merge “{name}” into:", others, 0, False
        )
        if ok and target:
            self.do_rename_tag(name, target)

    def do_rename_tag(self, old: str, new: str) -> None:
        """Renames a tag, merging it when `new` exists; undoable."""
        archive = self.archive
        if archive is None:
            return

        def work() -> dict[str, list[int]]:
            snapshot = archive.tag_snapshot([old, new])
            archive.rename_tag(old, new)
            return snapshot

        self._write(work, lambda snapshot: self._tags_done(f"renaming “{old}”", snapshot))

    def delete_tag(self, name: str) -> None:
        count = self.tags.tags().get(name, 0)
        question = f"Remove the tag “{name}” from {count:,} release{'s' if count != 1 else ''}?"
        if self.ask("Delete tag", question):
            self.do_delete_tag(name)

    def do_delete_tag(self, name: str) -> None:
        archive = self.archive
        if archive is None:
            return

        def work() -> dict[str, list[int]]:
            snapshot = archive.tag_snapshot([name])
            archive.delete_tag(name)
            return snapshot

        self._write(work, lambda snapshot: self._tags_done(f"deleting “{name}”", snapshot))

    def undo_tags(self) -> None:
        """Undoes the last tag operation."""
        archive = self.archive
        if archive is None or self._undo is None:
            return
        _what, snapshot = self._undo
        self._undo = None
        self.tags.set_undo(None)
        self._write(lambda: archive.restore_tags(snapshot), lambda _r: self._after_tags())

    def _tags_done(self, what: str, snapshot: dict[str, list[int]]) -> None:
        self._undo = (what, snapshot)
        self.tags.set_undo(what)
        self.undo_action.setText(f"&Undo {what}")
        self._after_tags()

    def _after_tags(self) -> None:
        self._set_enabled()
        self.model.forget()
        self.refresh()
        self.tags_changed.emit()

    # --- metadata ------------------------------------------------------------------------------

    def edit_selected(self) -> None:
        archive = self.archive
        release_id = self.current_id()
        if archive is None or release_id is None:
            return
        languages = [v for v, _ in archive.facets()["language"]]
        dialog = MetadataDialog(self, archive.get(release_id), languages)
        self.metadata_dialog = dialog
        dialog.accepted.connect(lambda: self.apply_edit(release_id, dialog.changes()))
        dialog.open()

    def apply_edit(self, release_id: int, changes: dict[str, Any]) -> None:
        archive = self.archive
        if archive is None or not changes:
            return
        self._write(lambda: archive.update(release_id, **changes), lambda _r: self._after_change())

    # --- saved searches ------------------------------------------------------------------------

    def load_saved_searches(self) -> None:
        archive = self.archive
        if archive is None:
            return
        searches = archive.saved_searches()
        self.saved.set_searches(searches, {})

        def counts() -> dict[int, int]:
            out = {}
            for s in searches:
                try:
                    out[s.id] = archive.run_search(s.spec, limit=1).total
                except UserFacingError:
                    continue
            return out

        self.runner.call(
            counts,
            write=False,
            finished=lambda c: self.saved.set_searches(searches, c) if self.archive else None,
            failed=lambda e, tb: self.errors.report(e, tb),
        )

    def save_search(self) -> None:
        spec = self.search.spec()
        default = spec.query or " ".join(f.value for f in spec.filters) or "All releases"
        name, ok = QInputDialog.getText(self, "Save search", "Name:", text=default)
        if ok and name.strip():
            self.do_save_search(name.strip(), spec)

    def do_save_search(self, name: str, spec: SearchSpec) -> None:
        archive = self.archive
        if archive is not None:
            self._write(
                lambda: archive.save_search(name, spec), lambda _r: self.load_saved_searches()
            )

    def use_saved_search(self, search: SavedSearch) -> None:
        self.search.set_spec(search.spec)

    def rename_saved_search(self, search: SavedSearch) -> None:
        name, ok = QInputDialog.getText(self, "Rename saved search", "Name:", text=search.name)
        archive = self.archive
        if ok and name.strip() and archive is not None:
            self._write(
                lambda: archive.rename_saved_search(search.id, name),
                lambda _r: self.load_saved_searches(),
            )

    def delete_saved_search(self, search: SavedSearch) -> None:
        archive = self.archive
        if archive is not None and self.ask("Delete saved search", f"Delete “{search.name}”?"):
            self._write(
                lambda: archive.delete_saved_search(search.id),
                lambda _r: self.load_saved_searches(),
            )

    def _reorder_saved(self, ids: list[int]) -> None:
        archive = self.archive
        if archive is not None:
            self._write(lambda: archive.order_saved_searches(ids), lambda _r: None)

    # --- importing -----------------------------------------------------------------------------

    def choose_import_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self,
            "Import releases",
            "",
            "Releases (*.txt *.md *.html *.htm *.csv *.tsv *.json *.jsonl *.ndjson);;All files (*)",
        )
        if names:
            self.start_import([Path(n) for n in names])

    def choose_import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of releases")
        if folder:
            self.start_import([Path(folder)])

    def start_import(
        self,
        paths: list[Path],
        options: importers.ImportOptions | None = None,
        *,
        preview: bool = True,
    ) -> None:
        """Imports files; text files holding several releases are first shown split, for the
        user to correct (the dialog is `self.split_dialog`)."""
        archive = self.archive
        if archive is None or self._job is not None:
            return
        options = options or importers.ImportOptions()
        if not preview:
            self._run_import(paths, options)
            return

        def previews() -> dict[Path, tuple[list[importers.Paragraph], list[int]]]:
            files, _problems = importers.discover(paths)
            text_files = [f for f in files if importers.is_text_file(f)]
            if len(text_files) > MAX_SPLIT_PREVIEW_FILES:
                return {}
            out = {}
            for f in text_files:
                try:
                    paragraphs, starts = importers.preview_split(f, options.split)
                except UserFacingError:
                    continue  # the import reports it
                if len(starts) > 1:
                    out[f] = (paragraphs, starts)
            return out

        def ready(found: dict[Path, tuple[list[importers.Paragraph], list[int]]]) -> None:
            if not found:
                self._run_import(paths, options)
                return
            dialog = SplitPreviewDialog(self, found)
            self.split_dialog = dialog

            def accepted() -> None:
                options.splits.update(
                    {str(p.resolve()): starts for p, starts in dialog.starts.items()}
                )
                self._run_import(paths, options)

            dialog.accepted.connect(accepted)
            dialog.open()

        self.runner.call(previews, write=False, finished=ready, failed=self.errors.report)

    def _run_import(self, paths: list[Path], options: importers.ImportOptions) -> None:
        archive = self.archive
        if archive is None:
            return
        self.run_job(
            background.run_in_process(archive, background.import_task, paths, options),
            "Importing",
            self._import_done,
        )

    def _import_done(self, report: ImportReport | None) -> None:
        self._after_change()
        if report is not None:
            dialog = ImportSummaryDialog(self, report)
            self.summary_dialog = dialog
            dialog.open()

    # --- exporting -----------------------------------------------------------------------------

    def choose_export(self, ending: str) -> None:
        """Asks what to export where, then exports in the background."""
        archive = self.archive
        if archive is None:
            return
        selected = self.selected_ids()
        results = self.model.ids()
        if not results:
            self.errors.show_message("There is nothing to export: no release is shown.")
            return
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        stamp = time.strftime("%Y-%m-%d")
        suggested = Path(folder or Path.home()) / f"{archive.name}-{stamp}{ending}"
        dialog = ExportDialog(
            self,
            selected=len(selected),
            results=len(results),
            query=self.spec.query,
            suggested=suggested,
        )
        self.export_dialog = dialog

        def accepted() -> None:
            ids = selected if dialog.scope.currentData() == "selected" else results
            order = dialog.order.currentData()
            highlight = self.spec.query if dialog.highlight.isChecked() else None
            self.start_export(
                ids,
                dialog.out(),
                order=order,
                highlight=highlight,
                open_after=dialog.open_after.isChecked(),
            )

        dialog.accepted.connect(accepted)
        dialog.open()

    def start_export(
        self,
        ids: list[int],
        out: Path,
        *,
        order: str = "shown",
        highlight: str | None = None,
        open_after: bool = False,
    ) -> None:
        archive = self.archive
        if archive is None or not ids:
            return
        if order in ("date", "-date"):
            ids = archive.sort_ids(ids, order)
        job = background.run_in_process(
            archive,
            background.export_task,
            list(ids),
            out,
            self.spec.query or None,
            highlight,
            readonly=True,
        )
        self.run_job(
            job,
            f"Exporting {len(ids):,} releases",
            lambda report: self._export_done(report, open_after),
            write=False,
        )

    def _export_done(self, report: Any, open_after: bool) -> None:
        if report is None:
            self.statusBar().showMessage("Export cancelled; no file was written.", 8000)
            return
        pages = f", {report.pages:,} pages" if report.pages else ""
        self.statusBar().showMessage(
            f"Exported {report.count:,} releases to {report.path}{pages}.", 15000
        )
        if open_after:
            self.open_file(report.path)

    def open_file(self, path: Path) -> None:
        """Opens a file in the program the desktop uses for it."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # --- backups -------------------------------------------------------------------------------

    def choose_backup(self) -> None:
        archive = self.archive
        if archive is None:
            return
        folder = QFileDialog.getExistingDirectory(self, "Folder to put the backup in")
        if folder:
            name = f"{archive.name}-backup-{time.strftime('%Y%m%d-%H%M%S')}"
            self.start_backup(Path(folder) / name)

    def start_backup(self, dest: Path) -> None:
        archive = self.archive
        if archive is not None:
            self.run_job(archive.backup(dest), "Backing up", self._backup_done, write=False)

    def _backup_done(self, report: Any) -> None:
        if report is not None:
            self.statusBar().showMessage(
                f"Backed up {report.releases:,} releases to {report.path.parent}. "
                "Open that folder as an archive to use the copy.",
                15000,
            )

    # --- background jobs -----------------------------------------------------------------------

    def run_job(
        self,
        job: Job[Any],
        label: str,
        done: Callable[[Any], None] | None = None,
        *,
        write: bool = True,
    ) -> JobTask | None:
        """Runs a long job on a worker with a progress bar and a Cancel button (a job that
        only reads runs beside the writes)."""
        if self._job is not None:
            job.close()
            self.errors.show_message("Another job is running; wait for it or cancel it first.")
            return None
        task = JobTask(job)
        self._job = task
        self.job_label.setText(label)
        self.progress.setValue(0)
        self.progress.setRange(0, 0)
        for w in (self.job_label, self.progress, self.cancel_button):
            w.show()
        self.cancel_button.setEnabled(True)
        self._set_enabled()

        def finished(result: Any) -> None:
            self._end_job()
            if done is not None:
                done(result)
            self.job_finished.emit(result)

        def failed(error: BaseException, details: str) -> None:
            self._end_job()
            self._after_change()
            self.errors.report(error, details)
            self.job_finished.emit(None)

        self.runner.submit(
            task, write=write, finished=finished, failed=failed, progressed=self._job_progress
        )
        return task

    def _job_progress(self, progress: Progress) -> None:
        fraction = progress.fraction
        if fraction is None:
            self.progress.setRange(0, 0)
        else:
            self.progress.setRange(0, 1000)
            self.progress.setValue(int(fraction * 1000))
        self.job_label.setText(progress.message)

    def cancel_job(self) -> None:
        if self._job is not None:
            self._job.cancel()
            self.cancel_button.setEnabled(False)
            self.job_label.setText("Cancelling…")

    def _end_job(self) -> None:
        self._job = None
        for w in (self.job_label, self.progress, self.cancel_button):
            w.hide()
        self._set_enabled()

    def _write(self, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        """Runs a change on the write worker, then `done(result)` on the GUI thread."""

        def failed(error: BaseException, details: str) -> None:
            self.errors.report(error, details)
            self._after_change()

        self.runner.call(fn, write=True, finished=done, failed=failed)

    def _after_change(self, _result: Any = None) -> None:
        self.model.forget()
        self.refresh()

    # --- tools ---------------------------------------------------------------------------------

    def check_archive(self) -> None:
        archive = self.archive
        if archive is None:
            return
        self.job_label.setText("Checking the archive…")
        self.job_label.show()
        self.runner.call(
            archive.check, write=False, finished=self._check_done, failed=self.errors.report
        )

    def _check_done(self, report: Any) -> None:
        self.job_label.hide()
        self.last_check = report
        if report.consistent:
            QTimer.singleShot(
                0,
                lambda: self.statusBar().showMessage(
                    f"The archive is consistent: {report.releases:,} releases, all indexed.", 8000
                ),
            )
            return
        problems = []
        if report.index_problem:
            problems.append(f"the index cannot be used ({report.index_problem})")
        for label, ids in (
            ("missing from the index", report.missing),
            ("in the index only", report.extra),
            ("outdated in the index", report.stale),
        ):
            if ids:
                problems.append(f"{len(ids):,} releases {label}")
        if report.pending:
            problems.append(f"{report.pending:,} index updates not applied")
        if self.ask(
            "Check archive",
            "The index does not match the archive: "
            + "; ".join(problems)
            + ".\n\nRebuild the index now? (Your releases are safe; the index is rebuilt from "
            "them.)",
        ):
            self.rebuild_index()

    def rebuild_index(self) -> None:
        archive = self.archive
        if archive is not None and not archive.readonly:
            self.run_job(
                background.run_in_process(archive, background.reindex_task),
                "Rebuilding the index",
                self._after_change,
            )

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self).open()

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME}</b> {__version__}<br>Keep, search, read, tag and export collections "
            "of press releases, offline.",
        )

    def _ask(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

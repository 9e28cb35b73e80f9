"""The main window: lays out the features' widgets, builds the menus from their actions,
remembers its state, and opens and closes the archive.

What the window can do lives in `features/`, one module per feature, each built from a
`WindowContext`; everything that touches the archive beyond a quick read runs on a worker
(see operations.py), and every write ends in one `changes_made(Changes)` signal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from archive_browser import APP_NAME
from archive_browser.core.archive import Archive
from archive_browser.core.changes import Changes
from archive_browser.core.errors import ArchiveLockedError, ReadOnlyArchiveError, UserFacingError
from archive_browser.core.paths import resource_path
from archive_browser.core.search import SearchSpec
from archive_browser.gui import damaged
from archive_browser.gui.actions import ActionSpec
from archive_browser.gui.context import WindowContext
from archive_browser.gui.errors import ErrorReporter
from archive_browser.gui.features.archive_status import ArchiveStatus
from archive_browser.gui.features.base import Feature
from archive_browser.gui.features.comparing import CompareFeature
from archive_browser.gui.features.editing import EditFeature
from archive_browser.gui.features.exporting import ExportFeature
from archive_browser.gui.features.help import HelpFeature
from archive_browser.gui.features.importing import ImportFeature
from archive_browser.gui.features.maintenance import MaintenanceFeature
from archive_browser.gui.features.provenance import ProvenanceFeature
from archive_browser.gui.features.reading import ReadingFeature
from archive_browser.gui.features.reuse import ReuseFeature
from archive_browser.gui.features.saved_searches import SavedSearchesFeature
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.features.tagging import TagsFeature
from archive_browser.gui.features.versions import VersionsFeature
from archive_browser.gui.operations import job_op
from archive_browser.gui.settings import Settings
from archive_browser.gui.workers import Runner


@dataclass(frozen=True)
class Features:
    """The window's features, in the order their actions and context menu entries appear."""

    results: ResultsFeature
    reading: ReadingFeature
    compare: CompareFeature
    versions: VersionsFeature
    tags: TagsFeature
    editing: EditFeature
    saved: SavedSearchesFeature
    importing: ImportFeature
    exporting: ExportFeature
    maintenance: MaintenanceFeature
    provenance: ProvenanceFeature
    status: ArchiveStatus
    help: HelpFeature
    reuse: ReuseFeature

    def all(self) -> list[Feature]:
        return [getattr(self, f.name) for f in fields(self)]


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
        self.runner = Runner(self)
        self.context = WindowContext(self, self.runner, self.errors, self.statusBar())
        self.damaged_offer: damaged.DamagedArchiveOffer | None = None
        self.setWindowTitle(APP_NAME)
        icon = resource_path("icons", "archive-browser.svg")
        if icon.exists():
            self.setWindowIcon(QIcon(str(icon)))
        self.features = self._build_features()
        self._build_layout()
        self._build_actions()
        self._restore_state()
        self.context.state_changed.emit()

    # --- building ------------------------------------------------------------------------------

    def _build_features(self) -> Features:
        ctx = self.context
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        results = ResultsFeature(ctx)
        reading = ReadingFeature(ctx, results)
        exporting = ExportFeature(ctx, results)
        compare = CompareFeature(ctx, results, reading, self.splitter)
        features = Features(
            results=results,
            reading=reading,
            compare=compare,
            versions=VersionsFeature(ctx, results, compare),
            tags=TagsFeature(ctx, results),
            editing=EditFeature(ctx, results),
            saved=SavedSearchesFeature(ctx, results),
            importing=ImportFeature(ctx),
            exporting=exporting,
            maintenance=MaintenanceFeature(ctx),
            provenance=ProvenanceFeature(ctx, results, reading, exporting),
            status=ArchiveStatus(ctx),
            help=HelpFeature(ctx),
            reuse=ReuseFeature(ctx, results, reading, compare),
        )
        results.search_finished.connect(self.search_finished)
        results.index_damaged.connect(features.maintenance.rebuild_index)
        # The import's summary opens a possible duplicate beside the release it matched.
        features.importing.summary_opened.connect(
            lambda dialog: (
                dialog.compare_requested.connect(features.compare.open),
                dialog.versions_requested.connect(features.versions.open_for),
            )
        )
        features.tags.tags_changed.connect(self.tags_changed)
        ctx.jobs.finished.connect(self.job_finished)
        ctx.archive_opened.connect(self.archive_opened)
        # The widgets tests and users reach by name.
        self.search, self.model, self.table = results.search, results.model, results.table
        self.facets = results.facets
        self.reader, self.reading = reading.reader, reading.stack
        self.compare = features.compare.view
        self.tags, self.saved = features.tags.panel, features.saved.panel
        self.count_label = features.status.count_label
        self.index_label = features.status.index_label
        self.job_label = ctx.jobs.label
        self.progress, self.cancel_button = ctx.jobs.progress, ctx.jobs.cancel_button
        return features

    def _build_layout(self) -> None:
        f = self.features
        browse = QSplitter(Qt.Orientation.Vertical)
        browse.addWidget(f.saved.panel)
        browse.addWidget(f.results.facets)
        browse.setSizes([110, 490])
        self.side_splitter = browse
        self.side = QTabWidget()
        self.side.addTab(browse, "Browse")
        self.side.addTab(f.tags.panel, "Tags")

        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(f.results.note)
        results_layout.addWidget(f.versions.first_only)
        results_layout.addWidget(f.results.table)
        results_layout.addWidget(f.results.empty)

        self.splitter.addWidget(self.side)
        self.splitter.addWidget(results)
        # The reader above, the Versions panel of what it shows below.
        self.reader_splitter = QSplitter(Qt.Orientation.Vertical)
        self.reader_splitter.addWidget(f.reading.stack)
        self.reader_splitter.addWidget(f.versions.panel)
        self.reader_splitter.setSizes([640, 170])
        self.splitter.addWidget(self.reader_splitter)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 4)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(f.status.banner)
        layout.addWidget(f.results.search)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.resize(1400, 860)
        self.splitter.setSizes([230, 640, 530])

    def _window_actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "file.open",
                "&Open archive…",
                "file",
                self.choose_archive,
                QKeySequence.StandardKey.Open,
            ),
            ActionSpec("file.new", "&New archive…", "file", self.new_archive, order=1),
            ActionSpec("file.recent", "Recent archives", "file", order=2, fill=self._fill_recent),
            ActionSpec(
                "file.quit", "&Quit", "file", self.close, QKeySequence.StandardKey.Quit, section=9
            ),
        ]

    def _build_actions(self) -> None:
        specs = self._window_actions()
        for feature in self.features.all():
            specs += feature.actions()
        self.context.actions.build(specs)

    def action(self, action_id: str) -> QAction:
        """The QAction of a menu entry, by its id (e.g. "edit.tag")."""
        return self.context.actions.get(action_id)

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
        self.features.reading.set_font_size(s.get("reader/font_size", self.reader.font_size, int))
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

    @property
    def archive(self) -> Archive | None:
        return self.context.archive

    @property
    def ask(self) -> Callable[[str, str], bool]:
        """Asks the user a yes/no question (tests replace it)."""
        return self.context.ask

    @ask.setter
    def ask(self, ask: Callable[[str, str], bool]) -> None:
        self.context.ask = ask  # type: ignore[method-assign]

    def open_archive(self, folder: Path, *, seed_demo: bool = False) -> bool:
        """Opens an archive (closing the current one); seeds the demo releases when asked.
        Returns False when it could not be opened."""
        self.close_archive()
        reason = "this archive is open read-only"
        try:
            try:
                archive = Archive.open(folder)
            except (ArchiveLockedError, ReadOnlyArchiveError) as e:
                if not self.ask(APP_NAME, f"{e}\n\nOpen it read-only?"):
                    return False
                archive = Archive.open(folder, readonly=True)
                if isinstance(e, ArchiveLockedError):
                    reason = "this archive is open in another window"
                else:
                    reason = "this archive's folder cannot be written"
        except UserFacingError as e:
            self.errors.report(e)
            return False
        ctx = self.context
        ctx.archive = archive
        ctx.readonly_reason = f"Read-only: {reason}. Changes are disabled."
        self.settings.add_recent_archive(archive.folder)
        title = f"{archive.folder.name} — {APP_NAME}"
        self.setWindowTitle(title + (" (read-only)" if archive.readonly else ""))
        ctx.archive_opened.emit()
        ctx.state_changed.emit()
        if archive.damage is not None:
            # A damaged file: read-only, one dialog offering the ways out (gui/damaged.py).
            self.damaged_offer = damaged.offer_recovery(self, archive)
            return True
        if not self.features.maintenance.bring_up_to_date(seed_demo=seed_demo):
            ctx.changes_made.emit(Changes.all())  # everything shown is new
        return True

    def refresh(self) -> None:
        """Shows the archive afresh (everything on screen read again)."""
        self.context.changes_made.emit(Changes.all())

    def run_job(
        self, job: Any, label: str, done: Callable[[Any], None] | None = None, *, write: bool = True
    ) -> Any:
        """Runs a long job with the progress bar and Cancel (for parts outside the features)."""
        return job_op(self.context, job, label, done, write=write)

    def close_archive(self) -> None:
        ctx = self.context
        self.runner.shutdown()
        ctx.jobs.forget()
        if ctx.archive is not None:
            ctx.archive.close()
            ctx.archive = None
        ctx.archive_closed.emit()
        ctx.state_changed.emit()

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

    def _fill_recent(self, menu: QMenu) -> None:
        menu.clear()
        for folder in self.settings.recent_archives():
            menu.addAction(str(folder), lambda f=folder: self.open_archive(f))
        if menu.isEmpty():
            menu.addAction("(none)").setEnabled(False)

    # --- what the results show (the results feature's, named here for convenience) ----------

    @property
    def spec(self) -> SearchSpec:
        """The search the results show."""
        return self.features.results.spec

    @property
    def search_idle(self) -> bool:
        """True when the last search started has been answered."""
        return self.features.results.idle

    def selected_ids(self) -> list[int]:
        return self.features.results.selected_ids()

    def current_id(self) -> int | None:
        return self.features.results.current_id()

    def select_rows(self, rows: Sequence[int]) -> None:
        self.features.results.select_rows(rows)

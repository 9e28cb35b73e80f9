"""The Versions panel under the reader: the current release's other versions (re-issues,
corrections, re-posts) with their dates, sources and similarity; any two read side by side
with the word diff; split, merge and "not a version" to correct them. Also the results'
"first versions only" option and the rebuild of an archive's versions."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.changes import Changes
from archive_browser.core.lineage import VersionsReport
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.background import versions_job
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature, MenuItem
from archive_browser.gui.features.comparing import CompareFeature
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import job_op, read_op, write_op
from archive_browser.gui.plain import literal
from archive_browser.gui.results_model import readable_source

RELEASE_ID = Qt.ItemDataRole.UserRole + 1
HEADERS = ("Date", "Alike", "Source", "Title")


class VersionsPanel(QWidget):
    """The versions of one release, first seen first; the release itself is in bold."""

    compare_requested = Signal(int, int)
    split_requested = Signal(int)
    not_version_requested = Signal(int, int)
    merge_requested = Signal(int)
    rebuild_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: VersionsReport | None = None
        self.title = QLabel("Versions")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.model = QStandardItemModel(0, len(HEADERS), self)
        self.model.setHorizontalHeaderLabels(list(HEADERS))
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        # Compact rows: a few versions show without scrolling in a low panel.
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(len(HEADERS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, self.table.fontMetrics().horizontalAdvance("2022-12-31") + 24)
        self.table.setColumnWidth(1, self.table.fontMetrics().horizontalAdvance("100%") + 24)
        self.table.setColumnWidth(2, 130)
        self.table.doubleClicked.connect(lambda _i: self.compare_chosen())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        # A tool bar: what does not fit goes under its » button (the panel stays narrow).
        bar = QToolBar(self)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.compare_button = bar.addAction("Read side by side", self.compare_chosen)
        self.compare_button.setToolTip(
            "Read the two versions selected side by side (or the one selected beside this one)"
        )
        self.split_button = bar.addAction("Not a version", self._not_version)
        self.split_button.setToolTip(
            "The selected release is not a version of this one (kept apart from now on)"
        )
        self.out_button = bar.addAction("Take out", self._split)
        self.out_button.setToolTip("Take the selected release out of these versions")
        self.merge_button = bar.addAction("Merge with…", self._merge)
        self.merge_button.setToolTip(
            "Make these versions one with those of another release (picked in the results next)"
        )
        self.rebuild_button = bar.addAction("Find versions", self.rebuild_requested.emit)
        self.rebuild_button.setToolTip("Compare every release of the archive to find versions")
        self.bar = bar
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(bar)
        self.writable = True
        self.show_report(None)

    # --- contents

    def show_report(self, report: VersionsReport | None) -> None:
        """Fills the panel (None: nothing to show)."""
        self.report = report
        self.model.removeRows(0, self.model.rowCount())
        self.rebuild_button.setVisible(report is not None and not report.built)
        if report is None:
            self.title.setText("Versions")
        elif not report.built:
            self.title.setText("Versions: not looked for in this archive yet.")
        elif not report.others():
            self.title.setText("Versions: no other version of this release.")
        else:
            n = len(report.versions)
            first = report.versions[0]
            self.title.setText(
                f"{n} versions of this release · first seen {first.date or 'undated'}"
                + (" (this one)" if first.id == report.id else f" (#{first.id})")
            )
        self.table.setVisible(report is not None and bool(report.others()))
        me = report.id if report is not None else None
        for v in report.versions if report is not None else []:
            mark = " · first seen" if v.first else ""
            cells = [
                v.date or "no date",
                "this" if v.id == me else f"{v.similarity:.0%}",
                readable_source(v.source) or "no source",
                f"#{v.id}  {v.title}{mark}",
            ]
            items = []
            for column, text in enumerate(cells):
                item = QStandardItem(text)
                item.setData(v.id, RELEASE_ID)
                item.setToolTip(
                    literal(f"#{v.id} {v.title}\n{v.source}")
                    if column != 1
                    else f"Exact similarity {v.similarity:.3f}; MinHash estimate {v.estimate:.2f}"
                )
                if v.id == me:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                if column == 1:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                items.append(item)
            self.model.appendRow(items)
        self._enable()

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [int(self.model.item(r, 0).data(RELEASE_ID)) for r in rows]

    def select_id(self, release_id: int) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(RELEASE_ID) == release_id:
                self.table.selectRow(row)

    def _enable(self) -> None:
        report = self.report
        chosen = self.selected_ids()
        others = [i for i in chosen if report is not None and i != report.id]
        can_pair = len(chosen) == 2 or (len(chosen) == 1 and bool(others))
        self.compare_button.setEnabled(can_pair)
        for button in (self.out_button, self.split_button):
            button.setEnabled(self.writable and len(others) == 1 and len(chosen) == 1)
        self.merge_button.setEnabled(self.writable and report is not None and report.built)
        self.rebuild_button.setEnabled(self.writable)

    # --- what the buttons ask for

    def compare_chosen(self) -> None:
        report = self.report
        chosen = self.selected_ids()
        if report is None:
            return
        if len(chosen) == 1 and chosen[0] != report.id:
            self.compare_requested.emit(report.id, chosen[0])
        elif len(chosen) == 2:
            self.compare_requested.emit(chosen[0], chosen[1])

    def _split(self) -> None:
        chosen = self.selected_ids()
        if self.report is not None and len(chosen) == 1 and chosen[0] != self.report.id:
            self.split_requested.emit(chosen[0])

    def _not_version(self) -> None:
        chosen = self.selected_ids()
        if self.report is not None and len(chosen) == 1 and chosen[0] != self.report.id:
            self.not_version_requested.emit(self.report.id, chosen[0])

    def _merge(self) -> None:
        if self.report is not None:
            self.merge_requested.emit(self.report.id)


class VersionsFeature(Feature):
    """Keeps the Versions panel on the release the results are on, and carries out what its
    buttons ask (each write says what changed, so the results' version column follows)."""

    shown = Signal()  # the panel holds the versions of the current release

    def __init__(
        self, ctx: WindowContext, results: ResultsFeature, compare: CompareFeature
    ) -> None:
        super().__init__(ctx)
        self.results = results
        self.compare = compare
        self.panel = VersionsPanel(ctx.window)
        self.panel.compare_requested.connect(compare.open)
        self.panel.split_requested.connect(self.split)
        self.panel.not_version_requested.connect(self.not_version)
        self.panel.merge_requested.connect(self.start_merge)
        self.panel.rebuild_requested.connect(self.rebuild)
        self.first_only = QCheckBox("First versions only")
        self.first_only.setToolTip("Hide releases that are later versions of another (re-posts)")
        self.first_only.toggled.connect(self._first_only_toggled)
        # It must not make the results column wider than the table needs.
        self.first_only.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        results.current_changed.connect(self.show_versions)
        results.add_menu_items(self._menu_items)
        self._merge_from: int | None = None
        self._seq = 0

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "view.versions",
                "&Versions of this release",
                "view",
                self.focus_panel,
                "Ctrl+Shift+V",
                When(archive=True, min_selected=1),
                section=2,
            ),
            ActionSpec(
                "search.first_versions",
                "First versions only (on/off)",
                "search",
                self.first_only.toggle,
                when=When(archive=True),
                order=3,
            ),
            ActionSpec(
                "tools.find_versions",
                "Find &versions again",
                "tools",
                self.rebuild,
                when=When(writable=True, idle=True),
                section=1,
            ),
        ]

    def _menu_items(self, ids: list[int]) -> list[MenuItem]:
        if len(ids) == 2 and self.ctx.writable:
            a, b = ids
            return [
                None,
                ("Versions of each other", lambda: self.merge(a, b)),
                ("Not versions of each other", lambda: self.not_version(a, b)),
            ]
        return []

    # --- showing

    def show_versions(self, release_id: int) -> None:
        """Reads the release's versions on a worker and fills the panel with them."""
        self._seq += 1
        seq = self._seq
        if self._merge_from is not None and release_id != self._merge_from:
            other, self._merge_from = self._merge_from, None
            self.ctx.status.clearMessage()
            self.merge(other, release_id)

        def done(report: VersionsReport) -> None:
            if seq == self._seq:
                self.panel.writable = self.ctx.writable
                self.panel.show_report(report)
                self.shown.emit()

        def failed(_error: BaseException, _details: str) -> None:
            if seq == self._seq:
                self.panel.show_report(None)  # (a release deleted meanwhile)

        read_op(self.ctx, lambda archive: archive.versions(release_id), done, failed)

    def open_for(self, release_id: int) -> None:
        """Shows the versions of a release (from the import summary) and puts focus there."""
        row = self.results.model.row_of(release_id)
        if row is not None:
            self.results.select_rows([row])
        else:
            self.show_versions(release_id)
        self.focus_panel()

    def focus_panel(self) -> None:
        self.panel.show()
        self.panel.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _first_only_toggled(self, on: bool) -> None:
        self.results.first_versions = on
        self.results.run_search()

    # --- correcting

    def split(self, release_id: int) -> None:
        write_op(self.ctx, lambda a: a.split_version(release_id))

    def not_version(self, a: int, b: int) -> None:
        write_op(self.ctx, lambda archive: archive.mark_not_version(a, b))

    def merge(self, a: int, b: int) -> None:
        write_op(self.ctx, lambda archive: archive.merge_versions(a, b))

    def start_merge(self, release_id: int) -> None:
        self._merge_from = release_id
        self.ctx.show_status("Select the release whose versions to merge with these.")

    def rebuild(self) -> None:
        archive = self.ctx.archive
        if archive is not None and not archive.readonly:
            job_op(self.ctx, versions_job(archive), "Finding versions")

    def on_changes(self, changes: Changes) -> None:
        current = self.results.current_id()
        report = self.panel.report
        shown = set() if report is None else {v.id for v in report.versions}
        if current is not None and (
            changes.everything or (changes.versions and (changes.releases & (shown | {current})))
        ):
            self.show_versions(current)

    def on_closed(self) -> None:
        self._merge_from = None
        self.panel.show_report(None)

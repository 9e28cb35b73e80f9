"""Dialogs: tagging, editing metadata, correcting a proposed split, the import summary and the
list of keyboard shortcuts."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.archive import ImportReport
from archive_browser.core.importers import Paragraph, build_items
from archive_browser.core.model import KINDS, Release
from archive_browser.gui.plain import literal

# --- tagging -----------------------------------------------------------------------------------


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma."""

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index) -> str:
        text = self.widget().text() if self.widget() else ""
        head = text.rsplit(",", 1)[0] + ", " if "," in text else ""
        return head + str(index.data())


class TagDialog(QDialog):
    """Adds and removes tags on one or many releases."""

    def __init__(
        self,
        parent: QWidget | None,
        count: int,
        current: dict[str, int],
        all_tags: list[str],
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Tags")
        self._current = current
        self._count = count
        layout = QVBoxLayout(self)
        had = ", ".join(
            f"{name} ({current[name]:,})"
            for name in sorted(current, key=lambda n: (-current[n], n.casefold()))
        )
        self.summary = QLabel(
            f"Tags of {count:,} selected release{'s' if count != 1 else ''}: {had or 'none yet'}"
        )
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.list = QListWidget()
        for name in sorted(current, key=str.casefold):
            item = QListWidgetItem(f"{name}  ({current[name]:,} of {count:,})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            flags = item.flags() | Qt.ItemFlag.ItemIsUserCheckable
            if 0 < current[name] < count:
                flags |= Qt.ItemFlag.ItemIsUserTristate
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.PartiallyChecked)
            else:
                item.setFlags(flags)
                item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        self.list.setVisible(bool(current))
        layout.addWidget(self.list)
        layout.addWidget(QLabel("Add tags (separate several with commas):"))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("e.g. Afghanistan, summit")
        completer = TagCompleter(QStringListModel(sorted(all_tags, key=str.casefold)), self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.edit.setCompleter(completer)
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.edit.setFocus()

    def to_add(self) -> list[str]:
        typed = [t.strip() for t in self.edit.text().split(",") if t.strip()]
        full = [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
            and self._current[self.list.item(i).data(Qt.ItemDataRole.UserRole)] < self._count
        ]
        return list(dict.fromkeys([*typed, *full]))

    def to_remove(self) -> list[str]:
        return [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Unchecked
        ]


# --- metadata ---------------------------------------------------------------------------------


class MetadataDialog(QDialog):
    """Edits title, date, source, kind, place, language, summary and notes of a release."""

    def __init__(self, parent: QWidget | None, release: Release, languages: list[str]) -> None:
        super().__init__(parent)
        self.release = release
        self.setWindowTitle(f"Edit release #{release.id}")
        self.resize(620, 480)
        form = QFormLayout()
        self.title = QLineEdit(release.title)
        self.date = QLineEdit(release.date or "")
        self.date.setPlaceholderText("YYYY-MM-DD (empty when unknown)")
        self.source = QLineEdit(release.source)
        self.kind = QComboBox()
        self.kind.setEditable(True)
        self.kind.addItems(list(dict.fromkeys([release.kind, *KINDS])) if release.kind else KINDS)
        self.kind.setCurrentText(release.kind)
        self.place = QLineEdit(release.place)
        self.language = QComboBox()
        self.language.setEditable(True)
        self.language.addItems(sorted({release.language, "en", "ru", *languages} - {""}))
        self.language.setCurrentText(release.language)
        self.url = QLineEdit(release.url)
        self.summary = QPlainTextEdit(release.summary)
        self.summary.setMaximumHeight(70)
        self.notes = QPlainTextEdit(release.notes)
        for label, widget in (
            ("Title", self.title),
            ("Date", self.date),
            ("Source", self.source),
            ("Kind", self.kind),
            ("Place", self.place),
            ("Language", self.language),
            ("URL", self.url),
            ("Summary", self.summary),
            ("Notes", self.notes),
        ):
            form.addRow(label, widget)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def changes(self) -> dict[str, str | None]:
        """The fields the user changed, with their new values."""
        values: dict[str, str | None] = {
            "title": self.title.text().strip(),
            "date": self.date.text().strip() or None,
            "source": self.source.text().strip(),
            "kind": self.kind.currentText().strip(),
            "place": self.place.text().strip(),
            "language": self.language.currentText().strip(),
            "url": self.url.text().strip(),
            "summary": self.summary.toPlainText().strip(),
            "notes": self.notes.toPlainText().strip(),
        }
        changed: dict[str, str | None] = {}
        for name, value in values.items():
            old = getattr(self.release, name)
            if value != (old or None if name == "date" else old):
                changed[name] = value
        return changed


# --- correcting a proposed split --------------------------------------------------------------

PARAGRAPH_ROLE = Qt.ItemDataRole.UserRole + 1


class SplitPreviewDialog(QDialog):
    """Shows how text files will be split into releases; the user merges or splits items before
    anything is stored."""

    def __init__(
        self, parent: QWidget | None, previews: dict[Path, tuple[list[Paragraph], list[int]]]
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Check how the text files are split into releases")
        self.resize(900, 600)
        self.previews = previews
        self.starts = {path: list(starts) for path, (_, starts) in previews.items()}
        self.files = QListWidget()
        for path in previews:
            item = QListWidgetItem(path.name)
            item.setToolTip(literal(str(path)))
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.files.addItem(item)
        self.files.currentRowChanged.connect(lambda _r: self._show())
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Release / paragraph"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.currentItemChanged.connect(lambda *_: self._enable())
        self.merge_button = QPushButton("Merge with next")
        self.merge_button.setToolTip("Join the selected release and the one after it")
        self.split_button = QPushButton("Start a release here")
        self.split_button.setToolTip("Make the selected paragraph the first of a new release")
        self.reset_button = QPushButton("Reset")
        self.merge_button.clicked.connect(self.merge_selected)
        self.split_button.clicked.connect(self.split_at_selected)
        self.reset_button.clicked.connect(self._reset)
        self.summary = QLabel("")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)

        right = QVBoxLayout()
        right.addWidget(self.summary)
        right.addWidget(self.tree, 1)
        actions = QHBoxLayout()
        for b in (self.merge_button, self.split_button, self.reset_button):
            actions.addWidget(b)
        actions.addStretch(1)
        right.addLayout(actions)
        body = QHBoxLayout()
        if len(previews) > 1:
            self.files.setMaximumWidth(240)
            body.addWidget(self.files)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.files.setCurrentRow(0)
        self._show()

    def current_path(self) -> Path:
        item = self.files.currentItem() or self.files.item(0)
        return Path(item.data(Qt.ItemDataRole.UserRole))

    def _show(self) -> None:
        path = self.current_path()
        paragraphs, _ = self.previews[path]
        starts = self.starts[path]
        self.tree.clear()
        items = build_items(paragraphs, starts)
        bounds = [*starts, len(paragraphs)]
        for n, ((title, _body), a, b) in enumerate(zip(items, bounds, bounds[1:], strict=False)):
            top = QTreeWidgetItem(self.tree, [f"{n + 1}. {title}"])
            top.setData(0, PARAGRAPH_ROLE, a)
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            for i in range(a, b):
                text = paragraphs[i].text
                child = QTreeWidgetItem(top, [text[:160] + ("…" if len(text) > 160 else "")])
                child.setToolTip(0, literal(text[:1000]))
                child.setData(0, PARAGRAPH_ROLE, i)
            top.setExpanded(True)
        self.summary.setText(
            f"{path.name}: {len(items)} release{'s' if len(items) != 1 else ''} from "
            f"{len(paragraphs)} paragraphs"
        )
        self._enable()

    def _selected_release(self) -> int | None:
        """Index (among the releases) of the selected release or of its paragraph."""
        item = self.tree.currentItem()
        if item is None:
            return None
        top = item if item.parent() is None else item.parent()
        return self.tree.indexOfTopLevelItem(top)

    def _enable(self) -> None:
        item = self.tree.currentItem()
        n = self._selected_release()
        starts = self.starts[self.current_path()] if self.previews else []
        self.merge_button.setEnabled(n is not None and n + 1 < len(starts))
        self.split_button.setEnabled(
            item is not None
            and item.parent() is not None
            and item.data(0, PARAGRAPH_ROLE) not in starts
        )

    def merge_selected(self) -> None:
        n = self._selected_release()
        starts = self.starts[self.current_path()]
        if n is not None and n + 1 < len(starts):
            del starts[n + 1]
            self._show()
            self.tree.setCurrentItem(self.tree.topLevelItem(n))

    def split_at_selected(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.parent() is None:
            return
        paragraph = item.data(0, PARAGRAPH_ROLE)
        starts = self.starts[self.current_path()]
        if paragraph not in starts:
            starts.append(paragraph)
            starts.sort()
            self._show()

    def _reset(self) -> None:
        path = self.current_path()
        self.starts[path] = list(self.previews[path][1])
        self._show()


# --- the import summary -----------------------------------------------------------------------


class ImportSummaryDialog(QDialog):
    """What an import did, file by file: imported, duplicates, failed with the reason; and the
    possible duplicates it stored, each pair one click from being read side by side."""

    #: (the release in the archive, the one this import stored with its text)
    compare_requested = Signal(int, int)
    #: A release whose versions to show (the Versions panel)
    versions_requested = Signal(int)

    def __init__(self, parent: QWidget | None, report: ImportReport) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import finished" if not report.cancelled else "Import cancelled")
        self.resize(760, 420)
        layout = QVBoxLayout(self)
        failed = sum(1 for f in report.files if f.failed)
        text = (
            f"<b>{len(report.imported_ids):,}</b> releases imported, "
            f"<b>{len(report.duplicate_ids):,}</b> already in the archive, "
            f"<b>{failed:,}</b> file{'s' if failed != 1 else ''} with problems."
        )
        if report.cancelled:
            text += "<br>The import was cancelled; what was imported before is kept."
        label = QLabel(text)
        label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(label)
        self.table = QTableWidget(len(report.files), 4)
        self.table.setHorizontalHeaderLabels(["File", "Imported", "Duplicates", "Problems"])
        for row, outcome in enumerate(report.files):
            cells = [
                Path(outcome.path).name,
                str(len(outcome.imported)),
                str(len(outcome.duplicates)),
                "; ".join(outcome.errors),
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if column == 0:
                    item.setToolTip(literal(outcome.path))
                if column == 3 and value:
                    item.setToolTip(literal(value))
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        # Releases stored although their text is in the archive already (another title, date,
        # URL or source): each pair one click from being read side by side.
        self.possible = [m for m in report.matches if m.kind == "possible" and m.id is not None]
        self.pairs = QTableWidget(len(self.possible), 4)
        if self.possible:
            layout.addWidget(
                QLabel(
                    f"{len(self.possible):,} stored with the text of a release already in the "
                    "archive (another title, date, address or source): possible duplicates."
                )
            )
            self.pairs.setHorizontalHeaderLabels(["Release", "Same text as", "", ""])
            for row, match in enumerate(self.possible):
                cells = [f"#{match.id} {match.title}", f"#{match.matched_id}"]
                for column, value in enumerate(cells):
                    item = QTableWidgetItem(value)
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                    item.setToolTip(literal(value))
                    self.pairs.setItem(row, column, item)
                button = QPushButton("Read side by side")
                button.clicked.connect(
                    lambda _=False, m=match: self.compare_requested.emit(m.matched_id, m.id)
                )
                self.pairs.setCellWidget(row, 2, button)
                versions = QPushButton("Versions")
                versions.setToolTip("Show every version of this release")
                versions.clicked.connect(
                    lambda _=False, m=match: self.versions_requested.emit(m.id)
                )
                self.pairs.setCellWidget(row, 3, versions)
            self.pairs.resizeColumnsToContents()
            self.pairs.horizontalHeader().setStretchLastSection(True)
            layout.addWidget(self.pairs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


# --- keyboard shortcuts -----------------------------------------------------------------------

SHORTCUTS = [
    ("Ctrl+F or /", "Search"),
    ("Enter", "Read the selected release (in the results)"),
    ("Up / Down", "Move through the results"),
    ("F3 / Shift+F3", "Next / previous hit in the reader"),
    ("Ctrl+T", "Tag the selected releases"),
    ("Ctrl+E", "Edit the selected release"),
    ("Ctrl+D", "Read the two selected releases side by side"),
    ("Esc", "Close the side-by-side view"),
    ("Ctrl+Shift+V", "The versions of the release being read"),
    ("Ctrl+S", "Save the current search"),
    ("Ctrl+Z", "Undo the last tag operation"),
    ("Ctrl++ / Ctrl+-", "Larger / smaller text"),
    ("Ctrl+I", "Import files"),
    ("Ctrl+Shift+I", "Import a folder"),
    ("Ctrl+P", "Export the selected releases to PDF"),
    ("Ctrl+O", "Open an archive"),
    ("Ctrl+Q", "Quit"),
    ("F1", "This list"),
]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(self)
        table = QTableWidget(len(SHORTCUTS), 2)
        table.setHorizontalHeaderLabels(["Keys", "Does"])
        for row, (keys, what) in enumerate(SHORTCUTS):
            table.setItem(row, 0, QTableWidgetItem(keys))
            table.setItem(row, 1, QTableWidgetItem(what))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        layout.addWidget(table)
        self.resize(520, 520)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


# --- export -----------------------------------------------------------------------------------


class ExportDialog(QDialog):
    """Where and how to export: the selection or all results, the order, highlighting."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        selected: int,
        results: int,
        query: str,
        suggested: Path,
        highlightable: bool = True,
    ) -> None:
        """`highlightable` is False when the query marks no word (only tags or filters)."""
        super().__init__(parent)
        self.setWindowTitle("Export releases")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.scope = QComboBox()
        if selected:
            self.scope.addItem(
                f"The {selected:,} selected release{'s' if selected != 1 else ''}", "selected"
            )
        self.scope.addItem(f"All {results:,} current results", "results")
        form.addRow("Export", self.scope)
        self.order = QComboBox()
        self.order.addItem("As in the results", "shown")
        self.order.addItem("Oldest first", "date")
        self.order.addItem("Newest first", "-date")
        form.addRow("Order", self.order)
        self.highlight = QCheckBox(f"Highlight the hits of “{query}”" if query else "Highlight")
        can = bool(query) and highlightable
        self.highlight.setChecked(can)
        self.highlight.setEnabled(can)
        if can:  # no option where there is nothing to highlight
            form.addRow("", self.highlight)
        else:
            self.highlight.hide()
        path_row = QHBoxLayout()
        self.path = QLineEdit(str(suggested))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        form.addRow("File", path_row)
        hint = QLabel(
            "PDF to read, print and file; CSV or JSON to import elsewhere; a .zip (or a new "
            "folder) for a BagIt bag that archives can check (by the ending)."
        )
        hint.setWordWrap(True)
        form.addRow("", hint)
        self.open_after = QCheckBox("Open the file when it is written")
        self.open_after.setChecked(True)
        form.addRow("", self.open_after)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "Export to",
            self.path.text(),
            "PDF (*.pdf);;CSV (*.csv);;JSON (*.json);;BagIt bag (*.zip)",
        )
        if name:
            self.path.setText(name)

    def out(self) -> Path:
        return Path(self.path.text().strip()).expanduser()

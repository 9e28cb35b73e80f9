"""Where a release came from, under the reader ("Where this came from", with "Open original
file"), and Tools > Verify original files: the fixity check as a job, with its result and
the log of earlier checks in a dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from archive_browser.core.errors import UserFacingError
from archive_browser.core.provenance import NOT_RECORDED, Provenance
from archive_browser.gui.actions import ActionSpec, When
from archive_browser.gui.background import verify_job
from archive_browser.gui.context import WindowContext
from archive_browser.gui.features.base import Feature
from archive_browser.gui.features.exporting import ExportFeature
from archive_browser.gui.features.reading import ReadingFeature
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.operations import job_op

#: How many characters of a SHA-256 the panel shows (the whole one is in its tooltip).
SHORT_SHA = 16


class ProvenancePanel(QGroupBox):
    """The provenance of the release being read, and a button to open its kept original."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Where this came from", parent)
        self.provenance: Provenance | None = None
        self.original: Path | None = None
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setContentsMargins(6, 2, 6, 2)
        for key, label in (
            ("file", "File"),
            ("path", "Path"),
            ("sha256", "SHA-256"),
            ("record", "Record"),
            ("importer", "Importer"),
            ("batch", "Imported"),
        ):
            value = QLabel("")
            value.setTextFormat(value.textFormat().PlainText)
            value.setWordWrap(True)
            value.setTextInteractionFlags(value.textInteractionFlags().TextSelectableByMouse)
            self.values[key] = value
            form.addRow(f"{label}:", value)
        self.copy_button = QPushButton("Copy SHA-256")
        self.copy_button.setToolTip("Copy the whole SHA-256 of the original file")
        self.copy_button.clicked.connect(self.copy_sha256)
        self.open_button = QPushButton("Open original file")
        self.open_button.setToolTip("Open the original file kept in the archive (read-only)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.open_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addLayout(buttons)
        self.hide()

    def show_provenance(self, provenance: Provenance, original: Path | None) -> None:
        self.provenance, self.original = provenance, original
        v = self.values
        if not provenance.recorded:
            v["file"].setText(NOT_RECORDED)
            for key in ("path", "sha256", "record", "importer", "batch"):
                v[key].setText("")
            v["sha256"].setToolTip("")
        else:
            v["file"].setText(provenance.name)
            v["path"].setText(provenance.path)
            sha = provenance.sha256
            v["sha256"].setText(f"{sha[:SHORT_SHA]}…" if sha else "unknown")
            v["sha256"].setToolTip(sha)
            v["record"].setText(provenance.record or "the whole file")
            v["importer"].setText(f"{provenance.importer} {provenance.importer_version}".strip())
            batch = provenance.batch
            v["batch"].setText(f"{batch.started} (batch {batch.id})" if batch else "")
        self.copy_button.setEnabled(bool(provenance.sha256))
        self.open_button.setVisible(original is not None)
        self.show()

    def copy_sha256(self) -> None:
        if self.provenance is not None and self.provenance.sha256:
            QGuiApplication.clipboard().setText(self.provenance.sha256)

    def clear(self) -> None:
        self.provenance, self.original = None, None
        self.hide()


class VerifyDialog(QDialog):
    """The result of a fixity check, with the log of earlier ones."""

    def __init__(self, parent: QWidget | None, report: Any, log: list[Any]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Verify original files")
        if report.ok:
            summary = f"All {report.checked:,} kept original files are unchanged."
        else:
            summary = (
                f"Checked {report.checked:,} kept original files: {len(report.missing):,} "
                f"missing, {len(report.changed):,} changed."
                + (" (Cancelled.)" if report.cancelled else "")
            )
        self.summary = QLabel(summary)
        self.summary.setWordWrap(True)
        lines = []
        for p in report.problems:
            ids = ", ".join(map(str, p.releases)) or "none"
            lines.append(f"{p.problem}: {p.path}\n    releases {ids}")
        if report.problems:
            lines.append(
                "Restore them from a backup (File > Restore, or 'archive-browser restore')."
            )
        lines.append("\nEarlier checks:")
        for r in log:
            result = (
                "all unchanged"
                if not (r.missing or r.changed)
                else (f"{r.missing:,} missing, {r.changed:,} changed")
            )
            lines.append(f"  {r.started}: {r.checked:,} checked in {r.duration:.1f} s, {result}")
        self.details = QPlainTextEdit("\n".join(lines))
        self.details.setReadOnly(True)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.details, 1)
        layout.addWidget(box)
        self.resize(640, 360)


class ProvenanceFeature(Feature):
    """The reader's "Where this came from" and Tools > Verify original files."""

    def __init__(
        self,
        ctx: WindowContext,
        results: ResultsFeature,
        reading: ReadingFeature,
        exporting: ExportFeature,
    ) -> None:
        super().__init__(ctx)
        self.results = results
        self.exporting = exporting
        self.panel = ProvenancePanel(reading.reader)
        layout = reading.reader.layout()
        if layout is not None:
            layout.addWidget(self.panel)
        self.panel.open_button.clicked.connect(self.open_original)
        self.dialog: VerifyDialog | None = None
        results.current_changed.connect(self.show_for)
        results.nothing_found.connect(self.panel.clear)

    def actions(self) -> list[ActionSpec]:
        return [
            ActionSpec(
                "tools.verify",
                "&Verify original files",
                "tools",
                self.verify,
                when=When(writable=True, idle=True),
                order=2,
            )
        ]

    def show_for(self, release_id: int) -> None:
        archive = self.ctx.archive
        if archive is None:
            return
        try:
            provenance = archive.provenance(release_id)
        except UserFacingError:
            self.panel.clear()
            return
        self.panel.show_provenance(provenance, archive.original_file(release_id))

    def open_original(self) -> None:
        """Opens the kept original through the program the desktop uses for its type."""
        if self.panel.original is not None:
            self.exporting.open_file(self.panel.original)

    def verify(self) -> None:
        archive = self.ctx.archive
        if archive is not None and not archive.readonly:
            job_op(self.ctx, verify_job(archive), "Verifying original files", self._verified)

    def _verified(self, report: Any) -> None:
        archive = self.ctx.archive
        if report is None or archive is None:
            self.ctx.show_status("Verification cancelled.", 8000)
            return
        log = archive.fixity.verifications(limit=20)
        self.dialog = VerifyDialog(self.ctx.window, report, log)
        self.dialog.open()

    def on_closed(self) -> None:
        self.panel.clear()

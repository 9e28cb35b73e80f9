"""Export to PDF from the window: the dialog, the background job, opening the file."""

from __future__ import annotations

import csv
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import Qt

from archive_browser.gui.dialogs import ExportDialog
from tests.core.test_export import highlight_rects


def test_export_selected_to_pdf_with_highlights(qtbot, window, tmp_path: Path) -> None:
    opened: list[Path] = []
    window.features.exporting.open_file = opened.append
    window.search.edit.setText("CSTO")
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.features.results.run_search()
    window.select_rows([0, 1])
    chosen = window.selected_ids()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.scope.currentData() == "selected" and "2 selected" in dialog.scope.currentText()
    assert dialog.highlight.isChecked()  # a query is active
    out = tmp_path / "selection.pdf"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        dialog.accept()
        assert window.progress.isVisible()
    report = finished.args[0]
    assert report.count == 2 and report.path == out and out.exists()
    assert opened == [out]
    pdf = PdfReader(out)
    assert len(pdf.outline) == 2
    text = "".join(page.extract_text() for page in pdf.pages)
    for release in window.archive.get_many(chosen):
        assert release.title.split()[0] in text
    assert sum(highlight_rects(pdf, p) for p in range(len(pdf.pages))) > 0
    assert "Exported 2 releases" in window.statusBar().currentMessage()


def test_export_all_results_to_csv_by_date(qtbot, window, tmp_path: Path) -> None:
    window.features.exporting.open_file = lambda path: None
    dialog = window.features.exporting.choose(".csv")
    assert dialog is not None
    dialog.scope.setCurrentIndex(dialog.scope.findData("results"))
    dialog.order.setCurrentIndex(dialog.order.findData("date"))
    assert not dialog.highlight.isEnabled()  # no query
    out = tmp_path / "all.csv"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        dialog.accept()
    assert finished.args[0].count == 8
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    assert "title" in header and "body" in header and "tags" in header
    dates = [
        row["date"] for row in csv.DictReader(out.read_text(encoding="utf-8-sig").splitlines())
    ]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[-1] == ""


def test_export_with_nothing_shown_says_so(qtbot, window) -> None:
    from tests.gui.helpers import search

    search(qtbot, window, "nosuchwordanywhere")
    assert window.features.exporting.choose(".pdf") is None
    assert window.recorded.messages == ["There is nothing to export: no release is shown."]

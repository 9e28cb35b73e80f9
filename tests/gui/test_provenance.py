"""The reader's "Where this came from" with "Open original file", and Tools > Verify."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from archive_browser.core.provenance import NOT_RECORDED
from tests.fixtures import formats as F
from tests.gui.helpers import search


def _archive_with_pdf(tmp_path: Path) -> tuple[Path, Path]:
    folder = tmp_path / "archive"
    pdf = F.pdf_pages(tmp_path / "Dushanbe.pdf", ["The Dushanbe summit adopted a declaration."])
    with Archive.open(folder) as archive:
        run(archive.import_paths([pdf]))
        archive.store.db.execute(  # one release stored before provenance was recorded
            "INSERT INTO releases (title, body, checksum, text_checksum, added, modified) "
            "VALUES ('Old Tashkent note', 'An old Tashkent note.', 'c', 't', '2020', '2020')"
        )
        archive.store.conn.commit()
        run(archive.reindex())
    return folder, pdf


def test_the_reader_says_where_a_release_came_from(qtbot, make_window, tmp_path: Path) -> None:
    folder, pdf = _archive_with_pdf(tmp_path)
    window = make_window(folder)
    opened: list[Path] = []
    window.features.exporting.open_file = opened.append
    search(qtbot, window, "Dushanbe")
    panel = window.features.provenance.panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.provenance is not None, timeout=5000)
    digest = hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert panel.title() == "Where this came from"
    assert panel.values["file"].text() == "Dushanbe.pdf"
    assert panel.values["path"].text() == str(pdf.resolve())
    assert panel.values["sha256"].text() == digest[:16] + "…"
    assert panel.values["sha256"].toolTip() == digest
    assert panel.values["importer"].text().startswith("pdf ")
    assert "batch 1" in panel.values["batch"].text()
    panel.copy_button.click()
    assert QGuiApplication.clipboard().text() == digest
    assert panel.open_button.isVisible()
    panel.open_button.click()
    assert len(opened) == 1 and opened[0].read_bytes() == pdf.read_bytes()
    assert str(opened[0]).startswith(str(folder / "originals"))
    # A release from before provenance was recorded says so, and has nothing to open.
    search(qtbot, window, "Tashkent")
    qtbot.waitUntil(lambda: panel.values["file"].text() == NOT_RECORDED, timeout=5000)
    assert not panel.open_button.isVisible() and not panel.copy_button.isEnabled()


def test_tools_verify_reports_a_changed_original_and_logs_it(
    qtbot, make_window, tmp_path: Path
) -> None:
    folder, _pdf = _archive_with_pdf(tmp_path)
    [kept] = [p for p in (folder / "originals").rglob("*.pdf")]
    os.chmod(kept, 0o600)
    data = bytearray(kept.read_bytes())
    data[100] ^= 1
    kept.write_bytes(bytes(data))
    window = make_window(folder)
    # The release stored by hand has no paragraph hashes: the window hashes it on opening.
    qtbot.waitUntil(lambda: not window.context.jobs.busy, timeout=60000)
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        window.action("tools.verify").trigger()
        assert window.cancel_button.isVisible()
    report = finished.args[0]
    assert report is not None and [p.problem for p in report.problems] == ["changed"]
    dialog = window.features.provenance.dialog
    qtbot.waitUntil(lambda: dialog is not None and dialog.isVisible(), timeout=5000)
    assert "1 changed" in dialog.summary.text()
    assert f"changed: {kept}" in dialog.details.toPlainText()
    assert "releases 1" in dialog.details.toPlainText()
    assert "Earlier checks:" in dialog.details.toPlainText()
    assert len(window.archive.fixity.verifications()) == 1
    dialog.close()

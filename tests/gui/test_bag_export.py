"""Export as a BagIt bag from the window: File > Export as a BagIt bag…, the export dialog
with a .zip suggested, the background job, a bag that validates."""

from __future__ import annotations

import shutil
from pathlib import Path

import bagit


def test_export_the_results_as_a_bag_that_validates(qtbot, window, tmp_path: Path) -> None:
    window.features.exporting.open_file = lambda path: None
    assert "BagIt" in window.action("file.export_bag").text()
    dialog = window.features.exporting.choose(".zip")
    assert dialog is not None and dialog.out().suffix == ".zip"
    dialog.scope.setCurrentIndex(dialog.scope.findData("results"))
    out = tmp_path / "releases.zip"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        dialog.accept()
    report = finished.args[0]
    assert report.format == "bag" and report.count == 8 and out.is_file()
    shutil.unpack_archive(out, tmp_path / "unpacked")
    bag = bagit.Bag(str(tmp_path / "unpacked" / "releases"))
    bag.validate()
    assert len([p for p in bag.payload_files() if p.endswith(".txt")]) == 8

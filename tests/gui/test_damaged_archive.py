"""Opening a damaged archive in the window: one dialog naming the damage with the ways out."""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt

from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.jobs import run
from archive_browser.gui.damaged import DamagedArchiveDialog


def damaged_copy(sample_archive: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A backup of the sample archive, and a copy of it whose file is cut in half."""
    with Archive.open(sample_archive) as archive:
        run(archive.backup(tmp_path / "backup"))
        count = archive.count()
    folder = tmp_path / "damaged"
    shutil.copytree(sample_archive, folder, ignore=shutil.ignore_patterns("archive.lock"))
    db = folder / DB_NAME
    db.write_bytes(db.read_bytes()[: db.stat().st_size // 2])
    assert count > 0
    return folder, tmp_path / "backup"


def test_damaged_archive_offers_restore_salvage_and_read_only(
    make_window, qtbot, sample_archive: Path, tmp_path: Path
) -> None:
    folder, backup = damaged_copy(sample_archive, tmp_path)
    before = (folder / DB_NAME).read_bytes()
    window = make_window()
    assert window.open_archive(folder)
    dialog = window.findChild(DamagedArchiveDialog)
    assert dialog is not None and dialog.isVisible()
    assert "damaged" in dialog.message.text() and "cut short" in dialog.message.text()
    assert dialog.message.textFormat() == Qt.TextFormat.PlainText
    labels = [dialog.restore_button.text(), dialog.salvage_button.text()]
    assert labels == ["Restore a backup…", "Salvage into a new archive…"]
    assert window.archive is not None and window.archive.readonly
    qtbot.mouseClick(dialog.read_only_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert window.archive.readonly and window.archive.damage is not None
    assert (folder / DB_NAME).read_bytes() == before  # nothing written into it
    assert window.recorded.bugs == []

    # Restore, from the offer the window keeps: the damaged file goes aside, unchanged.
    offer = window.damaged_offer
    assert offer is not None and offer.dialog is dialog
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        offer.restore(backup)
    qtbot.waitUntil(lambda: window.archive is not None and not window.archive.readonly)
    assert window.archive.damage is None and window.archive.count() > 0
    kept = list((folder / "backups").glob("damaged-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes() == before
    assert window.recorded.bugs == [] and window.recorded.messages == []


def test_salvage_from_the_dialog_opens_the_new_archive(
    make_window, qtbot, sample_archive: Path, tmp_path: Path
) -> None:
    folder, _backup = damaged_copy(sample_archive, tmp_path)
    window = make_window()
    assert window.open_archive(folder)
    offer = window.damaged_offer
    assert offer is not None and window.findChild(DamagedArchiveDialog) is offer.dialog
    with qtbot.waitSignal(window.job_finished, timeout=30000):
        offer.salvage(tmp_path / "saved")
    qtbot.waitUntil(lambda: window.archive is not None and window.archive.folder.name == "saved")
    assert window.archive.damage is None
    assert "Saved" in window.statusBar().currentMessage()
    assert window.recorded.bugs == []

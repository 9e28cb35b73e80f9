"""A PDF holding several releases, split in the window as text files are: shown for
correction first, imported as corrected; an ordinary import keeps it one release."""

from __future__ import annotations

from pathlib import Path

from archive_browser.core.importers import ImportOptions
from archive_browser.gui.dialogs import SplitPreviewDialog
from tests.fixtures import formats as F


def test_a_pdf_is_split_as_corrected_and_stays_whole_by_default(
    qtbot, make_window, tmp_path: Path
) -> None:
    window = make_window(tmp_path / "new")
    actions = window.features.importing.actions()
    assert "file.import_pdfs_split" in [a.id for a in actions]
    whole = F.pdf_collected(tmp_path / "whole.pdf")
    with qtbot.waitSignal(window.job_finished, timeout=30000) as finished:
        window.features.importing.start([whole])
    assert len(finished.args[0].imported_ids) == 1
    split = F.pdf_collected(tmp_path / "split.pdf")
    split.write_bytes(split.read_bytes() + b"\n% another copy\n")
    importing = window.features.importing
    with qtbot.waitSignal(importing.preview_opened, timeout=10000) as shown:
        importing.start([split], ImportOptions(pdf_split="auto"))
    dialog = shown.args[0]
    assert isinstance(dialog, SplitPreviewDialog)
    assert dialog.tree.topLevelItemCount() == 3
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(1))
    dialog.merge_button.click()  # the Moscow release and the council's statement as one
    with qtbot.waitSignal(window.job_finished, timeout=30000) as finished:
        dialog.accept()
    ids = finished.args[0].imported_ids
    titles = [window.archive.get(i).title for i in ids]
    assert titles == ["Summit in Dushanbe", "Ministers met in Moscow"]
    assert "Council statement on Kazakhstan" in window.archive.get(ids[1]).body


def test_the_preview_looks_at_a_pdf_only_when_a_split_is_chosen(tmp_path: Path) -> None:
    from archive_browser.gui.features.importing import split_previews

    pdf = F.pdf_collected(tmp_path / "collected.pdf")
    text = tmp_path / "two.txt"
    text.write_text("First headline here\n\nText one.\n\nSecond headline here\n\nText two.\n")
    assert list(split_previews([pdf, text], ImportOptions())) == [text]
    found = split_previews([pdf, text], ImportOptions(pdf_split="heading"))
    assert list(found) == [pdf, text] and len(found[pdf][1]) == 3

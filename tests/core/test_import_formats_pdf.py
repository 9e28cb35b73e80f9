"""PDF import: the text layer in reading order, pages kept, title and date, OCR of pages
without text (or "needs OCR" without Tesseract), encrypted and damaged files reported."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive_browser.core import importers
from archive_browser.core.archive import Archive
from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, read_file
from archive_browser.core.importers import pdf as pdf_format
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F


def drafts(path: Path) -> list[ReleaseDraft]:
    items = list(read_file(path, ImportOptions()))
    assert all(isinstance(i, ReleaseDraft) for i in items), items
    return items  # type: ignore[return-value]


def whole_paragraphs(body: str, paragraphs: list[str]) -> list[int]:
    """Where each paragraph starts in the text (white space folded), -1 when it is broken."""
    flat = re.sub(r"\s+", " ", body)
    return [flat.find(p) for p in paragraphs]


@pytest.mark.parametrize(
    ("make", "columns", "paragraphs"),
    [
        (F.pdf_columns, 2, F.EN + F.RU),
        (F.pdf_columns, 3, F.RU + F.EN),
        (F.pdf_rows, 2, F.EN + F.RU),
        (F.pdf_rows, 3, F.RU + F.EN),
    ],
    ids=["2-columns", "3-columns", "2-columns-written-across", "3-columns-written-across"],
)
def test_every_paragraph_of_a_multi_column_page_stays_whole(
    tmp_path: Path, make: object, columns: int, paragraphs: list[str]
) -> None:
    path = make(tmp_path / "columns.pdf", columns, paragraphs)  # type: ignore[operator]
    (draft,) = drafts(path)
    starts = whole_paragraphs(draft.body, paragraphs)
    assert -1 not in starts, draft.body


def test_columns_written_one_after_another_are_read_in_order(tmp_path: Path) -> None:
    mixed = [p for pair in zip(F.RU, F.EN, strict=True) for p in pair]
    (draft,) = drafts(F.pdf_columns(tmp_path / "mixed.pdf", 2, mixed))
    starts = whole_paragraphs(draft.body, mixed)
    assert starts == sorted(starts) and -1 not in starts


def test_one_release_per_file_its_pages_as_record_page_starts_in_the_notes_no_markers(
    tmp_path: Path,
) -> None:
    pages = ["Summit in Dushanbe\n16 September 2021\n" + " ".join(F.EN), " ".join(F.RU), "End."]
    path = F.pdf_pages(tmp_path / "r.pdf", pages, title="CSTO summit", date="2022-01-05")
    (draft,) = drafts(path)
    assert draft.title == "CSTO summit"
    assert draft.date == "2021-09-16"  # the first page's dateline before the file's date
    assert "[page" not in draft.body and "\f" not in draft.body
    assert draft.record == "pages 1-3"
    assert "PDF pages" not in draft.notes
    note = re.search(r"Page starts at characters ((?:\d+:\d+ ?)+)", draft.notes)
    assert note, draft.notes
    starts = dict(pair.split(":") for pair in note.group(1).split())
    assert draft.body[int(starts["2"]) :].startswith("Русский абзац 1")
    assert draft.body[int(starts["3"]) :] == "End."


def test_title_from_the_first_page_and_date_from_the_info_when_the_text_has_none(
    tmp_path: Path,
) -> None:
    path = F.pdf_pages(
        tmp_path / "r.pdf", ["Ministers met in Moscow\nThe talks went on."], date="2022-01-05"
    )
    (draft,) = drafts(path)
    assert (draft.title, draft.date) == ("Ministers met in Moscow", "2022-01-05")


def test_a_real_pdf_from_pypdf_s_test_files(tmp_path: Path) -> None:
    (draft,) = drafts(Path(F.PDF_FIXTURES / "crazyones.pdf"))
    assert draft.title == "The Crazy Ones" and draft.date == "1998-10-14"
    assert "The misfits. The rebels." in draft.body  # the ligature read as letters


@pytest.mark.parametrize("name", ["fpdf2", "libreoffice"])
def test_an_encrypted_pdf_is_reported_clearly(tmp_path: Path, name: str) -> None:
    if name == "fpdf2":
        path = F.pdf_encrypted(tmp_path / "locked.pdf", "Secret release text")
    else:
        path = F.PDF_FIXTURES / "libreoffice-writer-password.pdf"
    with pytest.raises(UnreadableInputError, match="encrypted; no text can be read"):
        list(read_file(path, ImportOptions()))


@pytest.mark.parametrize("cut", [0.3, 0.7])
def test_a_truncated_pdf_is_reported_or_read_never_a_crash(tmp_path: Path, cut: float) -> None:
    good = F.pdf_pages(tmp_path / "good.pdf", ["Ministers met in Moscow today."])
    data = good.read_bytes()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(data[: int(len(data) * cut)])
    try:
        items = list(read_file(broken, ImportOptions()))
    except UnreadableInputError as e:
        assert "PDF" in str(e)
    else:
        assert all(isinstance(i, ReleaseDraft) and i.body for i in items)


def test_a_scanned_page_is_read_by_ocr_and_marked(tmp_path: Path) -> None:
    assert pdf_format.tesseract_version() is not None, "Tesseract is installed by .ci/run"
    path = F.pdf_scanned(tmp_path / "scan.pdf", ["Collective security council", "met in Dushanbe"])
    (draft,) = drafts(path)
    assert "Dushanbe" in draft.body and "security" in draft.body.lower()
    assert pdf_format.OCR_TAG in draft.tags
    assert "OCR text (Tesseract" in draft.notes and "pages 1" in draft.notes


def test_without_tesseract_a_scan_is_stored_as_needing_ocr_never_empty(
    archive: Archive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    pdf_format.tesseract_version.cache_clear()
    try:
        path = F.pdf_scanned(tmp_path / "scan.pdf", ["Collective security council"])
        report = run(archive.import_paths([path]))
    finally:
        pdf_format.tesseract_version.cache_clear()
    assert report is not None and len(report.imported_ids) == 1
    release = archive.get(report.imported_ids[0])
    assert pdf_format.NEEDS_OCR_TAG in release.tags
    assert "needs OCR" in release.body and "Tesseract is not installed" in release.body
    assert "needs OCR: pages 1 have no text layer" in release.notes


def test_a_broken_pdf_among_good_files_is_reported_and_the_rest_imported(
    archive: Archive, tmp_path: Path
) -> None:
    good = F.pdf_pages(tmp_path / "good.pdf", ["Ministers met in Moscow today."])
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n garbage")
    locked = F.pdf_encrypted(tmp_path / "locked.pdf", "Secret")
    report = run(archive.import_paths([good, bad, locked]))
    assert report is not None and len(report.imported_ids) == 1
    failures = dict(report.failures)
    assert set(failures) == {str(bad), str(locked)}
    assert "encrypted" in failures[str(locked)]
    assert archive.search("moscow").total == 1


def test_a_pdf_is_one_release_unless_a_split_is_chosen(tmp_path: Path) -> None:
    path = F.pdf_collected(tmp_path / "collected.pdf")
    (whole,) = drafts(path)
    assert whole.title == "Collected releases" and whole.record == "pages 1-4"
    # The split of text files does not reach PDFs: theirs is chosen apart.
    (whole,) = list(read_file(path, ImportOptions(split="heading")))
    assert isinstance(whole, ReleaseDraft) and whole.record == "pages 1-4"


@pytest.mark.parametrize("strategy", ["auto", "heading"])
def test_a_split_pdf_gives_a_release_per_part_with_the_pages_it_spans(
    tmp_path: Path, strategy: str
) -> None:
    path = F.pdf_collected(tmp_path / "collected.pdf")
    parts = list(read_file(path, ImportOptions(pdf_split=strategy)))
    assert all(isinstance(p, ReleaseDraft) for p in parts)
    assert [(p.title, p.record) for p in parts] == [  # type: ignore[union-attr]
        ("Summit in Dushanbe", "pages 1-2"),
        ("Ministers met in Moscow", "pages 2-3"),
        ("Council statement on Kazakhstan", "page 4"),
    ]
    first, second, third = parts
    assert isinstance(first, ReleaseDraft) and isinstance(second, ReleaseDraft)
    assert isinstance(third, ReleaseDraft)
    assert "English paragraph 6" in first.body and "Русский" not in first.body
    assert second.body.startswith("Русский абзац 1") and "Русский абзац 6" in second.body
    assert third.date == "2022-01-07"  # its own dateline
    assert first.date == "2022-02-01"  # none in its text: the file's date


def test_a_pdf_split_corrected_in_the_preview_is_imported_as_corrected(tmp_path: Path) -> None:
    path = F.pdf_collected(tmp_path / "collected.pdf")
    paragraphs, proposed = importers.preview_split(path, "heading")
    assert [paragraphs[i].text for i in proposed] == [
        "Summit in Dushanbe",
        "Ministers met in Moscow",
        "Council statement on Kazakhstan",
    ]
    options = ImportOptions(splits={str(path.resolve()): [0, proposed[2]]})  # two merged
    parts = list(read_file(path, options))
    assert [p.record for p in parts] == ["pages 1-3", "page 4"]  # type: ignore[union-attr]


def test_the_command_line_splits_pdfs_only_when_a_split_is_given(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    path = F.pdf_collected(tmp_path / "collected.pdf")
    whole = run_cli("import", path, "--json", archive=tmp_path / "a")
    assert whole.returncode == 0, whole.stderr
    assert json.loads(whole.stdout)["imported"] == 1
    split = run_cli("import", path, "--split", "heading", "--json", archive=tmp_path / "b")
    assert split.returncode == 0, split.stderr
    ids = json.loads(split.stdout)["ids"]
    shown = [
        json.loads(run_cli("show", str(i), "--json", archive=tmp_path / "b").stdout) for i in ids
    ]
    assert [s["title"] for s in shown] == [
        "Summit in Dushanbe",
        "Ministers met in Moscow",
        "Council statement on Kazakhstan",
    ]

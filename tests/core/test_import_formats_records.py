"""Each format names where in its file a release was (`record`), and what is a note to the
user stays in the notes: CSV rows, JSON items, JSON Lines lines, a zip member's own record."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from archive_browser.core.importers import ImportOptions, RowError, read_file
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F


def releases(path: Path) -> list[ReleaseDraft]:
    return [d for d in read_file(path, ImportOptions()) if isinstance(d, ReleaseDraft)]


def test_a_csv_release_records_its_row_as_a_spreadsheet_numbers_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    # The header is row 1; a cell over two lines is one row; an empty row is passed over.
    path.write_text(
        'title,body\nFirst,"Text one,\nsecond line"\n,,\nThird,Text three\n', encoding="utf-8"
    )
    assert [(d.title, d.record) for d in releases(path)] == [("First", "row 2"), ("Third", "row 4")]
    assert all(not d.notes for d in releases(path))


def test_a_tsv_row_that_fails_and_the_ones_that_follow_keep_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.tsv"
    path.write_text("title\tbody\nA\tText A\nB\t\nC\tText C\n", encoding="utf-8")
    items = list(read_file(path, ImportOptions()))
    assert [(i.record if isinstance(i, ReleaseDraft) else i.where) for i in items] == [
        "row 2",
        "row 3",
        "row 4",
    ]
    assert isinstance(items[1], RowError)


def test_json_items_and_json_lines_lines(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps({"releases": [{"body": "One"}, {"title": "no text"}, {"body": "Three"}]}),
        encoding="utf-8",
    )
    assert [d.record for d in releases(path)] == ["item 1", "item 3"]
    lines = tmp_path / "r.jsonl"
    lines.write_text('{"body": "One"}\n\n{"body": "Three"}\n', encoding="utf-8")
    assert [d.record for d in releases(lines)] == ["line 1", "line 3"]


def test_a_file_that_is_one_release_has_no_record(tmp_path: Path) -> None:
    text = tmp_path / "r.txt"
    text.write_text("Ministers met in Moscow.\n", encoding="utf-8")
    docx = F.docx_file(tmp_path / "r.docx", "Title", ["Ministers met."], [["a", "b"]])
    assert [d.record for d in releases(text) + releases(docx)] == ["", ""]


def test_a_zip_member_is_named_in_the_path_and_keeps_its_own_record(tmp_path: Path) -> None:
    pdf = F.pdf_pages(tmp_path / "b.pdf", ["Summit in Dushanbe.", "Second page."])
    path = tmp_path / "bundle.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("2021/table.csv", "title,body\nA,Text A\nB,Text B\n")
        z.write(pdf, "2021/b.pdf")
    found = releases(path)
    assert [(d.orig_path, d.record) for d in found] == [
        (f"{path.resolve()}!/2021/table.csv", "row 2"),
        (f"{path.resolve()}!/2021/table.csv", "row 3"),
        (f"{path.resolve()}!/2021/b.pdf", "pages 1-2"),
    ]
    assert all("zip member" not in d.notes for d in found)


def test_a_record_is_stored_on_one_line_without_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "r.atom"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>T</title><entry><title>E</title><id>urn:x:\n  one\x1b[31m</id>"
        "<content>Ministers met.</content></entry></feed>",
        encoding="utf-8",
    )
    (entry,) = releases(path)
    assert entry.record == "entry id: urn:x: one"


def test_a_feed_entry_without_an_id_is_recorded_by_its_number(tmp_path: Path) -> None:
    path = tmp_path / "r.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        "<item><title>A</title><description>Text A</description></item>"
        "<item><title>B</title><description>Text B</description></item></channel></rss>",
        encoding="utf-8",
    )
    assert [d.record for d in releases(path)] == ["entry 1", "entry 2"]

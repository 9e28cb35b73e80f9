"""Date queries are exact at the ends of days, months and years, with open and strict bounds,
through the date-column bisection (a top-level range) and Whoosh's matchers (one inside OR)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft

DAYS = [
    "2024-12-31",
    "2025-01-01",
    "2025-03-31",
    "2025-04-01",
    "2025-04-15",
    "2025-04-30",
    "2025-05-01",
    "2025-12-31",
    "2026-01-01",
]


@pytest.fixture
def dated(archive: Archive) -> tuple[Archive, dict[int, str]]:
    drafts = [ReleaseDraft(title=f"Release {d}", body=f"common text {d}", date=d) for d in DAYS]
    drafts.append(ReleaseDraft(title="Undated", body="common text without a date"))
    ids, _ = archive.add_releases(drafts)
    return archive, dict(zip(ids, [*DAYS, None], strict=True))


def _between(first: str | None, last: str | None) -> list[str]:
    return [d for d in DAYS if (first is None or d >= first) and (last is None or d <= last)]


CASES = [
    ("date:2025-04-30", _between("2025-04-30", "2025-04-30")),
    ("date:2025-04", _between("2025-04-01", "2025-04-30")),
    ("date:[2025-04-01 to 2025-04-30]", _between("2025-04-01", "2025-04-30")),
    ("date:[2025-04 to 2025-05]", _between("2025-04-01", "2025-05-31")),
    ("date:2025", _between("2025-01-01", "2025-12-31")),
    ("date:[2025 to 2025]", _between("2025-01-01", "2025-12-31")),
    ("date:[2025-04 to]", _between("2025-04-01", None)),
    ("date:[to 2025-04]", _between(None, "2025-04-30")),
    ("date:>2025-04", _between("2025-05-01", None)),
    ("date:<2025-04", _between(None, "2025-03-31")),
    ("date:>=2025-04-30", _between("2025-04-30", None)),
    ("date:<=2024", _between(None, "2024-12-31")),
    ("date:{2025-03-31 to 2025-05-01}", _between("2025-04-01", "2025-04-30")),
]


@pytest.mark.parametrize(("query", "expected"), CASES)
def test_date_ranges_are_exact(dated: tuple[Archive, dict[int, str]], query, expected) -> None:
    archive, date_of = dated
    for text in (query, f"common {query}", f"({query} OR nothingmatches)"):
        for sort in ("relevance", "date"):
            found = archive.search(text, sort=sort, limit=None).ids
            assert sorted(date_of[i] or "" for i in found) == expected, (text, sort)


def test_dates_with_times_in_a_csv_keep_their_day(archive: Archive, tmp_path: Path) -> None:
    path = tmp_path / "timed.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["title", "date", "body"])
        writer.writerow(["Late in April", "2025-04-30T23:30:00+03:00", "late evening text"])
        writer.writerow(["Early in May", "2025-05-01T00:10:00-05:00", "early morning text"])
        writer.writerow(["New year", "2025-12-31T23:59:59Z", "the last second of a year"])
    report = run(archive.import_paths([path]))
    assert report is not None and len(report.imported_ids) == 3
    late, early, new_year = report.imported_ids
    assert archive.get(late).date == "2025-04-30"
    assert archive.search("date:2025-04", limit=None).ids == [late]
    assert archive.search("date:[2025-04-01 to 2025-04-30]", limit=None).ids == [late]
    assert archive.search("date:2025-05", limit=None).ids == [early]
    assert archive.search("date:2026", limit=None).ids == []
    assert archive.search("date:2025-12-31", limit=None).ids == [new_year]

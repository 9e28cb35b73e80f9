"""A date range is answered from the date column either by sorting its slice of the
documents in date order or, when it holds many, by comparing every document's date: both
find exactly the releases whose stored date lies in the range, in the same order."""

from __future__ import annotations

import random

import pytest

import archive_browser.core.index.engine as engine
from archive_browser.core.archive import Archive
from archive_browser.core.model import ReleaseDraft

RANGES = [
    ("2001", "2001"),
    ("2001-03", "2001-04"),
    ("1999", "2030"),
    ("2003-06-15", "2004-01-01"),
    ("2010", "2011"),
]


@pytest.fixture
def dated(archive: Archive) -> tuple[Archive, dict[int, str | None]]:
    rnd = random.Random(3)
    dates: list[str | None] = [
        f"{rnd.randint(2000, 2005)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        for _ in range(300)
    ]
    dates[::25] = [None] * len(dates[::25])
    # The first and last days of the ranges, and the days just outside them.
    dates += ["2001-01-01", "2001-12-31", "2001-03-01", "2001-04-30", "2000-12-31"]
    dates += ["2003-06-15", "2004-01-01", "2003-06-14", "2004-01-02", "2002-01-01"]
    drafts = [
        ReleaseDraft(title=f"Release {k}", body=f"common text number {k}", date=d)
        for k, d in enumerate(dates)
    ]
    ids, _ = archive.add_releases(drafts)
    stored = dict(zip(ids, dates, strict=True))
    # A changed release is a deleted document and a new one, at the end of the index.
    for i in ids[5:40:3]:
        archive.update(i, date="2001-03-10")
        stored[i] = "2001-03-10"
    return archive, stored


def _expected(stored: dict[int, str | None], first: str, last: str) -> set[int]:
    lo = first + "-01-01"[len(first) - 4 :] if len(first) < 10 else first
    hi = last + "-12-31"[len(last) - 4 :] if len(last) < 10 else last
    return {i for i, d in stored.items() if d is not None and lo <= d <= hi}


@pytest.mark.parametrize("scan_above", [0, 10**9])
def test_both_ways_find_the_releases_of_the_range(
    dated: tuple[Archive, dict[int, str | None]], monkeypatch, scan_above: int
) -> None:
    archive, stored = dated
    monkeypatch.setattr(engine, "_SORT_OR_SCAN", 10**9 if scan_above == 0 else 0)
    found_any = 0
    for first, last in RANGES:
        results = archive.search(f"date:[{first} to {last}]", limit=None)
        assert set(results.ids) == _expected(stored, first, last), (first, last)
        assert results.total == len(results.ids)
        found_any += bool(results.ids)
        newest = archive.search(f"common date:[{first} to {last}]", sort="-date", limit=None)
        assert set(newest.ids) == set(results.ids)
        assert [stored[i] for i in newest.ids] == sorted(
            (stored[i] for i in newest.ids), reverse=True
        )
    assert found_any >= 4


def test_both_ways_give_the_same_order(dated: tuple[Archive, dict[int, str | None]]) -> None:
    archive, _ = dated
    answers = []
    for factor in (10**9, 0):
        engine._SORT_OR_SCAN, saved = factor, engine._SORT_OR_SCAN
        try:
            answers.append([archive.search(f"date:[{a} to {b}]", limit=20).ids for a, b in RANGES])
        finally:
            engine._SORT_OR_SCAN = saved
    assert answers[0] == answers[1]
    assert any(answers[0])

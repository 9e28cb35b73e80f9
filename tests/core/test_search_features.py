"""Filters, facets, saved searches, tag undo, corrected splits and word differences."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.diff import word_diff
from archive_browser.core.errors import UserFacingError
from archive_browser.core.importers import ImportOptions, preview_split
from archive_browser.core.jobs import run
from archive_browser.core.search import Filter, SearchSpec
from archive_browser.core.store import SCHEMA_VERSION

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def filled(archive: Archive, sample: Path) -> Archive:
    run(archive.import_paths([sample], ImportOptions(source="CSTO")))
    run(archive.import_paths([FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt"]))
    return archive


def test_facets_count_the_results(filled: Archive) -> None:
    everything = filled.facets()
    assert dict(everything["language"]) == {"en": 5, "ru": 3}
    assert dict(everything["year"]) == {"2024": 3, "2023": 1, "2013": 2}
    assert dict(everything["source"]) == {"CSTO": 5}
    ids = filled.search("Bishkek OR Бишкеке", limit=None).ids
    facets = filled.facets(ids)
    assert dict(facets["year"]) == {"2013": 2}
    assert dict(facets["language"]) == {"en": 1, "ru": 1}
    filled.tag(ids, ["summit"])
    assert dict(filled.facets(ids)["tag"]) == {"summit": 2}


def test_filters_narrow_results_exactly(filled: Archive) -> None:
    all_ids = filled.search("", limit=None).ids
    ru = filled.search("", filters=[Filter("language", "ru")], limit=None)
    assert ru.total == 3 and {filled.get(i).language for i in ru.ids} == {"ru"}
    csto_2024 = filled.search("CSTO", filters=[Filter("year", "2024"), Filter("source", "CSTO")])
    assert csto_2024.total == 2
    assert all(filled.get(i).date.startswith("2024") for i in csto_2024.ids)
    filled.tag(all_ids[:2], ["first two"])
    tagged = filled.search("", filters=[Filter("tag", "FIRST TWO")], limit=None)
    assert sorted(tagged.ids) == sorted(all_ids[:2])
    limited = filled.search("CSTO OR ОДКБ", filters=[Filter("kind", "news")], limit=1)
    assert len(limited.ids) == 1 and limited.total > 1
    with pytest.raises(ValueError):
        Filter("colour", "red")


def test_saved_searches_round_trip_and_order(filled: Archive) -> None:
    spec = SearchSpec("meetings", (Filter("year", "2013"),), "-date")
    first = filled.save_search("Bishkek 2013", spec).new_id
    second = filled.save_search("Russian", SearchSpec("", (Filter("language", "ru"),))).new_id
    assert first is not None and second is not None
    saved = filled.saved_searches()
    assert [s.name for s in saved] == ["Bishkek 2013", "Russian"]
    assert saved[0].spec == spec
    assert filled.run_search(saved[0].spec).total == 1
    filled.order_saved_searches([second, first])
    filled.rename_saved_search(first, "Summit")
    assert [s.name for s in filled.saved_searches()] == ["Russian", "Summit"]
    filled.delete_saved_search(second)
    assert [s.id for s in filled.saved_searches()] == [first]
    with pytest.raises(UserFacingError, match="needs a name"):
        filled.save_search("  ", spec)
    # Stored as structured data with a format version, not as a query string.
    row = filled.store.db.execute("SELECT spec FROM saved_searches").fetchone()[0]
    assert '"format": 1' in row and '"filters": [{"field": "year", "value": "2013"}]' in row


def test_saved_search_of_an_unknown_format_is_named_not_fatal(filled: Archive) -> None:
    filled.save_search("old", SearchSpec("x"))
    filled.store.db.execute("UPDATE saved_searches SET spec = '{\"format\": 99}'")
    assert [s.name for s in filled.saved_searches()] == ["old (unreadable)"]
    with pytest.raises(UserFacingError, match="format 99"):
        SearchSpec.from_json('{"format": 99}')


def test_schema_1_archive_gets_saved_searches(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    Archive.open(folder).close()
    db = sqlite3.connect(folder / "archive.sqlite3")
    db.execute("DROP TABLE saved_searches")
    db.execute("DROP INDEX releases_facets")  # schema 3
    db.execute("DROP TABLE release_matches")  # schema 4
    db.execute("DROP INDEX releases_text_checksum")
    db.execute("ALTER TABLE releases DROP COLUMN text_checksum")
    for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE 'lineage%'"
    ).fetchall():
        db.execute(f"DROP TABLE IF EXISTS {name}")  # the versions' schema (indexes go with it)
    db.execute("PRAGMA user_version = 1")
    db.close()
    with Archive.open(folder) as archive:
        assert archive.store.schema_version() == SCHEMA_VERSION
        archive.save_search("x", SearchSpec("y"))
        assert len(archive.saved_searches()) == 1


def test_tag_operations_can_be_undone(filled: Archive) -> None:
    a = filled.search("Bishkek").ids
    b = filled.search("ёлка").ids
    filled.tag(a, ["Afghanistan"])
    filled.tag(b, ["holiday"])
    before = filled.tag_snapshot(["holiday", "Afghanistan"])
    filled.rename_tag("holiday", "Afghanistan")  # a merge
    assert set(filled.ids_with_tag("Afghanistan")) == set(a) | set(b)
    filled.restore_tags(before)
    assert filled.ids_with_tag("Afghanistan") == a and filled.ids_with_tag("holiday") == b
    assert filled.search("tag:holiday").ids == b
    snapshot = filled.tag_snapshot(["holiday"])
    filled.delete_tag("holiday")
    filled.restore_tags(snapshot)
    assert filled.ids_with_tag("holiday") == b
    assert filled.check().consistent


def test_corrected_split_is_used(archive: Archive, sample: Path) -> None:
    paragraphs, starts = preview_split(sample)
    assert len(starts) == 5 and starts[0] == 0 and len(paragraphs) == 14
    merged = [s for s in starts if s != starts[1]]  # merge the second release into the first
    options = ImportOptions(splits={str(sample.resolve()): merged})
    report = run(archive.import_paths([sample], options))
    assert report is not None and len(report.imported_ids) == 4
    first = archive.get(report.imported_ids[0])
    assert "Allow me to thank" in first.body and first.body.startswith("On 25 July 2024")


def test_word_diff_marks_what_each_side_lacks() -> None:
    left = "The presidents met in Bishkek on 28 May and discussed Afghanistan."
    right = "The Presidents met in Astana on 28 May and discussed Afghanistan at length."
    diff = word_diff(left, right)
    assert [left[s:e] for s, e in diff.only_left] == ["Bishkek"]
    assert [right[s:e] for s, e in diff.only_right] == ["Astana", "at length"]
    assert 0.7 < diff.similarity < 1
    same = word_diff("«Quoted» text", '"quoted" TEXT')
    assert same.only_left == [] and same.only_right == [] and same.similarity == 1

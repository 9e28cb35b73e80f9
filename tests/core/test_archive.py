"""The archive facade on a real SQLite file and a real Whoosh index."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive, IndexNotReadyError
from archive_browser.core.errors import (
    ArchiveLockedError,
    MalformedQueryError,
    NotFoundError,
    ReadOnlyArchiveError,
    UserFacingError,
)
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.search import Filter, SearchSpec

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def titles(archive: Archive, query: str, **kw: object) -> list[str]:
    results = archive.search(query, limit=None, **kw)  # type: ignore[arg-type]
    return [r.title for r in archive.get_many(results.ids)]


@pytest.fixture
def filled(archive: Archive, sample: Path) -> Archive:
    run(archive.import_paths([sample, FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt"]))
    return archive


def test_import_reports_and_stores(archive: Archive, sample: Path) -> None:
    report = run(archive.import_paths([sample], ImportOptions(tags=["csto"])))
    assert report is not None
    assert len(report.imported_ids) == 5 and report.failures == []
    assert archive.count() == 5
    assert {tuple(r.tags) for r in archive.get_many(report.imported_ids)} == {("csto",)}
    again = run(archive.import_paths([sample]))
    assert again is not None
    assert again.imported_ids == [] and sorted(again.duplicate_ids) == sorted(report.imported_ids)
    assert archive.count() == 5
    assert archive.check().consistent


def test_english_stemming_and_case(filled: Archive) -> None:
    meetings = titles(filled, "meetings")
    assert any(t.startswith("Informal meeting") for t in meetings)
    assert titles(filled, "MEETING") == meetings
    assert titles(filled, "Meetings") == meetings


def test_russian_stemming_case_and_yo(filled: Archive) -> None:
    by_form = titles(filled, "заседания")
    assert "Заседание Совета коллективной безопасности ОДКБ в Бишкеке" in by_form
    assert titles(filled, "ЗАСЕДАНИЕ") == by_form
    # ё and е are one letter for search, both ways.
    assert titles(filled, "елка") == ["Новогодняя ёлка в штаб-квартире ОДКБ"]
    assert titles(filled, "ёлку") == ["Новогодняя ёлка в штаб-квартире ОДКБ"]
    assert titles(filled, "емкая") == titles(filled, "ёмкая") != []


BISHKEK_EN = (
    "Informal meeting of the heads of the CSTO member states of the Central Asian region "
    "in Bishkek on May 28, 2013"
)
BISHKEK_RU = "Заседание Совета коллективной безопасности ОДКБ в Бишкеке"


def test_exact_forms_are_reachable(filled: Archive) -> None:
    stemmed = filled.search("president", limit=None).ids
    exact = filled.search("exact:presidents", limit=None).ids
    assert exact and set(exact) < set(stemmed)
    for release_id in exact:
        assert "presidents" in filled.get(release_id).body.lower()
    assert titles(filled, "exact:заседания") == []  # the fixture says "заседание" only
    assert titles(filled, "exact:заседание") == [BISHKEK_RU]


def test_phrases_prefixes_fuzzy_and_fields(filled: Archive) -> None:
    assert titles(filled, '"drug trafficking"') == [BISHKEK_EN]
    assert titles(filled, "“drug trafficking”") == [BISHKEK_EN]  # typographic quotes
    assert titles(filled, '"trafficking drug"') == []
    assert titles(filled, "railw*") == [BISHKEK_EN]
    assert titles(filled, "Bordyuzh~") == titles(filled, "Bordyuzha") == [BISHKEK_EN]
    assert set(titles(filled, "securty~")) == set(titles(filled, "exact:security"))
    assert titles(filled, "title:bishkek") == [BISHKEK_EN]
    assert titles(filled, "title:бишкеке") == [BISHKEK_RU]
    ru_ids = filled.search("lang:ru", limit=None).ids
    assert len(ru_ids) == 3 and {filled.get(i).language for i in ru_ids} == {"ru"}
    interview = filled.search("kind:interview", limit=None).ids
    assert interview == filled.search("BELTA").ids and len(interview) == 1


#: The first 34 characters of the titles of the sample's English releases.
GRADUATES = "On 25 July 2024, staff of the CSTO"
UN_SPEECH = "Allow me to thank the Russian pres"
UN_DEBATE = "The CSTO Secretary General Imangal"
BELTA = "Imangali Tasmagambetov, the Collec"
BISHKEK_AT = "Informal meeting of the heads of t"


def openings(archive: Archive, query: str) -> list[str]:
    """The first 34 characters of the titles found, sorted."""
    return sorted(t[:34] for t in titles(archive, query))


def test_boolean_operators(filled: Archive) -> None:
    both = set(titles(filled, "Afghanistan Bishkek"))
    either = set(titles(filled, "Afghanistan OR railway"))
    assert both <= set(titles(filled, "Afghanistan"))
    assert set(titles(filled, "Afghanistan NOT Bishkek")).isdisjoint(both)
    assert either >= both
    # Words of different releases: AND is the releases holding both, OR either, NOT the first
    # without the second.
    assert openings(filled, "Tasmagambetov") == sorted([UN_DEBATE, BELTA])
    assert openings(filled, "Tasmagambetov BELTA") == [BELTA]
    assert openings(filled, "Tasmagambetov AND BELTA") == [BELTA]
    assert openings(filled, "BELTA OR graduates") == sorted([BELTA, GRADUATES])
    assert openings(filled, "Tasmagambetov NOT BELTA") == [UN_DEBATE]
    assert openings(filled, "Tasmagambetov OR railway") == sorted([UN_DEBATE, BELTA, BISHKEK_AT])
    assert titles(filled, "Bishkek graduates") == []
    assert openings(filled, "debate NOT Tasmagambetov") == [UN_SPEECH]


def test_dates(filled: Archive) -> None:
    assert sorted(titles(filled, "date:2013")) == sorted([BISHKEK_EN, BISHKEK_RU])
    assert len(titles(filled, "date:2024-07")) == 3  # 25 and 19 July in English, 19 in Russian
    assert sorted(titles(filled, "date:[2013 to 2014]")) == sorted([BISHKEK_EN, BISHKEK_RU])
    assert len(titles(filled, "date:[2023 to]")) == 4
    assert len(titles(filled, "date:2024-07-25")) == 1
    newest = [filled.get(i).date for i in filled.search("", sort="-date", limit=None).ids]
    known = [d for d in newest if d]
    assert known == sorted(known, reverse=True) and newest[-1] is None  # unknown dates last
    oldest = [filled.get(i).date for i in filled.search("CSTO", sort="date", limit=None).ids]
    assert [d for d in oldest if d] == sorted(d for d in oldest if d) and oldest[-1] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"unclosed', "not closed"),
        ("(a OR b", "not closed"),
        ("a)", "closes nothing"),
        ("date:garbage", "not a date"),
        ("date:[2013 to soon]", "not a date"),
        ("colour:red", "Unknown field 'colour'"),
    ],
)
def test_malformed_queries_say_why(filled: Archive, query: str, message: str) -> None:
    with pytest.raises(MalformedQueryError, match=message):
        filled.search(query)


def test_total_counts_every_match(filled: Archive) -> None:
    results = filled.search("CSTO", limit=2)
    assert len(results.ids) == 2
    assert results.total == len(filled.search("CSTO", limit=None).ids) > 2


def test_snippets_mark_matched_words(filled: Archive) -> None:
    results = filled.search("drug trafficking")
    snippet = filled.snippets(results.ids, results.query)[results.ids[0]]
    assert "**drug trafficking**" in snippet.marked()
    results = filled.search('"security council" NOT Bishkek')
    snippets = filled.snippets(results.ids, results.query)
    assert openings(filled, '"security council" NOT Bishkek') == sorted([UN_SPEECH, UN_DEBATE])
    assert sorted(snippets) == sorted(results.ids) and len(snippets) == 2
    for snippet in snippets.values():
        assert "**Bishkek**" not in snippet.marked()
        assert "**Security Council**" in snippet.marked()
    # A word the query excludes is not marked, even in a release that holds it.
    results = filled.search("debate NOT (Tasmagambetov BELTA)")
    snippets = filled.snippets(results.ids, results.query)
    assert openings(filled, "debate NOT (Tasmagambetov BELTA)") == sorted([UN_SPEECH, UN_DEBATE])
    marked = {filled.get(i).title[:34]: s.marked() for i, s in snippets.items()}
    assert sorted(marked) == sorted([UN_SPEECH, UN_DEBATE])
    assert "Tasmagambetov" in marked[UN_DEBATE]
    assert "**Tasmagambetov**" not in marked[UN_DEBATE]
    assert all("**debate**" in m for m in marked.values())


def test_tags_add_remove_rename_merge_delete(filled: Archive) -> None:
    ids = filled.search("Afghanistan", limit=None).ids
    assert filled.tag(ids, ["Afghanistan"]).releases == set(ids)
    assert set(filled.search("tag:afghanistan", limit=None).ids) == set(ids)
    other = filled.search("ёлка").ids
    filled.tag(other, ["Праздник", "central asia"])
    assert filled.search('tag:"Central Asia"').ids == other
    assert filled.search("tag:праздник").ids == other
    # Rename into an existing tag merges them.
    changed = filled.rename_tag("Праздник", "afghanistan")
    assert changed.releases == set(other) and changed.tags
    assert set(filled.search("tag:afghanistan", limit=None).ids) == set(ids) | set(other)
    assert "Праздник" not in dict(filled.tag_counts())
    assert dict(filled.tag_counts())["Afghanistan"] == len(set(ids) | set(other))
    filled.untag(other, ["afghanistan"])
    assert set(filled.search("tag:afghanistan", limit=None).ids) == set(ids)
    filled.delete_tag("central asia")
    assert filled.search('tag:"central asia"').total == 0
    with pytest.raises(NotFoundError):
        filled.rename_tag("nope", "x")
    with pytest.raises(UserFacingError, match="comma"):
        filled.tag(ids, ["a,b"])
    assert filled.check().consistent


def test_editing_metadata_reindexes(filled: Archive) -> None:
    release_id = filled.search("BELTA").ids[0]
    filled.update(release_id, title="Interview with BELTA", date="2024-07-30", place="Minsk")
    assert filled.search("title:interview").ids == [release_id]
    assert filled.search("place:minsk").ids == [release_id]
    assert filled.search("date:2024-07-30").ids == [release_id]
    assert filled.get(release_id).rev == 2
    with pytest.raises(UserFacingError, match="YYYY-MM-DD"):
        filled.update(release_id, date="30/07/2024")
    with pytest.raises(ValueError, match="body"):
        filled.update(release_id, body="x")
    assert filled.check().consistent


def test_add_releases_stores_corrected_drafts(archive: Archive) -> None:
    new, dup = archive.add_releases(
        [
            ReleaseDraft(title="One", body="First text here."),
            ReleaseDraft("One", "First  text here."),
        ]
    )
    assert len(new) == 1 and dup == new
    assert archive.search("first").ids == new


def test_readonly_and_locked(tmp_path: Path, sample: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as writer:
        run(writer.import_paths([sample]))
        with pytest.raises(ArchiveLockedError, match="open in another window or process"):
            Archive.open(folder)
        with Archive.open(folder, readonly=True) as reader:
            assert reader.search("Bishkek").total == 1
            with pytest.raises(ReadOnlyArchiveError):
                reader.tag([1], ["x"])


def test_crash_between_sqlite_and_index_is_repaired(tmp_path: Path, sample: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as a:
        run(a.import_paths([sample]))
    # A change committed to SQLite, with its index work recorded, but never applied: what a
    # crash right after the SQLite commit leaves.
    db = sqlite3.connect(folder / "archive.sqlite3")
    with db:
        db.execute("UPDATE releases SET title = 'Changed title', rev = rev + 1 WHERE id = 1")
        db.execute("INSERT INTO index_queue (release_id) VALUES (1)")
    db.close()
    with Archive.open(folder) as a:
        report = a.check()
        assert not report.consistent and report.pending == 1 and report.stale == [1]
        assert a.needs_repair
        run(a.repair())
        assert a.check().consistent
        assert a.search("title:changed").ids == [1]


def test_missing_or_outdated_index_is_rebuilt_not_emptied(tmp_path: Path, sample: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as a:
        run(a.import_paths([sample]))
        index_dir = a._index_path()
    shutil.rmtree(index_dir)
    with Archive.open(folder) as a:
        assert a.needs_repair and "missing" in (a.index_problem or "")
        with pytest.raises(IndexNotReadyError):
            a.search("Bishkek")
        assert not a.check().consistent
        run(a.repair())
        assert a.search("Bishkek").total == 1 and a.check().consistent
        index_dir = a._index_path()
    (index_dir / "archive-browser-index.json").write_text('{"format": "0.0"}', encoding="utf-8")
    with Archive.open(folder) as a:
        assert "outdated" in (a.index_problem or "")
        run(a.repair())
        assert a.count() == 5 and a.check().consistent
        assert len([p for p in folder.iterdir() if p.name.startswith("index")]) == 1


def test_reindex_swaps_in_a_new_folder(filled: Archive) -> None:
    before = filled._index_path()
    run(filled.reindex())
    after = filled._index_path()
    assert after != before and not before.exists()
    assert filled.check().consistent and filled.search("Bishkek").total == 1
    assert filled.search("Бишкек").total == 1


def test_cancelled_import_keeps_finished_files(archive: Archive, sample: Path) -> None:
    job = archive.import_paths([FIXTURES / "ru-elka.txt", sample])
    for progress in job:
        if progress.message == f"Reading {sample.name}":  # ru-elka.txt is stored
            job.close()
            break
    assert archive.count() == 1
    assert archive.search("ёлка").total == 1
    assert archive.check().consistent


def test_cancel_returns_the_report_of_what_was_done(archive: Archive, sample: Path) -> None:
    from archive_browser.core.jobs import cancel

    job = archive.import_paths([FIXTURES / "ru-elka.txt", sample])
    for progress in job:
        if progress.message == f"Reading {sample.name}":  # ru-elka.txt is stored
            report = cancel(job)
            break
    assert report is not None and report.cancelled
    assert len(report.imported_ids) == 1 and archive.count() == 1
    assert archive.check().consistent


def test_truncated_index_is_detected_and_rebuilt(tmp_path: Path, sample: Path) -> None:
    folder = tmp_path / "a"
    with Archive.open(folder) as a:
        run(a.import_paths([sample]))
        segments = list(a._index_path().glob("*.seg"))
    assert segments
    with segments[0].open("r+b") as f:
        f.truncate(1000)
    with Archive.open(folder) as a:
        assert a.needs_repair and "damaged" in (a.index_problem or "")
        run(a.repair())
        assert a.search("Bishkek").total == 1 and a.check().consistent


@pytest.fixture
def plain(archive: Archive, sample: Path) -> Archive:
    """What plain files give: the sample and a Russian release imported with no options (no
    source), a release with no title and one with no language."""
    run(archive.import_paths([sample, FIXTURES / "ru-zasedanie.txt"]))
    archive.add_releases(
        [
            ReleaseDraft(title="", body="Untitled text about the summit in Minsk."),
            ReleaseDraft(title="Note", body="Short note on the Minsk summit.", language=""),
        ]
    )
    return archive


def test_facets_filters_and_search_without_title_source_or_language(plain: Archive) -> None:
    untitled, note = plain.search("Minsk", sort="date", limit=None).ids
    assert (plain.get(untitled).title, plain.get(note).title) == ("", "Note")
    assert {plain.get(i).language for i in (untitled, note)} == {""}
    # No facet offers an empty value; releases without one are simply not counted.
    assert plain.facets() == {
        "tag": [],
        "year": [("2024", 3), ("2013", 2)],
        "source": [],
        "language": [("en", 5), ("ru", 2)],
        "kind": [("news", 4), ("interview", 1), ("speech", 1), ("statement", 1)],
    }
    english = plain.run_search(SearchSpec(filters=(Filter("language", "en"),)), limit=None)
    assert english.total == 5 and not {untitled, note} & set(english.ids)
    assert sorted(plain.search("lang:en", limit=None).ids) == sorted(english.ids)
    assert plain.search("source:csto").ids == []
    assert plain.search("title:untitled").ids == []  # the word is in its text only
    assert plain.search("untitled").ids == [untitled]
    snippets = plain.snippets([untitled, note], plain.parse("Minsk"))
    assert snippets[untitled].marked() == "Untitled text about the summit in **Minsk**."
    assert snippets[note].marked() == "Short note on the **Minsk** summit."
    assert plain.check().consistent

"""Translation candidates: a real Russian release and its English version, counterparts of
real English releases among the releases of the same days, and the user's decisions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import NotFoundError, ReadOnlyArchiveError, UserFacingError
from archive_browser.core.jobs import run
from archive_browser.core.lineage.translations import (
    name_key,
    score,
    script_language,
    signals,
    url_key,
)
from tests.corpus_rows import draft, rows
from tests.translation_pairs import counterpart

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def by_title(archive: Archive, start: str) -> int:
    found = [r.id for r in archive.iter_releases() if r.title.startswith(start)]
    assert len(found) == 1, start
    return found[0]


def test_the_russian_release_finds_its_english_version(archive: Archive, sample: Path) -> None:
    run(archive.import_paths([sample, FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt"]))
    russian = by_title(archive, "Заседание Совета коллективной безопасности")
    english = by_title(archive, "Informal meeting of the heads of the CSTO")
    found = archive.translation_candidates(russian)
    assert [c.id for c in found] == [english]
    assert found[0].likely and found[0].language == "en"
    assert "dates in common" in found[0].reasons
    assert any("names in common" in r for r in found[0].reasons)  # Бордюжа, Бишкек...
    assert archive.translation_candidates(english)[0].id == russian
    # The ministers' statement of 19 July 2024 and the English report of a debate that day
    # share the date only: a candidate, not a likely one.
    statement = by_title(archive, "Заявление министров")
    (debate,) = archive.translation_candidates(statement)
    assert debate.reasons == ("dates in common",) and not debate.likely
    # The New Year's tree of 2023 has no English version here; nothing is proposed.
    assert archive.translation_candidates(by_title(archive, "Новогодняя ёлка")) == []


def week(corpus: Path, start: int = 300, size: int = 40) -> list[dict[str, str]]:
    return list(rows(corpus, "putin")[start : start + size])


@pytest.mark.parametrize("with_url", [True, False])
def test_counterparts_rank_first_among_the_releases_of_their_days(
    archive: Archive, corpus: Path, with_url: bool
) -> None:
    english = week(corpus)
    en_ids, _ = archive.add_releases([draft(r) for r in english])
    rng = random.Random(3)
    ru_ids, _ = archive.add_releases([counterpart(r, rng, with_url=with_url) for r in english[::2]])
    right = 0
    for ru_id, en_id in zip(ru_ids, en_ids[::2], strict=True):
        found = archive.translation_candidates(ru_id, limit=3)
        assert all(c.language == "en" for c in found)
        right += bool(found) and found[0].id == en_id and found[0].likely
    # With the address number every pair is found; without, nearly every one.
    assert right == len(ru_ids) if with_url else right >= 0.8 * len(ru_ids)
    if with_url:
        # An English release without a counterpart may have candidates, none likely: each
        # counterpart is its own original's best.
        for en_id in en_ids[1::2]:
            assert not any(c.likely for c in archive.translation_candidates(en_id))
        best = archive.translation_candidates(ru_ids[0])[0]
        assert "same address number" in best.reasons and best.score > 0.5


def test_releases_in_one_language_are_no_candidates(archive: Archive, corpus: Path) -> None:
    row = week(corpus, size=1)[0]
    ids, _ = archive.add_releases([draft(row), draft(row, title="Re-posted", url="x:1")])
    assert archive.translation_candidates(ids[0]) == []
    # Nor is a release without a date, and an address that is no URL breaks nothing.
    undated, _ = archive.add_releases([draft(row, date="", url="http://[bad", language="ru")])
    assert archive.translation_candidates(undated[0]) == []


def test_decisions_are_kept_and_respected(tmp_path: Path, corpus: Path) -> None:
    english = week(corpus, size=6)
    rng = random.Random(5)
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        en_ids, _ = archive.add_releases([draft(r) for r in english])
        ru_ids, _ = archive.add_releases([counterpart(r, rng, with_url=True) for r in english])
        ru, en = ru_ids[0], en_ids[0]
        assert archive.translations(ru) == []
        archive.confirm_translation(ru, en)
        other = next(c.id for c in archive.translation_candidates(ru_ids[1]))
        archive.reject_translation(ru_ids[1], other)
        with pytest.raises(NotFoundError):
            archive.confirm_translation(ru, 99999)
        with pytest.raises(UserFacingError):
            archive.confirm_translation(ru, ru)
    with Archive.open(folder) as archive:
        assert [c.id for c in archive.translations(ru)] == [en]
        assert [c.id for c in archive.translations(en)] == [ru]  # both ways
        assert archive.translations(en)[0].decision == "confirmed"
        assert other not in [c.id for c in archive.translation_candidates(ru_ids[1])]
        shown = archive.translation_candidates(ru_ids[1], include_rejected=True)
        assert [c.decision for c in shown if c.id == other] == ["rejected"]
        # Rejecting a confirmed pair replaces the decision; deleting a release forgets it.
        archive.reject_translation(en, ru)
        assert archive.translations(ru) == []
        archive.confirm_translation(en, ru)
        archive.delete([en])
        assert archive.translations(ru) == []
        left = archive.store.db.execute("SELECT count(*) FROM translation_decisions").fetchone()
        assert left[0] == 1  # the rejected pair of the second release
    with Archive.open(folder, readonly=True) as archive, pytest.raises(ReadOnlyArchiveError):
        archive.confirm_translation(ru_ids[2], en_ids[2])


def test_scores_fall_with_the_days_between() -> None:
    a = signals("встреча с Лукашенко", "24 июня: 1 500 тонн", "")
    b = signals("meeting with Lukashenko", "on June 24, 1,500 tonnes", "")
    assert a.names == b.names and a.numbers == b.numbers == {"1500"} and a.dates == b.dates
    same_day, later = score(a, b, 0), score(a, b, 3)
    assert 0 < later.value < same_day.value
    assert same_day.reasons == ("1 figure in common", "1 name in common", "dates in common")
    assert score(a, signals("Other", "Nothing shared here", ""), 0).value == 0


def test_names_addresses_and_scripts() -> None:
    assert name_key("Лукашенко") == name_key("Lukashenko")
    assert name_key("Зеленського") == name_key("Zelenskyy") == name_key("Зеленский")
    assert name_key("Путиным") == name_key("Putin")
    assert name_key("Macron") == name_key("Макрона")
    assert name_key("Lukashenko") != name_key("Tokayev")
    assert url_key("http://en.kremlin.ru/events/president/news/68700") == url_key(
        "http://kremlin.ru/events/president/news/68700"
    )
    assert url_key("https://www.president.gov.ua/en/news/slug-71241") == (
        "president.gov.ua",
        "71241",
    )
    assert url_key("http://kremlin.ru/events/president/news/68701") != url_key(
        "http://en.kremlin.ru/events/president/news/68700"
    )
    assert url_key("") is None and url_key("http://[bad") is None
    assert script_language("Президент України провів зустріч з міністрами") == "uk"
    assert script_language("Президент России провёл встречу") == "ru"
    assert script_language("The President met ministers") == "en"
    assert script_language("1234", "") == "" and script_language("x", "RU") == "ru"


def test_exports_name_confirmed_translations(tmp_path: Path, corpus: Path) -> None:
    import csv
    import json

    from archive_browser.core.export import export_releases

    english = week(corpus, size=3)
    with Archive.open(tmp_path / "a") as archive:
        en_ids, _ = archive.add_releases([draft(r) for r in english])
        ru_ids, _ = archive.add_releases(
            [counterpart(r, random.Random(1), with_url=True) for r in english[:1]]
        )
        archive.confirm_translation(en_ids[0], ru_ids[0])
        ids = [*en_ids, *ru_ids]
        run(export_releases(archive, ids, tmp_path / "out.json"))
        run(export_releases(archive, ids, tmp_path / "out.csv"))
        ru_url = archive.get(ru_ids[0]).url
        titles = {r.title for r in archive.iter_releases()}
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    links = {r["id"]: r["translations"] for r in data["releases"]}
    assert links[en_ids[0]] == [{"id": ru_ids[0], "language": "ru", "url": ru_url}]
    assert links[ru_ids[0]][0]["id"] == en_ids[0] and links[en_ids[1]] == []
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        table = {int(r["id"]): r["translations"] for r in csv.DictReader(f)}
    assert table[en_ids[0]] == str(ru_ids[0]) and table[en_ids[2]] == ""
    # The archive reads its own export back, the column ignored.
    with Archive.open(tmp_path / "b") as other:
        report = run(other.import_paths([tmp_path / "out.csv"]))
        assert report is not None and len(report.imported_ids) == 4
        assert {r.title for r in other.iter_releases()} == titles
        assert all(r.notes == "" for r in other.iter_releases())

"""Versions and clusters in real archives: found on import for edited copies of real
releases, not found for unrelated releases of one office, corrected by the user's decisions
(kept through imports and rebuilds), the same whether found on import or by a rebuild."""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlite_utils

from archive_browser.core.archive import Archive
from archive_browser.core.errors import NotFoundError, UserFacingError
from archive_browser.core.jobs import run
from archive_browser.core.lineage import minhash as mh
from archive_browser.core.search import SearchSpec
from archive_browser.core.store import APPLICATION_ID, MIGRATIONS
from tests.conftest import CORPUS, shared_file
from tests.lineage_edits import EDITS, make_version, read_releases, write_csv

KINDS = list(EDITS)


def _originals(n: int, offset: int = 0) -> list[dict[str, str]]:
    rows = read_releases(shared_file(CORPUS / "putin.csv"))
    return [r for r in rows if len(r["body"].split()) > 250][offset : offset + n]


def _versions(originals: list[dict[str, str]], seed: int = 1) -> list[dict[str, str]]:
    rng = random.Random(seed)
    return [
        make_version(row, KINDS[i % len(KINDS)], rng, donor=originals[i - 1]["body"])
        for i, row in enumerate(originals)
    ]


def _import(archive: Archive, path: Path) -> list[int]:
    report = run(archive.import_paths([path]))
    assert report is not None and not report.failures
    return report.imported_ids


def _clusters(archive: Archive) -> list[tuple[int, ...]]:
    return sorted(tuple(sorted(c.ids)) for c in archive.clusters())


#: Titles of releases of one office that share boilerplate (see the test below).
ALIKE = (
    "Meeting with permanent members of",
    "President signed Federal Law On Ratifying",
    "Vladimir Putin arrived in China",
    "On February 4, Vladimir Putin will visit China",
    "155th Separate Marine Brigade receives",
    "126th Separate Coastal Defence Brigade receives",
    "Congratulations to officers and personnel of",
)


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """The real Kremlin releases that share the most boilerplate, with every tenth other
    release of the file, imported as they are (no versions made)."""
    folder = tmp_path_factory.mktemp("office")
    rows = read_releases(shared_file(CORPUS / "putin.csv"))
    picked = [r for n, r in enumerate(rows) if r["headline"].startswith(ALIKE) or n % 10 == 0]
    archive = Archive.open(folder / "archive")
    _import(archive, write_csv(folder / "office.csv", picked))
    yield archive
    archive.close()


def _id_of(archive: Archive, title_start: str) -> list[int]:
    return [r.id for r in archive.iter_releases() if r.title.startswith(title_start)]


def test_unrelated_releases_of_one_office_are_not_versions(office: Archive) -> None:
    """Boilerplate-heavy pairs of the real corpus: the Security Council's meetings (one
    opening paragraph, 0.3-0.5 alike), two ratification laws (0.77), a visit announced and
    made (0.65), two brigades' honorary names (0.57)."""
    assert office.versions_built
    clustered = {i for c in office.clusters() for i in c.ids}
    council = _id_of(office, "Meeting with permanent members of")
    assert len(council) > 10
    for title in ALIKE[:-1]:
        ids = _id_of(office, title)
        assert ids, title
        assert not set(ids) & clustered, title
    # Found and confirmed as pairs (they are alike), but under the threshold.
    ratify = _id_of(office, "President signed Federal Law On Ratifying")
    sims = [v.similarity for v in office.versions(ratify[0]).versions]
    assert sims == [1.0]
    pair = office.store.db.execute(
        "SELECT similarity FROM lineage_pairs WHERE a = ? AND b = ?", sorted(ratify[:2])
    ).fetchone()
    assert pair is not None and 0.7 < pair[0] < 0.8


def test_the_same_text_under_two_titles_is_one_cluster(office: Archive) -> None:
    """A possible duplicate linked on import (same text, another title) is a version."""
    ids = _id_of(office, "Congratulations to officers and personnel of")
    assert len(ids) == 2
    assert office.possible_duplicates(ids[1]) == [(ids[0], "possible")]
    report = office.versions(ids[1])
    assert report.cluster == min(ids)
    assert {v.id for v in report.versions} == set(ids)
    assert all(v.similarity == 1.0 for v in report.versions)
    assert office.cluster_sizes([*ids, 1]) == {ids[0]: 2, ids[1]: 2, 1: 1}


def test_edited_copies_of_real_releases_are_found_on_import(archive: Archive, tmp_path: Path):
    originals = _originals(30)
    _import(archive, write_csv(tmp_path / "orig.csv", originals))
    copies = _versions(originals)
    new = _import(archive, write_csv(tmp_path / "versions.csv", copies))
    assert len(new) == len(copies)
    by_title = {r.title: r.id for r in archive.iter_releases() if r.id not in new}
    missed = []
    for i, (row, copy_id) in enumerate(zip(originals, new, strict=True)):
        report = archive.versions(copy_id)
        ids = [v.id for v in report.versions]
        original_id = by_title[row["headline"]]
        if original_id not in ids:
            missed.append(KINDS[i % len(KINDS)])
            continue
        assert report.cluster is not None
        # The similarity shown is the exact one of the two texts' shingle sets.
        exact = mh.similarity(
            mh.shingles(archive.get(copy_id).body), mh.shingles(archive.get(original_id).body)
        )
        shown = next(v for v in report.versions if v.id == original_id)
        assert shown.similarity == pytest.approx(exact) and shown.similarity >= 0.8
        assert abs(shown.estimate - exact) < 0.2
        # First seen first: the original's date is the copy's (same day): by id then.
        assert report.versions[0].first and report.versions[0].id == original_id
    assert missed == []
    assert len(archive.clusters()) == len(originals)
    everything = archive.run_search(SearchSpec(""))
    firsts = archive.run_search(SearchSpec("", first_versions=True))
    assert everything.total == 2 * len(originals)
    assert firsts.total == len(originals) and not set(firsts.ids) & set(new)
    text = archive.run_search(SearchSpec("Russia", first_versions=True), limit=5)
    assert text.total <= len(originals) and not set(text.ids) & set(new)


def _plain_jaccard(a: str, b: str) -> float:
    """Five-word shingles of the words as they are (the similarity before typo-insensitive
    keys and containment)."""
    wa, wb = mh.words(a), mh.words(b)
    sa = {tuple(wa[i : i + 5]) for i in range(len(wa) - 4)}
    sb = {tuple(wb[i : i + 5]) for i in range(len(wb) - 4)}
    return len(sa & sb) / len(sa | sb)


@pytest.mark.parametrize("kind", ["typos", "paragraph added"])
def test_short_real_releases_typo_fixed_or_with_a_paragraph_added_are_versions(
    archive: Archive, tmp_path: Path, kind: str
) -> None:
    """Releases of 40-150 words, where three corrected words or one added paragraph take
    five-word Jaccard similarity under 0.8: found all the same, shown at >= 0.8."""
    rows = read_releases(shared_file(CORPUS / "putin.csv"))
    short = [r for r in rows if 40 <= len(r["body"].split()) < 150][:10]
    rng = random.Random(5)
    copies = [make_version(r, kind, rng, donor=rows[n]["body"]) for n, r in enumerate(short)]
    before = [_plain_jaccard(r["body"], c["body"]) for r, c in zip(short, copies, strict=True)]
    assert sum(b < 0.8 for b in before) >= 4  # the cases five-word Jaccard missed
    ids = _import(archive, write_csv(tmp_path / "short.csv", short + copies))
    originals, versions = ids[: len(short)], ids[len(short) :]
    for o, v in zip(originals, versions, strict=True):
        report = archive.versions(v)
        shown = {x.id: x.similarity for x in report.versions}
        assert o in shown and shown[o] >= 0.8, (kind, archive.get(o).title)
    assert _clusters(archive) == sorted(zip(originals, versions, strict=True))


def test_decisions_survive_imports_and_rebuilds(archive: Archive, tmp_path: Path) -> None:
    originals = _originals(6)
    first = _import(archive, write_csv(tmp_path / "orig.csv", originals))
    rng = random.Random(5)
    typos = [make_version(r, "typos", rng) for r in originals]
    second = _import(archive, write_csv(tmp_path / "typos.csv", typos))
    a, b = first[0], second[0]
    assert archive.versions(a).cluster is not None

    changes = archive.mark_not_version(a, b)
    assert changes.versions and {a, b} <= changes.releases
    assert archive.versions(a).cluster is None
    # A third version like both arrives: it joins one of them, never both.
    third = _import(
        archive, write_csv(tmp_path / "third.csv", [make_version(originals[0], "boilerplate", rng)])
    )
    ids = [v.id for v in archive.versions(third[0]).versions]
    assert third[0] in ids and not {a, b} <= set(ids)
    run(archive.rebuild_versions())
    ids_after = [v.id for v in archive.versions(third[0]).versions]
    assert not {a, b} <= set(ids_after)

    # Split: release second[1] leaves its cluster and stays out.
    x, y = first[1], second[1]
    archive.split_version(y)
    assert archive.versions(y).cluster is None and archive.versions(x).cluster is None
    _import(
        archive,
        write_csv(tmp_path / "again.csv", [make_version(originals[1], "dates changed", rng)]),
    )
    run(archive.rebuild_versions())
    assert archive.versions(y).cluster is None
    assert y not in [v.id for v in archive.versions(x).versions]

    # Merge: two unrelated releases become one cluster with their versions.
    p, q = first[2], first[3]
    archive.merge_versions(p, q)
    merged = {v.id for v in archive.versions(p).versions}
    assert {p, q, second[2], second[3]} <= merged
    run(archive.rebuild_versions())
    assert {v.id for v in archive.versions(q).versions} == merged
    with pytest.raises(UserFacingError):
        archive.split_version(first[5] + 1000)
    with pytest.raises(NotFoundError):
        archive.merge_versions(p, 99_999)


def test_found_on_import_is_what_a_rebuild_finds(archive: Archive, tmp_path: Path) -> None:
    originals = _originals(40, offset=10)
    copies = _versions(originals, seed=9)
    # In three imports, versions arriving before and after their originals.
    _import(archive, write_csv(tmp_path / "a.csv", originals[:20] + copies[20:]))
    _import(archive, write_csv(tmp_path / "b.csv", copies[:20]))
    _import(archive, write_csv(tmp_path / "c.csv", originals[20:] + _versions(originals[:5], 4)))
    db = archive.store.db

    def state() -> tuple[object, ...]:
        return (
            db.execute(
                "SELECT a, b, round(similarity, 9) FROM lineage_pairs ORDER BY a, b"
            ).fetchall(),
            db.execute("SELECT * FROM lineage_clusters ORDER BY release_id").fetchall(),
            db.execute("SELECT key, release_id FROM lineage_bands ORDER BY 1, 2").fetchall(),
            db.execute(
                "SELECT release_id, signature FROM lineage_signatures ORDER BY 1"
            ).fetchall(),
        )

    incremental = state()
    assert len(incremental[1]) >= 80
    run(archive.rebuild_versions())
    assert state() == incremental

    # Deleting a version takes it out of its cluster at once (one without other versions).
    pair = next(
        c
        for c in archive.clusters()
        if len(c.ids) == 2
        and archive.store.db.execute(
            "SELECT count(*) FROM lineage_pairs WHERE (a = ? OR b = ?) AND similarity >= 0.8",
            [c.ids[0], c.ids[0]],
        ).fetchone()[0]
        == 1
    )
    changes = archive.delete([pair.ids[-1]])
    assert changes.versions
    left = archive.versions(pair.ids[0])
    assert left.cluster is None and [v.id for v in left.versions] == [pair.ids[0]]
    assert archive.cluster_sizes([pair.ids[0]]) == {pair.ids[0]: 1}
    incremental = state()
    run(archive.rebuild_versions())
    assert state() == incremental


def test_clusters_at_another_threshold(archive: Archive, tmp_path: Path) -> None:
    originals = _originals(12, offset=50)
    _import(archive, write_csv(tmp_path / "o.csv", originals + _versions(originals, 2)))
    default = archive.clusters()
    # At 1.0: the versions holding every shingle of their original or held in it whole
    # (typos fixed, re-posted, boilerplate added), not those with dates or passages changed.
    strict = archive.clusters(1.0)
    loose = archive.clusters(0.5)
    assert all(c.min_similarity >= 0.8 for c in default)
    assert all(c.min_similarity == 1.0 for c in strict) and 0 < len(strict) < len(default)
    assert len(loose) >= len(default)
    for c in default:
        assert len(c.ids) >= 2 and c.first_id == c.ids[0] and c.id == min(c.ids)
    with pytest.raises(UserFacingError):
        archive.clusters(0.2)


def _schema_4_archive(folder: Path, body: str) -> None:
    """An archive as the previous version wrote it: migrations 1-4, no versions tables."""
    folder.mkdir()
    db = sqlite_utils.Database(folder / "archive.sqlite3")
    for number in range(1, 5):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    from archive_browser.core.textnorm import checksum, record_checksum

    for n, text in enumerate((body, body.replace("Russia", "Russland"), "Another text.")):
        db.execute(
            "INSERT INTO releases (title, date, body, checksum, text_checksum, added, modified) "
            "VALUES (?, '2021-12-02', ?, ?, ?, '2021', '2021')",
            [f"T{n}", text, record_checksum(text, f"T{n}", "2021-12-02", "", ""), checksum(text)],
        )
    db.close()


def test_an_older_archive_gets_its_versions_by_a_rebuild(tmp_path: Path) -> None:
    body = _originals(1)[0]["body"]
    folder = tmp_path / "old"
    _schema_4_archive(folder, body)
    with Archive.open(folder) as archive:
        run(archive.repair())
        assert not archive.versions_built
        assert archive.versions(1).cluster is None and not archive.versions(1).built
        run(archive.rebuild_versions())
        assert archive.versions_built
        assert [v.id for v in archive.versions(2).versions] == [1, 2]
        assert archive.cluster_sizes([1, 2, 3]) == {1: 2, 2: 2, 3: 1}


def test_versions_of_an_earlier_lineage_data_version_are_computed_anew(
    archive: Archive, tmp_path: Path
) -> None:
    """Signatures and bands of the first lineage data version (20 bands of six, shingles
    of words as they are) are not looked up with today's: the next import rebuilds them."""
    short = [r for r in read_releases(shared_file(CORPUS / "putin.csv")) if len(r["body"]) < 900]
    rows = short[:3]
    copy = make_version(rows[0], "typos", random.Random(3))
    _import(archive, write_csv(tmp_path / "a.csv", rows))
    db = archive.store.db
    with archive.store.transaction():  # as version 1 left it: other bands, no pairs
        db.execute("UPDATE lineage_bands SET key = key + 1")
        db.execute("DELETE FROM lineage_pairs")
        archive.store.set_meta("lineage_built", "1")
    assert not archive.versions_built
    new = _import(archive, write_csv(tmp_path / "b.csv", [copy]))
    assert archive.versions_built
    first = _id_of(archive, rows[0]["headline"])
    assert sorted(v.id for v in archive.versions(new[0]).versions) == sorted(first)
    assert len(first) == 2


def test_a_damaged_signature_row_is_signed_again(archive: Archive, tmp_path: Path) -> None:
    """A text changed under its signature (e.g. by another program) is signed anew."""
    originals = _originals(3, offset=80)
    ids = _import(archive, write_csv(tmp_path / "o.csv", originals + _versions(originals[:1])))
    assert archive.versions(ids[0]).cluster is not None
    db = sqlite3.connect(archive.folder / "archive.sqlite3")
    with db:
        db.execute(
            "UPDATE lineage_signatures SET text_checksum = 'x' WHERE release_id = ?", [ids[3]]
        )
    db.close()
    archive.lineage.update()
    assert archive.versions(ids[0]).cluster is not None
    sig = archive.store.db.execute(
        "SELECT text_checksum FROM lineage_signatures WHERE release_id = ?", [ids[3]]
    ).fetchone()
    assert sig[0] != "x"

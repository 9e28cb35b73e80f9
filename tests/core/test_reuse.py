"""Paragraph reuse on real releases: what other releases hold a paragraph, since when, and
what is boilerplate; kept on import, built for archives made before it, gone with a release."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import cancel, run
from archive_browser.core.lineage.reuse import (
    BOILERPLATE_MIN,
    countable,
    hashed_paragraphs,
    normalize_paragraph,
    split_paragraphs,
)
from archive_browser.core.store import MIGRATIONS
from archive_browser.core.store import schema as store_module
from tests.corpus_rows import draft, rows

#: A line of the president's evening addresses, in 9 releases of the corpus.
MEMORY = "Eternal memory to all who gave their lives for Ukraine!"


def with_memory(corpus: Path) -> list[dict[str, str]]:
    return [r for r in rows(corpus, "zelenskyy") if MEMORY in r["body"]]


@pytest.fixture
def filled(archive: Archive, corpus: Path) -> Archive:
    """The corpus releases that hold MEMORY, and 60 others of the same office."""
    chosen = (
        with_memory(corpus)
        + [r for r in rows(corpus, "zelenskyy")[:200] if MEMORY not in r["body"]][:60]
    )
    archive.add_releases([draft(r) for r in chosen])
    return archive


def reuse_of(archive: Archive, release_id: int, text: str) -> object:
    found = [p for p in archive.paragraph_reuse(release_id) if text in p.text]
    assert len(found) == 1, [p.text for p in archive.paragraph_reuse(release_id)]
    return found[0]


def ids_holding(archive: Archive, text: str) -> list[int]:
    return [r.id for r in archive.iter_releases() if text in r.body]


def test_a_reused_line_names_the_other_releases_and_the_first(filled: Archive) -> None:
    holders = ids_holding(filled, MEMORY)
    assert len(holders) == 9
    by_date = sorted(filled.get_many(holders), key=lambda r: (r.date, r.id))
    last = by_date[-1]
    entry = reuse_of(filled, last.id, MEMORY)
    assert entry.count == 8 and sorted(entry.ids) == sorted(set(holders) - {last.id})
    assert entry.ids == [r.id for r in by_date[:-1]]  # earliest first
    assert entry.first_id == by_date[0].id and entry.first_date == by_date[0].date
    assert not entry.boilerplate
    assert entry.describe() == (
        f"This paragraph also appears in 8 other releases, first on {by_date[0].date}"
    )
    # Stored later but dated earlier: it is the first; an undated one never is.
    row = by_date[0]
    (earlier, undated), _ = filled.add_releases(
        [
            draft({"headline": "Older", "body": MEMORY, "date": "2021-01-02", "link": "x:1"}),
            draft({"headline": "Undated", "body": MEMORY, "date": "", "link": "x:2"}),
        ]
    )
    entry = reuse_of(filled, last.id, MEMORY)
    assert (entry.first_id, entry.first_date) == (earlier, "2021-01-02")
    assert entry.ids[0] == earlier and entry.ids[-1] == undated
    assert reuse_of(filled, undated, MEMORY).first_id == earlier
    assert row.id in entry.ids
    # A paragraph of that release that no other has: listed, with no one else.
    alone = [p for p in filled.paragraph_reuse(last.id) if p.count == 0]
    assert alone and all(p.first_id == last.id for p in alone)


def test_case_quotes_and_spacing_do_not_matter_but_figures_do(
    filled: Archive, corpus: Path
) -> None:
    first = with_memory(corpus)[0]
    loud = "ETERNAL  memory to all who gave their lives — for Ukraine…"
    other_figure = "On 24 February 300 soldiers of the brigade were awarded state honours today."
    same_figure = "On 24 February 300 soldiers of the brigade were awarded state honours today."
    ids, _ = filled.add_releases(
        [
            draft(first, title="Re-posted", body=f"{loud}\n\n{same_figure}", url="x:1"),
            draft(first, title="Another", body=other_figure.replace("300", "301"), url="x:2"),
        ]
    )
    reposted, changed = ids
    entry = reuse_of(filled, reposted, "ETERNAL")
    assert entry.count == 9
    assert reuse_of(filled, reposted, "300").count == 0
    assert reuse_of(filled, changed, "301").count == 0
    assert normalize_paragraph("«Tax», 5%") == normalize_paragraph('"TAX" 5 %')
    assert normalize_paragraph("5 %") != normalize_paragraph("6 %")


def test_short_lines_are_not_counted(archive: Archive, corpus: Path) -> None:
    row = rows(corpus, "putin")[0]
    body = "Thank you.\n\nColleagues, friends,\n\n* * *\n\n" + row["body"]
    ids, _ = archive.add_releases([draft(row, body=body), draft(row, body=body, url="y:2")])
    texts = [p.text for p in archive.paragraph_reuse(ids[1])]
    assert texts and not any(t in ("Thank you.", "Colleagues, friends,", "* * *") for t in texts)
    assert not countable(normalize_paragraph("President of Russia Vladimir Putin: Thank you."))
    # Long words but few of them: not a talking point either.
    assert not countable(
        normalize_paragraph("Internationalisation of telecommunications continues.")
    )
    assert countable(normalize_paragraph(MEMORY))


def test_a_flattened_body_is_compared_sentence_by_sentence(corpus: Path) -> None:
    body = next(r for r in rows(corpus, "putin") if r["link"].endswith("/68700"))["body"]
    assert "\n" not in body and len(body) > 5000
    spans = split_paragraphs(body)
    assert len(spans) > 20
    assert body[spans[0][0] : spans[0][1]].startswith("The meeting's topic is")
    assert all(body[s:e].strip() == body[s:e] for s, e in spans)
    # Paragraphs of a body with blank lines stay whole, line breaks inside included.
    text = "One long paragraph. It has two sentences here.\nAnd a wrapped line.\n\nTwo."
    assert [text[s:e] for s, e in split_paragraphs(text)] == [text[:66], "Two."]


def test_a_sign_off_in_many_releases_is_boilerplate(archive: Archive, corpus: Path) -> None:
    sign_off = "For further information please contact the press service of the President."
    chosen = rows(corpus, "putin")[: BOILERPLATE_MIN + 5]
    ids, _ = archive.add_releases([draft(r, body=f"{r['body']}\n\n{sign_off}") for r in chosen])
    entry = reuse_of(archive, ids[-1], "press service")
    assert entry.count == BOILERPLATE_MIN + 4 and entry.boilerplate
    assert entry.describe().endswith("(boilerplate)")


def test_import_hashes_and_delete_forgets(tmp_path: Path, archive: Archive, corpus: Path) -> None:
    chosen = with_memory(corpus)[:3]
    csv_file = tmp_path / "three.csv"
    import csv

    with csv_file.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["link", "headline", "date", "body"])
        writer.writeheader()
        writer.writerows({k: r[k] for k in ("link", "headline", "date", "body")} for r in chosen)
    report = run(archive.import_paths([csv_file]))
    assert report is not None and len(report.imported_ids) == 3
    assert archive.paragraphs_missing() == 0
    first, second, third = report.imported_ids
    assert reuse_of(archive, third, MEMORY).count == 2
    archive.delete([first])
    assert reuse_of(archive, third, MEMORY).ids == [second]
    left = archive.store.db.execute(
        "SELECT count(*) FROM paragraph_hashes WHERE release_id = ?", [first]
    ).fetchone()[0]
    assert left == 0


def test_an_archive_made_before_the_table_is_built_by_a_job(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from archive_browser.core.store.schema import _migration_reuse

    older = tuple(MIGRATIONS[: MIGRATIONS.index(_migration_reuse)])
    folder = tmp_path / "old"
    chosen = with_memory(corpus)[:4]
    with monkeypatch.context() as m:
        m.setattr(store_module, "MIGRATIONS", older)
        m.setattr(store_module, "SCHEMA_VERSION", len(older))
        with Archive.open(folder) as old:
            old.change(lambda s: [s.insert_release(draft(r)) for r in chosen])
            assert "paragraph_hashes" not in old.store.db.table_names()
    with Archive.open(folder) as archive:
        run(archive.repair())
        assert archive.store.schema_version() == len(MIGRATIONS)
        assert archive.paragraphs_missing() == 4
        # Read before the build: this release's paragraphs are hashed on the spot, the
        # others are not known yet.
        assert reuse_of(archive, 4, MEMORY).count == 0
        job = archive.build_paragraphs()
        first = next(job)
        assert first.total == 4
        assert run(job) == 4
        assert archive.paragraphs_missing() == 0
        assert reuse_of(archive, 4, MEMORY).ids == [1, 2, 3]
        # A full rebuild gives the same answer; a cancelled one keeps what it did.
        assert run(archive.build_paragraphs(full=True)) == 4
        assert reuse_of(archive, 4, MEMORY).ids == [1, 2, 3]
        job = archive.build_paragraphs(full=True)
        next(job)
        assert cancel(job) == 0
        assert archive.paragraphs_missing() == 4
        assert run(archive.build_paragraphs()) == 4


def test_hashes_are_stable_and_skip_repeats_in_one_body() -> None:
    line = "The brigade received new equipment from its partners this week."
    body = f"{MEMORY}\n\n{MEMORY.upper()}\n\n{line}"
    found = hashed_paragraphs(body)
    assert [p.position for p in found] == [0, 2]
    assert found[0].hash == hashed_paragraphs(MEMORY)[0].hash


def test_paragraph_breaks_are_those_of_the_pattern_stored_hashes_were_made_with(
    corpus: Path, sample: Path
) -> None:
    """Breaks are found without the pattern's lookbehind (6 times as quick), at the same
    places: on the real releases and the sample, on random runs of white space and after
    every character."""
    import random
    import re

    from archive_browser.core.lineage.reuse import _breaks

    with_lookbehind = re.compile(r"(?<=\S)\n[ \t]*\n")

    def expected(body: str) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in with_lookbehind.finditer(body)]

    rnd = random.Random(7)
    # The real releases are flattened to one line: their sentences are joined again by line
    # breaks of many kinds, white space before them included.
    joins = ["\n\n", "\n \t\n", " \n\n", "\n\n\n", "\n", "\u00a0\n\n", "\r\n\r\n"]
    bodies = [
        "".join(s + rnd.choice(joins) for s in r["body"].split(". "))
        for office in ("putin", "zelenskyy")
        for r in rows(corpus, office)
    ]
    bodies.append(sample.read_text(encoding="utf-8"))
    assert len(expected(bodies[-1])) > 10
    assert sum(len(expected(b)) for b in bodies) > 10_000
    alphabet = "ab \t\n\n\n.\u00a0\r\u2028\x1c"
    bodies += ["".join(rnd.choices(alphabet, k=rnd.randint(0, 60))) for _ in range(20_000)]
    bodies += [
        f"x{chr(c)}\n \n\ny{chr(c)}\n\n" for c in range(0x110000) if not 0xD800 <= c < 0xE000
    ]
    assert [_breaks(b) for b in bodies] == [expected(b) for b in bodies]


def test_a_large_import_hashes_every_release_in_few_transactions(
    archive: Archive, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of more releases than SQLite takes parameters in one statement (900), with a
    larger page cache while they are hashed and the connection's own after."""
    import archive_browser.core.archive.reuse as reuse_module

    monkeypatch.setattr(reuse_module, "BUILD_BATCH", 1000)
    db = archive.store.db
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    seen: list[int] = []
    record = reuse_module.record_paragraphs

    def recorded(store: object, releases: list[tuple[int, str]]) -> None:
        seen.append(len(releases))
        seen.append(-int(db.execute("PRAGMA cache_size").fetchone()[0]))
        record(store, releases)  # type: ignore[arg-type]

    monkeypatch.setattr(reuse_module, "record_paragraphs", recorded)
    report = run(archive.import_paths([corpus]))
    assert report is not None and len(report.imported_ids) > 1500
    assert seen[0::2] == [1000, len(report.imported_ids) - 1000]
    assert set(seen[1::2]) == {reuse_module.BULK_CACHE_KIB}
    assert db.execute("PRAGMA cache_size").fetchone()[0] == before
    assert archive.paragraphs_missing() == 0
    hashed = db.execute("SELECT count(DISTINCT release_id) FROM paragraph_done").fetchone()[0]
    assert hashed == archive.count()

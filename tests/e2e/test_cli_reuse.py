"""The lineage commands through the real command line: reuse, translations, compare."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from tests.conftest import run_cli
from tests.corpus_rows import rows

MEMORY = "Eternal memory to all who gave their lives for Ukraine!"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write_csv(path: Path, chosen: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["link", "headline", "date", "body"])
        writer.writeheader()
        writer.writerows({k: r[k] for k in ("link", "headline", "date", "body")} for r in chosen)
    return path


def ok(*args: str | Path, archive: Path) -> str:
    result = run_cli(*args, archive=archive)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_reuse_lists_the_releases_of_a_paragraph(tmp_path: Path, corpus: Path) -> None:
    arch = tmp_path / "a"
    holders = [r for r in rows(corpus, "zelenskyy") if MEMORY in r["body"]][:4]
    data = write_csv(tmp_path / "four.csv", [*holders, rows(corpus, "putin")[0]])
    ok("import", data, archive=arch)
    found = json.loads(ok("reuse", "4", "--json", archive=arch))
    assert found["id"] == 4 and found["releases_not_compared"] == 0
    (memory,) = [p for p in found["paragraphs"] if MEMORY in p["text"]]
    assert memory["count"] == 3 and memory["ids"] == [1, 2, 3]
    assert memory["first_id"] == 1 and memory["first_date"] == holders[0]["date"][:10]
    assert memory["boilerplate"] is False
    assert {p["count"] for p in found["paragraphs"] if p is not memory} <= {0, 1, 2, 3}
    text = ok("reuse", "4", archive=arch)
    assert f"also appears in 3 other releases, first on {holders[0]['date'][:10]}" in text
    assert "in: 1, 2, 3" in text
    alone = ok("reuse", "5", archive=arch)
    assert alone.strip() == "No paragraph of release 5 appears in another release."


def test_an_older_archive_is_hashed_first(tmp_path: Path, corpus: Path) -> None:
    arch = tmp_path / "a"
    holders = [r for r in rows(corpus, "zelenskyy") if MEMORY in r["body"]][:2]
    ok("import", write_csv(tmp_path / "two.csv", holders), archive=arch)
    db = sqlite3.connect(arch / "archive.sqlite3")
    with db:
        db.execute("DELETE FROM paragraph_hashes")
        db.execute("DELETE FROM paragraph_done")
    db.close()
    result = run_cli("reuse", "2", "--json", archive=arch)
    assert result.returncode == 0, result.stderr
    assert "finding the paragraphs of 2 releases first" in result.stderr
    found = json.loads(result.stdout)
    assert [p["ids"] for p in found["paragraphs"] if MEMORY in p["text"]] == [[1]]


def test_translations_are_proposed_confirmed_and_rejected(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "a"
    ok("import", sample, FIXTURES / "ru-zasedanie.txt", archive=arch)
    listing = json.loads(ok("search", "", "--limit", "50", "--json", archive=arch))
    ids = {h["title"][:12]: h["id"] for h in listing["hits"]}
    russian, english = ids["Заседание Со"], ids["Informal mee"]
    found = json.loads(ok("translations", str(russian), "--json", archive=arch))
    assert found["id"] == russian
    best = found["candidates"][0]
    assert best["id"] == english and best["likely"] and best["decision"] == ""
    assert set(best) == {
        "id", "title", "date", "language", "url", "score", "reasons", "decision", "likely"
    }  # fmt: skip
    confirmed = json.loads(
        ok("translations", str(russian), "--confirm", str(english), "--json", archive=arch)
    )
    assert confirmed["candidates"][0]["decision"] == "confirmed"
    back = ok("translations", str(english), archive=arch)
    assert "confirmed" in back and "Заседание" in back
    ok("translations", str(english), "--reject", str(russian), archive=arch)
    again = json.loads(ok("translations", str(russian), "--json", archive=arch))
    assert [c["decision"] for c in again["candidates"] if c["id"] == english] == ["rejected"]


def test_compare_says_what_changed(tmp_path: Path, corpus: Path) -> None:
    arch = tmp_path / "a"
    row = dict(rows(corpus, "putin")[3])
    edited = dict(row, link=row["link"] + "?v2", body=row["body"].replace(" the ", " teh ", 1))
    ok("import", write_csv(tmp_path / "v.csv", [row, edited]), archive=arch)
    change = json.loads(ok("compare", "1", "2", "--json", archive=arch))
    assert change["kind"] == "typo" and change["summary"] == "1 word corrected"
    assert change["left"] == 1 and change["right"] == 2 and 0.9 < change["similarity"] <= 1
    line = ok("compare", "1", "2", archive=arch)
    assert line.startswith("typo-level: 1 word corrected (")


def test_bad_ids_get_one_clear_line(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "a"
    ok("import", sample, archive=arch)
    for args, words in (
        (("reuse", "999"), "no release with id 999"),
        (("reuse", "abc"), "whole number"),
        (("translations", "1", "--confirm", "999"), "no release with id 999"),
        (("translations", "1", "--confirm", "1"), "not a translation of itself"),
        (("compare", "1", "1"), "two different releases"),
        (("compare", "1", "999"), "no release with id 999"),
    ):
        result = run_cli(*args, archive=arch)
        assert result.returncode == 1, (args, result.stdout)
        assert words in result.stderr.lower(), (args, result.stderr)
        assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1

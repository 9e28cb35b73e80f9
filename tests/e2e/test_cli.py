"""The real command line, as a subprocess, on the shared releases."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from archive_browser import __version__
from tests.conftest import FIXTURES, copy_archive, run_cli


def ok_json(result) -> object:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout.strip() == f"archive-browser {__version__}"


def test_sample_import_search_tag_show_check(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    report = ok_json(run_cli("import", sample, "--json", archive=arch))
    assert report["imported"] == 5 and report["duplicates"] == 0 and report["failed"] == []
    found = ok_json(run_cli("search", "Bishkek", "--json", archive=arch))
    assert found["total"] == 1
    hit = found["hits"][0]
    assert hit["title"].startswith("Informal meeting of the heads of the CSTO")
    assert hit["date"] == "2013-05-28"
    assert "**Bishkek**" in hit["snippet"]
    assert set(hit) == {"id", "title", "date", "source", "tags", "score", "snippet"}
    shown = ok_json(run_cli("show", str(hit["id"]), "--json", archive=arch))
    assert shown["body"].rstrip().endswith("he clarified.")
    assert "railway" in shown["body"]

    tagged = run_cli("tag", "add", "Afghanistan", "--query", "afghan*", archive=arch)
    assert tagged.returncode == 0, tagged.stderr
    by_tag = ok_json(run_cli("search", "tag:afghanistan", "--json", archive=arch))
    assert [h["id"] for h in by_tag["hits"]] == [hit["id"]]
    assert by_tag["hits"][0]["tags"] == ["Afghanistan"]
    listed = ok_json(run_cli("tag", "list", "--json", archive=arch))
    assert listed == [{"tag": "Afghanistan", "count": 1}]

    again = run_cli("import", sample, "--json", archive=arch)
    assert again.returncode == 0
    assert json.loads(again.stdout)["duplicates"] == 5
    assert json.loads(again.stdout)["imported"] == 0
    check = run_cli("check", "--json", archive=arch)
    assert check.returncode == 0 and json.loads(check.stdout)["consistent"] is True


def test_malformed_query_is_one_clear_line(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    run_cli("import", sample, archive=arch)
    for query in ('"unclosed phrase', "date:[2013 to never]", "colour:red"):
        result = run_cli("search", query, archive=arch)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("archive-browser: ") and result.stderr.count("\n") == 1


def test_bad_inputs_are_reported_and_the_rest_imported(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    ok_json(run_cli("import", sample, "--json", archive=arch))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text("A good release\n\nIt has a body of text.", encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (folder / "broken.json").write_text("[{", encoding="utf-8")
    (folder / "shape.json").write_text('{"x": 1}', encoding="utf-8")
    (folder / "nobody.csv").write_text("title,when\nA,2020\n", encoding="utf-8")
    (folder / "ru.txt").write_bytes(
        (FIXTURES / "ru-elka.txt").read_text(encoding="utf-8").encode("cp1251")
    )
    result = run_cli("import", folder, tmp_path / "missing.txt", "--json", archive=arch)
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    assert report["imported"] == 2
    failed = {Path(f["path"]).name: f["error"] for f in report["failed"]}
    assert set(failed) == {
        "empty.txt",
        "binary.txt",
        "broken.json",
        "shape.json",
        "nobody.csv",
        "missing.txt",
    }
    assert "empty" in failed["empty.txt"] and "binary" in failed["binary.txt"]
    assert "malformed JSON" in failed["broken.json"] and "no such file" in failed["missing.txt"]
    # Nothing already stored was touched, and the Windows-1251 file reads as Russian.
    assert ok_json(run_cli("search", "Bishkek", "--json", archive=arch))["total"] == 1
    elka = ok_json(run_cli("search", "елка", "--json", archive=arch))
    assert elka["total"] == 1 and elka["hits"][0]["title"].startswith("Новогодняя ёлка")
    assert run_cli("check", archive=arch).returncode == 0


def test_text_output_and_errors_without_json(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    result = run_cli("import", sample, archive=arch)
    assert result.returncode == 0
    assert result.stdout.strip() == (
        "Imported 5 releases; 0 were already in the archive; 0 failed."
    )
    shown = run_cli("search", "meetings", "--limit", "1", archive=arch)
    assert shown.returncode == 0 and "2 releases match 'meetings' (showing 1)" in shown.stdout
    missing = run_cli("show", "999", archive=arch)
    assert missing.returncode == 1 and "no release with id 999" in missing.stderr
    stats = ok_json(run_cli("stats", "--json", archive=arch))
    assert stats["releases"] == 5 and stats["by_year"] == {"2013": 1, "2024": 2}


def test_default_archive_is_seeded_with_the_demo(tmp_path: Path, private_home: Path) -> None:
    found = ok_json(run_cli("search", "tag:demo", "--json", "--limit", "50"))
    assert found["total"] == 5
    assert all(h["source"] == "CSTO" for h in found["hits"])
    assert (private_home / "data" / "archive" / "archive.sqlite3").exists()


@pytest.mark.slow
def test_real_corpus(tmp_path: Path, corpus: Path, corpus_imported: tuple[Path, dict]) -> None:
    arch = copy_archive(corpus_imported[0], tmp_path / "arch")
    report = corpus_imported[1]
    csv.field_size_limit(1 << 24)
    with (corpus / "putin.csv").open(encoding="utf-8") as f:
        putin = sum(1 for _ in csv.DictReader(f))
    with (corpus / "zelenskyy.csv").open(encoding="utf-8") as f:
        zelenskyy = sum(1 for _ in csv.DictReader(f))
    assert report["failed"] == []
    assert report["imported"] + report["duplicates"] == putin + zelenskyy == 1796
    stats = ok_json(run_cli("stats", "--json", archive=arch))
    assert stats["releases"] == report["imported"]
    assert set(stats["by_source"]) == {"en.kremlin.ru", "www.president.gov.ua"}
    assert set(stats["by_year"]) == {"2021", "2022"}

    # English stemming: the plural finds the singular and the other way round.
    plural = ok_json(run_cli("search", "negotiations", "--json", "--limit", "1", archive=arch))
    singular = ok_json(run_cli("search", "negotiation", "--json", "--limit", "1", archive=arch))
    exact = ok_json(run_cli("search", "exact:negotiations", "--json", archive=arch))
    assert plural["total"] == singular["total"] > exact["total"] > 0

    dated = ok_json(
        run_cli("search", "Ukraine date:2022-02", "--sort", "date", "--json", archive=arch)
    )
    dates = [h["date"] for h in dated["hits"]]
    assert dates and dates == sorted(dates) and all(d.startswith("2022-02") for d in dates)

    tag = run_cli("tag", "add", "energy", "--query", '"gas supplies"', archive=arch)
    assert tag.returncode == 0, tag.stderr
    tagged = ok_json(run_cli("search", "tag:energy", "--json", archive=arch))
    phrase = ok_json(run_cli("search", '"gas supplies"', "--json", archive=arch))
    assert tagged["total"] == phrase["total"] > 0

    again = ok_json(run_cli("import", corpus / "putin.csv", "--json", archive=arch))
    assert again["imported"] == 0 and again["duplicates"] == putin
    check = run_cli("check", "--json", archive=arch)
    assert check.returncode == 0, check.stdout
    assert json.loads(check.stdout)["releases"] == report["imported"]


def test_check_repairs_on_opening_and_reindex_from_the_cli(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    run_cli("import", sample, archive=arch)
    index_dirs = [p for p in arch.iterdir() if p.name.startswith("index")]
    shutil.rmtree(index_dirs[0])
    only_report = run_cli("check", "--no-repair", "--json", archive=arch)
    assert only_report.returncode == 1
    assert "missing" in json.loads(only_report.stdout)["index_problem"]
    assert not any(p.name.startswith("index") for p in arch.iterdir())  # nothing changed
    repaired = run_cli("check", "--json", archive=arch)
    assert repaired.returncode == 0, repaired.stdout
    report = json.loads(repaired.stdout)
    assert report["consistent"] and report["repaired"].startswith("rebuilt the index (missing")
    result = run_cli("reindex", archive=arch)
    assert result.returncode == 0 and "Rebuilt the index of 5 releases" in result.stdout
    assert run_cli("check", archive=arch).returncode == 0

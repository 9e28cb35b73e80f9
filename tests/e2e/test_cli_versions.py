"""`versions` and `clusters` through the real command line, on edited real releases."""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.conftest import CORPUS, run_cli, shared_file
from tests.lineage_edits import make_version, read_releases, write_csv


def ok_json(result) -> object:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    rows = [
        r for r in read_releases(shared_file(CORPUS / "zelenskyy.csv")) if len(r["body"]) > 2000
    ]
    originals = rows[:4]
    rng = random.Random(7)
    kinds = ["typos", "re-posted", "boilerplate", "paragraph dropped"]
    copies = [make_version(r, k, rng) for r, k in zip(originals, kinds, strict=True)]
    # Undated and sourceless copies too, as some files have them.
    copies[2] = {**copies[2], "date": "", "source": ""}
    return write_csv(tmp_path / "o.csv", originals), write_csv(tmp_path / "v.csv", copies)


def test_versions_and_clusters_json_and_decisions(tmp_path: Path) -> None:
    arch = tmp_path / "arch"
    originals, copies = _files(tmp_path)
    first = ok_json(run_cli("import", originals, "--json", archive=arch))
    second = ok_json(run_cli("import", copies, "--json", archive=arch))
    assert first["imported"] == 4 and second["imported"] == 4

    listed = ok_json(run_cli("clusters", "--json", archive=arch))
    assert set(listed) == {"clusters"} and len(listed["clusters"]) == 4
    for c in listed["clusters"]:
        assert set(c) == {"id", "ids", "first_id", "min_similarity"}
        assert len(c["ids"]) == 2 and c["first_id"] == c["ids"][0] and c["id"] == min(c["ids"])
        assert 0.8 <= c["min_similarity"] <= 1
    # The second original and its re-post (ids in import order); typos fixed and
    # boilerplate added are 1.0 alike too, re-posted or not.
    reposted = next(c for c in listed["clusters"] if c["ids"] == [2, 6])
    assert reposted["min_similarity"] == 1.0

    shown = ok_json(run_cli("versions", str(reposted["first_id"]), "--json", archive=arch))
    assert set(shown) == {"id", "cluster", "versions"}
    assert shown["id"] == reposted["first_id"] and shown["cluster"] == reposted["id"]
    assert [v["id"] for v in shown["versions"]] == reposted["ids"]
    for v in shown["versions"]:
        assert set(v) == {"id", "date", "title", "source", "similarity"}
    assert shown["versions"][1]["source"] == "news.example.org"
    assert shown["versions"][1]["title"].startswith("Re-posted: ")

    text = run_cli("versions", str(reposted["first_id"]), archive=arch)
    assert text.returncode == 0 and "has 1 other version" in text.stdout
    assert "first seen" in text.stdout and "100%" in text.stdout

    a, b = reposted["ids"]
    done = run_cli("versions", "--not-version", str(a), str(b), archive=arch)
    assert done.returncode == 0, done.stderr
    apart = ok_json(run_cli("versions", str(a), "--json", archive=arch))
    assert apart["cluster"] is None and [v["id"] for v in apart["versions"]] == [a]
    # Kept through a rebuild.
    assert run_cli("versions", "--rebuild", archive=arch).returncode == 0
    assert ok_json(run_cli("versions", str(b), "--json", archive=arch))["cluster"] is None
    assert len(ok_json(run_cli("clusters", "--json", archive=arch))["clusters"]) == 3

    others = [c for c in listed["clusters"] if c is not reposted]
    merged = run_cli(
        "versions", "--merge", str(others[0]["ids"][0]), str(others[1]["ids"][0]), archive=arch
    )
    assert merged.returncode == 0 and "4 in their cluster" in merged.stdout
    split = run_cli("versions", "--split", str(others[0]["ids"][1]), archive=arch)
    assert split.returncode == 0, split.stderr
    final = ok_json(run_cli("clusters", "--json", "--min-similarity", "0.8", archive=arch))
    sizes = sorted(len(c["ids"]) for c in final["clusters"])
    assert sizes == [2, 3]


def test_bad_requests_are_one_clear_line(tmp_path: Path) -> None:
    arch = tmp_path / "arch"
    originals, _ = _files(tmp_path)
    ok_json(run_cli("import", originals, "--json", archive=arch))
    for args in (
        ("versions", "999"),
        ("versions", "abc"),
        ("versions",),
        ("versions", "--split", "1"),  # no other version
        ("versions", "--merge", "1", "1"),
        ("clusters", "--min-similarity", "0.1"),
    ):
        result = run_cli(*args, archive=arch)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith("archive-browser: ") and result.stderr.count("\n") == 1
    empty = run_cli("clusters", archive=arch)
    assert empty.returncode == 0 and "No release has a version" in empty.stdout
    helped = run_cli("versions", "--help")
    assert "examples:" in helped.stdout and "--not-version" in helped.stdout

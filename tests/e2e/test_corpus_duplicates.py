"""The real corpus through the CLI: releases of the same text but their own headline, date
or URL are all stored and reported as possible duplicates; importing again adds nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import copy_archive, run_cli


@pytest.mark.slow
def test_corpus_keeps_every_release_and_names_the_pairs(
    tmp_path: Path, corpus: Path, corpus_imported: tuple[Path, dict]
) -> None:
    arch = copy_archive(corpus_imported[0], tmp_path / "arch")
    report = corpus_imported[1]
    assert report["imported"] == 1796 and report["duplicates"] == 0 and report["failed"] == []
    assert all(m["kind"] == "possible" for m in report["matches"])
    by_title = {m["title"]: m for m in report["matches"]}
    brigade = next(t for t in by_title if "126th" in t)
    assert brigade.startswith("Congratulations to officers and personnel of 126th")
    assert any(t.startswith("Joint statement by the President of Ukraine") for t in by_title)
    assert len(report["matches"]) == 2
    for m in report["matches"]:
        assert m["id"] in report["ids"] and m["matched_id"] in report["ids"]
        mine = json.loads(run_cli("show", str(m["id"]), "--json", archive=arch).stdout)
        other = json.loads(run_cli("show", str(m["matched_id"]), "--json", archive=arch).stdout)
        assert mine["body"] == other["body"]
        assert (mine["title"], mine["date"], mine["url"]) != (
            other["title"],
            other["date"],
            other["url"],
        )
    found = json.loads(run_cli("search", "126th", "--json", archive=arch).stdout)
    assert by_title[brigade]["id"] in [h["id"] for h in found["hits"]]

    again = run_cli("import", corpus, "--json", archive=arch)
    assert again.returncode == 0, again.stderr
    second = json.loads(again.stdout)
    assert second["imported"] == 0 and second["duplicates"] == 1796
    assert len(second["matches"]) == 1796
    assert {m["kind"] for m in second["matches"]} == {"same"}
    assert all(m["id"] is None for m in second["matches"])
    stats = json.loads(run_cli("stats", "--json", archive=arch).stdout)
    assert stats["releases"] == 1796

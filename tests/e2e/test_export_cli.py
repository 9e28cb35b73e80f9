"""`archive-browser export`, the real command line as a subprocess, on the shared releases."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from archive_browser.core.archive import Archive
from archive_browser.core.export.pdf import HIGHLIGHT
from tests.conftest import FIXTURES, run_cli


def fill_operator(rgb: tuple[int, int, int]) -> bytes:
    """The PDF operator that sets `rgb` (0-255) as the fill colour, as the PDF writes it:
    each part a fraction of 1 to four places, without trailing zeros."""
    parts = (f"{c / 255:.4f}".rstrip("0").rstrip(".") for c in rgb)
    return " ".join(parts).encode() + b" rg"


def ok_json(result) -> object:
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def imported(arch: Path, *paths: Path) -> list[int]:
    report = ok_json(run_cli("import", *paths, "--json", archive=arch))
    assert report["failed"] == []
    return report["ids"]


def test_export_pdf_of_a_query_with_highlights(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    imported(arch, sample, FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt")
    out = tmp_path / "csto.pdf"
    report = ok_json(
        run_cli("export", out, "--query", "CSTO", "--highlight", "CSTO", "--json", archive=arch)
    )
    hits = ok_json(run_cli("search", "CSTO", "--json", "--limit", "100", archive=arch))["hits"]
    assert report == {
        "path": str(out),
        "format": "pdf",
        "count": len(hits),
        "pages": report["pages"],
        "bytes": out.stat().st_size,
        "link": None,
    }
    reader = PdfReader(out)
    assert report["pages"] == len(reader.pages) >= len(hits) + 2
    # In relevance order, as search gives them.
    assert [item.title for item in reader.outline] == [h["title"] for h in hits]
    cover = " ".join(reader.pages[0].extract_text().split())
    assert "QUERY CSTO" in cover and f"RELEASES {len(hits)}" in cover
    assert fill_operator(HIGHLIGHT) in reader.pages[2].get_contents().get_data()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arch", "csto.pdf"]


def test_export_ids_in_order_and_by_date(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    ids = imported(arch, sample, FIXTURES / "ru-elka.txt")
    chosen = [ids[4], ids[0], ids[5]]
    out = tmp_path / "chosen.json"
    result = run_cli("export", out, "--ids", ",".join(map(str, chosen)), archive=arch)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Exported 3 releases to {out} (")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in data["releases"]] == chosen and data["query"] is None

    run_cli("export", out, "--ids", ",".join(map(str, chosen)), "--sort", "date", archive=arch)
    dates = [r["date"] for r in json.loads(out.read_text(encoding="utf-8"))["releases"]]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[len(known) :] == [None] * (3 - len(known))


def test_csv_export_imports_into_a_new_archive(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    ids = imported(arch, sample, FIXTURES / "ru-zasedanie.txt")
    assert run_cli("tag", "add", "ОДКБ", "--query", "Бишкеке", archive=arch).returncode == 0
    out = tmp_path / "all.csv"
    ok_json(run_cli("export", out, "--query", "", "--json", archive=arch))
    again = tmp_path / "again"
    report = ok_json(run_cli("import", out, "--json", archive=again))
    assert report["imported"] == len(ids) and report["failed"] == []

    def everything(where: Path) -> list[dict]:
        # What `show --json` prints of each release (its to_dict), read in one opening
        # rather than one process per release.
        with Archive.open(where, readonly=True) as archive:
            shown = [r.to_dict() for r in archive.iter_releases()]
        keep = ("title", "date", "body", "summary", "language", "kind", "tags", "orig_path")
        return sorted(({k: r[k] for k in keep} for r in shown), key=lambda r: r["body"])

    assert len(everything(arch)) == len(ids)
    assert everything(again) == everything(arch)
    # The command line shows a release of the new archive as the old one stores it.
    first = ok_json(run_cli("search", "", "--json", "--limit", "1", archive=again))["hits"][0]
    shown = ok_json(run_cli("show", str(first["id"]), "--json", archive=again))
    assert {k: shown[k] for k in ("title", "body", "tags")} in [
        {k: r[k] for k in ("title", "body", "tags")} for r in everything(arch)
    ]
    assert ok_json(run_cli("search", "tag:одкб", "--json", archive=again))["total"] == 1


def test_export_errors_are_one_clear_line(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    imported(arch, sample)
    for args, message in (
        (["out.docx", "--ids", "1"], "name a file ending in .csv, .json, .pdf"),
        (["out.pdf", "--ids", "1,999"], "No release has the id 999."),
        (["out.pdf", "--query", "nosuchword"], "No release matches 'nosuchword'"),
        ([str(tmp_path / "no" / "out.pdf"), "--ids", "1"], "does not exist"),
        (["out.pdf", "--ids", "1", "--highlight", '"open'], "is not closed"),
    ):
        result = run_cli("export", *args, archive=arch)
        assert result.returncode == 1, args
        assert result.stderr.startswith("archive-browser: ") and message in result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    both = run_cli("export", "out.pdf", "--ids", "1", "--query", "x", archive=arch)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr
    neither = run_cli("export", "out.pdf", archive=arch)
    assert neither.returncode == 2 and "one of the arguments --ids --query is required" in (
        neither.stderr
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["arch"]

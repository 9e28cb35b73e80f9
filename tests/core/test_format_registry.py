"""Importer formats are records in one registry: a new format is one file and one call."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core import importers
from archive_browser.core.archive import Archive
from archive_browser.core.importers import registry
from archive_browser.core.jobs import run

README = Path(__file__).resolve().parents[2] / "README.md"

#: A whole importer format, as a newcomer would write it in a new module.
PLUGIN = textwrap.dedent(
    '''
    """Releases as `key: value` lines, one release per file (a made-up format)."""

    from archive_browser.core.importers import ImportFormat, ReadContext
    from archive_browser.core.model import ReleaseDraft


    def read_rel(ctx: ReadContext) -> list[ReleaseDraft]:
        fields = {}
        for line in ctx.text().splitlines():
            key, sep, value = line.partition(":")
            if sep:
                fields[key.strip().lower()] = value.strip()
        return [
            ReleaseDraft(
                title=fields.get("title", ""),
                body=fields.get("body", ""),
                date=fields.get("date"),
                place=fields.get("place", ""),
            )
        ]


    FORMAT = ImportFormat("rel", "Key-value release", (".rel",), 1, read_rel)
    '''
)


@pytest.fixture
def rel_format(tmp_path: Path) -> Iterator[registry.ImportFormat]:
    (tmp_path / "plugins").mkdir()
    (tmp_path / "plugins" / "relformat.py").write_text(PLUGIN, encoding="utf-8")
    sys.path.insert(0, str(tmp_path / "plugins"))
    try:
        fmt = importlib.import_module("relformat").FORMAT
        importers.register(fmt)  # the one registration line
        yield fmt
    finally:
        registry.unregister("rel")
        sys.path.remove(str(tmp_path / "plugins"))
        sys.modules.pop("relformat", None)


def test_a_plugin_format_imports_and_its_release_is_found(
    archive: Archive, rel_format: registry.ImportFormat, tmp_path: Path
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "summit.rel").write_text(
        "Title: Summit in Dushanbe\nDate: 2021-09-16\nPlace: Dushanbe\n"
        "Body: The heads of state discussed the situation in Afghanistan.\n",
        encoding="utf-8",
    )
    (folder / "notes.unknown").write_text("not a release", encoding="utf-8")
    report = run(archive.import_paths([folder]))  # the folder walk finds .rel files too
    assert report is not None and len(report.imported_ids) == 1 and not report.failures
    hits = archive.search("afghanistan")
    assert hits.total == 1
    release = archive.get(hits.ids[0])
    assert (release.title, release.date, release.place) == (
        "Summit in Dushanbe",
        "2021-09-16",
        "Dushanbe",
    )
    assert release.orig_format == "rel"
    assert "*.rel" in importers.file_filter()


def test_a_plugin_file_over_its_size_limit_is_refused_clearly(
    archive: Archive, rel_format: registry.ImportFormat, tmp_path: Path
) -> None:
    big = tmp_path / "big.rel"
    big.write_text("Body: " + "word " * 300_000, encoding="utf-8")  # 1.5 MB, limit 1 MB
    report = run(archive.import_paths([big]))
    assert report is not None and not report.imported_ids
    assert len(report.failures) == 1 and "MB" in report.failures[0][1]
    assert archive.count() == 0


def test_an_ending_already_read_cannot_be_taken_by_another_format() -> None:
    clash = registry.ImportFormat("plain2", "Another text", (".TXT",), 1, lambda ctx: [])
    with pytest.raises(ValueError, match="already read"):
        importers.register(clash)
    assert importers.format_for(Path("a.txt")) is registry.get("text")


def test_lookups_come_from_the_registry() -> None:
    assert importers.FORMATS[".markdown"] == "markdown"
    assert importers.SIZE_LIMITS_MB["csv"] == 1024
    assert importers.is_text_file(Path("x.TEXT")) and not importers.is_text_file(Path("x.csv"))
    assert importers.format_for(Path("x.pages")) is None
    assert importers.format_for(Path("crawl.WARC.GZ")) is registry.get("warc")
    assert importers.format_for(Path("backup.tar.gz")) is None
    assert importers.file_filter().startswith(
        "Releases (*.txt *.text *.md *.markdown *.html *.htm *.xhtml *.csv *.tsv *.json "
        "*.jsonl *.ndjson *.pdf "
    )
    assert importers.file_filter().endswith(" *.warc *.warc.gz *.wacz *.zip *.bag);;All files (*)")


def test_the_cli_import_help_lists_every_format() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "archive_browser", "import", "--help"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(out.split())
    for fmt in importers.formats():
        assert fmt.label in flat
        for ext in fmt.extensions:
            assert ext in flat


def test_the_readme_format_table_names_exactly_the_registry_endings() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### What an import reads", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    assert rows, "the README has no format table"
    listed = [ext for row in rows for ext in re.findall(r"`(\.[a-z0-9.]+)`", row.split("|")[1])]
    assert sorted(listed) == sorted(importers.extensions())

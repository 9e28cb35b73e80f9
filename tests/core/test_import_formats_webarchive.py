"""Web archives: one release per HTML page of a WARC or WACZ; assets, redirects, revisits and
duplicate payloads skipped; the target URI, dates and record id kept."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, read_file
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F

PAGE = F.html_page("Ministers meet in Moscow", F.EN[:3], "2021-09-16").encode()
RU_PAGE = F.html_page("Заседание в Душанбе", F.RU[:3], lang="ru").encode()


def crawl(path: Path, gz: bool = True) -> Path:
    return F.warc_file(
        path,
        [
            ("https://example.org/news/1", "text/html; charset=utf-8", 200, PAGE),
            ("https://example.org/mirror/1", "text/html", 200, PAGE),  # same payload
            ("https://example.org/ru/2", "text/html", 200, RU_PAGE),
            ("https://example.org/style.css", "text/css", 200, b"body { color: red }"),
            ("https://example.org/logo.png", "image/png", 200, b"\x89PNG...."),
            ("https://example.org/old", "text/html", 301, b"<html>moved</html>"),
            ("https://example.org/missing", "text/html", 404, PAGE + b"404"),
        ],
        gz=gz,
    )


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_one_release_per_new_html_page(tmp_path: Path, gz: bool) -> None:
    path = crawl(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz)
    found = list(read_file(path, ImportOptions()))
    assert all(isinstance(d, ReleaseDraft) for d in found)
    en, ru = found
    assert isinstance(en, ReleaseDraft) and isinstance(ru, ReleaseDraft)
    assert (en.url, en.title, en.date) == (
        "https://example.org/news/1",
        "Ministers meet in Moscow",
        "2021-09-16",  # the page's own date
    )
    assert en.record.startswith("WARC-Record-ID: <urn:uuid:") and en.record.endswith(">")
    assert ru.record.startswith("WARC-Record-ID: <urn:uuid:") and ru.record != en.record
    assert en.notes.startswith("Captured (WARC-Date): ") and "Record-ID" not in en.notes
    captured = en.notes.split("WARC-Date): ")[1][:10]
    assert ru.date == captured and ru.language == "ru"  # no date of its own: the capture's


def test_a_warc_with_only_assets_is_reported(tmp_path: Path) -> None:
    path = F.warc_file(
        tmp_path / "assets.warc.gz",
        [
            ("https://e.org/a.css", "text/css", 200, b"a{}"),
            ("https://e.org/b.js", "text/javascript", 200, b"1"),
            ("https://e.org/c.json", "application/json", 200, b"{}"),
        ],
    )
    with pytest.raises(UnreadableInputError, match="no HTML pages"):
        list(read_file(path, ImportOptions()))


def test_a_truncated_warc_keeps_the_pages_before_the_damage(tmp_path: Path) -> None:
    whole = crawl(tmp_path / "whole.warc", gz=False).read_bytes()
    cut = tmp_path / "cut.warc"
    cut.write_bytes(whole[: whole.index(b"https://example.org/ru/2") + 400])
    found = list(read_file(cut, ImportOptions()))
    assert [d.url for d in found if isinstance(d, ReleaseDraft)][:1] == [
        "https://example.org/news/1"
    ]


@pytest.mark.parametrize("content", [b"", b"not a warc at all", gzip.compress(b"WARC/9 nonsense")])
def test_a_file_that_is_no_warc_is_reported(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.warc.gz"
    path.write_bytes(content)
    with pytest.raises(UnreadableInputError):
        list(read_file(path, ImportOptions()))


def test_wacz_pages_and_duplicates_across_its_warcs(archive: Archive, tmp_path: Path) -> None:
    path = F.wacz_file(tmp_path / "site.wacz", crawl(tmp_path / "c.warc.gz"))
    report = run(archive.import_paths([path]))
    assert report is not None and len(report.imported_ids) == 2 and not report.failures
    assert archive.search("Душанбе").total == 1
    release = archive.get(archive.search("dushanbe").ids[0])
    assert release.url.startswith("https://example.org/")


def test_a_wacz_without_warcs_is_reported(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "empty.wacz"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("datapackage.json", "{}")
    with pytest.raises(UnreadableInputError, match="not a WACZ package"):
        list(read_file(path, ImportOptions()))

"""Each new format through the real command line: `import` a file, then `search` finds its
text; a broken file of each kind is reported in the same import and the rest goes on."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fixtures import formats as F

WORDS = "Kyrgyzstan delegation arrived in Bishkek"
RU_WORDS = "делегация Киргизии прибыла в Бишкек"
PAGE = F.html_page("Delegation in Bishkek", [WORDS + " for the summit.", F.EN[0]])


def _zip(folder: Path) -> Path:
    inner = F.docx_file(folder / "inner.docx", "Zipped", [WORDS + "."], [["a", "b"]])
    path = folder / "bundle.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(inner, "docs/inner.docx")
    inner.unlink()
    return path


RSS_ENTRY = ("Bishkek", "https://e.org/1", "Thu, 16 Sep 2021 10:00:00 +0000", f"<p>{WORDS}.</p>")
ATOM_ENTRY = ("Bishkek", "https://e.org/2", "2021-09-16T10:00:00Z", f"<p>{RU_WORDS} {WORDS}.</p>")
PAGE_RECORD = ("https://e.org/p", "text/html", 200, PAGE.encode())
CSS_RECORD = ("https://e.org/c.css", "text/css", 200, b"a{}")


def _wacz(folder: Path) -> Path:
    warc = F.warc_file(folder / "inner.warc.gz", [PAGE_RECORD, CSS_RECORD])
    path = F.wacz_file(folder / "r.wacz", warc)
    warc.unlink()
    return path


MAKERS: dict[str, Callable[[Path], Path]] = {
    "pdf": lambda d: F.pdf_pages(d / "r.pdf", [f"{WORDS}.\n{RU_WORDS}."], title="Bishkek"),
    "docx": lambda d: F.docx_file(d / "r.docx", "Бишкек", [WORDS + ".", RU_WORDS + "."], [["x"]]),
    "odt": lambda d: F.odt_file(d / "r.odt", "Bishkek", [WORDS + ".", RU_WORDS + "."]),
    "rtf": lambda d: F.rtf_file(d / "r.rtf", "Бишкек", f"{WORDS}. {RU_WORDS}."),
    "eml": lambda d: F.eml_file(d / "r.eml", F.message("Bishkek", f"{WORDS}.\n{RU_WORDS}.")),
    "mbox": lambda d: F.mbox_file(
        d / "r.mbox", [F.message("One", "First note."), F.message("Two", f"{WORDS}.")]
    ),
    "rss": lambda d: F.rss_file(d / "r.rss", [RSS_ENTRY]),
    "atom": lambda d: F.atom_file(d / "r.atom", [ATOM_ENTRY]),
    "rdf": lambda d: F.rdf_file(d / "r.rdf", [("Bishkek", "https://e.org/3", "2021-09-16", WORDS)]),
    "warc.gz": lambda d: F.warc_file(d / "r.warc.gz", [PAGE_RECORD, CSS_RECORD]),
    "wacz": _wacz,
    "zip": _zip,
}


@pytest.mark.parametrize("ending", list(MAKERS))
def test_import_then_search_finds_the_text(tmp_path: Path, ending: str) -> None:
    files = tmp_path / "files"
    files.mkdir()
    path = MAKERS[ending](files)
    broken = files / f"broken.{ending}"
    broken.write_bytes(b"\x00\x01 damaged \xff" * 10)
    arch = tmp_path / "arch"
    result = run_cli("import", path, broken, "--json", archive=arch)
    assert result.returncode == 2, result.stderr  # some files failed
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert report["imported"] >= 1, report
    assert [f["path"] if isinstance(f, dict) else f[0] for f in report["failed"]] == [str(broken)]
    found = run_cli("search", "Bishkek", "--json", archive=arch)
    assert found.returncode == 0, found.stderr
    hits = json.loads(found.stdout)
    assert hits["total"] == 1, hits
    shown = json.loads(run_cli("show", str(hits["hits"][0]["id"]), "--json", archive=arch).stdout)
    assert "Bishkek" in shown["body"]


def test_legacy_doc_is_reported_with_the_advice_to_convert(tmp_path: Path) -> None:
    doc = tmp_path / "old.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    result = run_cli("import", doc, archive=tmp_path / "arch")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "convert it to .docx" in result.stdout + result.stderr

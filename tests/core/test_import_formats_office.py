"""Word processor files: DOCX, ODT and RTF read in order with headings and tables; .doc is
refused with the advice to convert it; damaged files are reported."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, read_file
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F


def one(path: Path) -> ReleaseDraft:
    (item,) = list(read_file(path, ImportOptions()))
    assert isinstance(item, ReleaseDraft)
    return item


def test_docx_paragraphs_heading_and_table_in_order(tmp_path: Path) -> None:
    table = [["Страна", "Глава делегации"], ["Россия", "Путин"], ["Таджикистан", "Рахмон"]]
    draft = one(F.docx_file(tmp_path / "r.docx", "Заседание Совета", F.RU[:2], table))
    assert draft.title == "Заседание Совета"
    assert draft.source == "Press service"
    assert draft.language == "ru"
    body = draft.body
    assert body.index(F.RU[0]) < body.index(F.RU[1]) < body.index("Россия | Путин")
    assert "Страна | Глава делегации\nРоссия | Путин\nТаджикистан | Рахмон" in body


def test_odt_heading_as_title_and_paragraphs(tmp_path: Path) -> None:
    draft = one(F.odt_file(tmp_path / "r.odt", "Statement on Afghanistan", F.EN[:3]))
    assert draft.title == "Statement on Afghanistan"
    assert all(p in draft.body for p in F.EN[:3])


def test_rtf_with_russian_unicode_escapes(tmp_path: Path) -> None:
    draft = one(F.rtf_file(tmp_path / "r.rtf", "Заявление", F.RU[0]))
    assert F.RU[0] in draft.body and draft.title == "Заявление"


def test_legacy_doc_is_refused_with_the_advice_to_convert(tmp_path: Path) -> None:
    path = tmp_path / "old.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    with pytest.raises(UnreadableInputError, match=r"not supported; convert it to \.docx"):
        list(read_file(path, ImportOptions()))


@pytest.mark.parametrize("ending", ["docx", "odt"])
def test_a_damaged_package_is_reported(tmp_path: Path, ending: str) -> None:
    path = tmp_path / f"bad.{ending}"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableInputError, match="damaged"):
        list(read_file(path, ImportOptions()))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("other.xml", "<x/>")
    with pytest.raises(UnreadableInputError, match="cannot read this"):
        list(read_file(path, ImportOptions()))


def test_a_docx_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = F.zip_bomb(tmp_path / "bomb.docx", 40)
    with pytest.raises(UnreadableInputError, match="zip bomb"):
        list(read_file(path, ImportOptions()))


def test_an_rtf_that_is_not_rtf_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.rtf"
    path.write_text("plain words", encoding="utf-8")
    with pytest.raises(UnreadableInputError, match="not an RTF document"):
        list(read_file(path, ImportOptions()))


def test_office_files_import_with_a_broken_one_reported(archive: Archive, tmp_path: Path) -> None:
    good = F.docx_file(tmp_path / "a.docx", "Summit", F.EN[:2], [["a", "b"]])
    odt = F.odt_file(tmp_path / "b.odt", "Встреча", F.RU[:2])
    bad = tmp_path / "c.docx"
    bad.write_bytes(b"\0" * 100)
    report = run(archive.import_paths([good, odt, bad]))
    assert report is not None and len(report.imported_ids) == 2
    assert [p for p, _ in report.failures] == [str(bad)]
    assert archive.search("Душанбе").total == 1 and archive.search("Dushanbe").total == 1

"""Zip files of importable files, read in place; zip bombs refused; a broken member reported
and the others read."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, RowError, read_file, zipped
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F


def test_members_of_every_kind_are_read_in_place(archive: Archive, tmp_path: Path) -> None:
    docx = F.docx_file(tmp_path / "a.docx", "Заседание", F.RU[:2], [["a", "b"]])
    pdf = F.pdf_pages(tmp_path / "b.pdf", ["Ministers met in Moscow today."])
    eml = F.eml_file(tmp_path / "c.eml", F.message("Summit note", "The summit is on Friday."))
    path = tmp_path / "inbox.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(docx, "2021/a.docx")
        z.write(pdf, "2021/b.pdf")
        z.write(eml, "mail/c.eml")
        z.writestr("notes.txt", "Plain text release about Bishkek.")
        z.writestr("logo.png", b"\x89PNG")  # not a known type: passed over
        z.writestr("__MACOSX/._a.docx", b"junk")  # resource forks: passed over
    report = run(archive.import_paths([path]))
    assert report is not None and len(report.imported_ids) == 4 and not report.failures
    for word in ("Душанбе", "moscow", "friday", "bishkek"):
        assert archive.search(word).total == 1, word
    release = archive.get(archive.search("moscow").ids[0])
    assert release.orig_path == f"{path.resolve()}!/2021/b.pdf"
    assert release.orig_format == "pdf" and "zip member" not in release.notes


def test_a_broken_member_is_reported_and_the_others_read(tmp_path: Path) -> None:
    path = tmp_path / "mixed.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("bad.pdf", b"%PDF-1.4 broken")
        z.writestr("inner.zip", b"PK")
        z.writestr("good.txt", "The ministers met in Moscow.")
    found = list(read_file(path, ImportOptions()))
    errors = {e.where: e.error for e in found if isinstance(e, RowError)}
    assert set(errors) == {"bad.pdf", "inner.zip"} and "zip inside a zip" in errors["inner.zip"]
    assert [d.body for d in found if isinstance(d, ReleaseDraft)] == [
        "The ministers met in Moscow."
    ]


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path: Path) -> None:
    bomb = F.zip_bomb(tmp_path / "bomb.zip", 200)  # 200 MB of zeros in about 200 KB
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(UnreadableInputError, match="zip bomb"):
        list(read_file(bomb, ImportOptions()))


def test_a_zip_over_the_total_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zipped, "MAX_ZIP_TOTAL_MB", 1)
    path = tmp_path / "big.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.txt", "words " * 400_000)  # 2.4 MB stored: no ratio to speak of
    with pytest.raises(UnreadableInputError, match="the limit is 1 MB"):
        list(read_file(path, ImportOptions()))


def test_a_member_larger_than_its_header_says_is_not_unpacked_beyond(tmp_path: Path) -> None:
    path = tmp_path / "lying.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        z.writestr("a.txt", "The ministers met in Moscow. " * 100)
    data = bytearray(path.read_bytes())
    # The central directory's uncompressed size, made smaller than the member.
    at = data.rindex(b"PK\x01\x02") + 24
    data[at : at + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    found = list(read_file(path, ImportOptions()))
    assert all(isinstance(i, RowError) for i in found) and found


def test_a_zip_of_nothing_readable_and_a_damaged_zip_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "pictures.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.png", b"\x89PNG")
    with pytest.raises(UnreadableInputError, match="no files of a type"):
        list(read_file(path, ImportOptions()))
    path.write_bytes(b"PK\x03\x04 damaged")
    with pytest.raises(UnreadableInputError, match="cannot read this zip file"):
        list(read_file(path, ImportOptions()))

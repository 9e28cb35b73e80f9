"""BagIt export and import: the bag's layout and metadata, validation with bagit (and a
changed byte failing it), Dublin Core, and a round trip archive -> bag -> new archive that
gives equal releases, provenance and kept originals; a bag that does not validate is refused
with the files named, and nothing is stored."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import bagit
import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.export import export_releases
from archive_browser.core.jobs import run
from tests.fixtures import formats as F

DC = "{http://purl.org/dc/elements/1.1/}"
#: Fields of a release that a new archive gives anew.
NEW_IN_EACH_ARCHIVE = ("id", "added", "modified", "rev")


def _fill(archive: Archive, folder: Path) -> list[int]:
    """A PDF, a message with a PDF attached, and two text files of one text (possible
    duplicates); tagged, one with a summary edited in."""
    pdf = F.pdf_pages(
        folder / "r.pdf", ["Summit in Dushanbe\n16 September 2021\n" + " ".join(F.EN)]
    )
    msg = F.message("Заявление", "Министры иностранных дел встретились в Москве.")
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename="a.pdf")
    text = 'The ministers met in Moscow on 3 March 2022 & agreed <on> "everything".\n'
    (folder / "n.txt").write_text("Ministers met in Moscow\n\n" + text, encoding="utf-8")
    (folder / "n2.txt").write_text("Another title\n\n" + text, encoding="utf-8")
    paths = [pdf, F.eml_file(folder / "m.eml", msg), folder / "n.txt", folder / "n2.txt"]
    report = run(archive.import_paths(paths))
    assert report is not None and not report.failures
    ids = report.imported_ids
    archive.tag(ids[:2], ["summit", "Central Asia"])
    archive.update(ids[0], summary="The summit's summary.", url="https://example.org/s")
    return ids


def _export(archive: Archive, ids: list[int], out: Path) -> Path:
    report = run(export_releases(archive, ids, out))
    assert report is not None and report.format == "bag" and report.count == len(ids)
    return report.path


@pytest.fixture
def filled(tmp_path: Path) -> tuple[Archive, list[int]]:
    archive = Archive.open(tmp_path / "archive")
    ids = _fill(archive, tmp_path)
    yield archive, ids
    archive.close()


def test_a_bag_holds_texts_metadata_originals_and_validates(
    filled: tuple[Archive, list[int]], tmp_path: Path
) -> None:
    archive, ids = filled
    bag_path = _export(archive, ids, tmp_path / "bag")
    bag = bagit.Bag(str(bag_path))
    bag.validate()
    assert bag.algorithms == ["sha256"]
    names = {p.relative_to(bag_path).as_posix() for p in bag_path.rglob("*") if p.is_file()}
    for i in ids:
        assert {f"data/releases/{i}.{e}" for e in ("txt", "json", "dc.xml")} <= names
    # The PDF and the message: kept once each, the attachment sharing its message's.
    kept = sorted(n for n in names if n.startswith("data/originals/"))
    assert sorted(Path(n).suffix for n in kept) == [".eml", ".pdf"]
    assert set(bag.payload_entries()) == {n for n in names if n.startswith("data/")}
    first = archive.get(ids[0])
    assert (bag_path / f"data/releases/{ids[0]}.txt").read_text(encoding="utf-8") == first.body
    record = json.loads((bag_path / f"data/releases/{ids[0]}.json").read_text(encoding="utf-8"))
    assert record["title"] == first.title and record["tags"] == first.tags
    assert record["provenance"]["sha256"] == archive.provenance(ids[0]).sha256
    assert record["provenance"]["record"] == "page 1"
    assert (bag_path / "data" / record["original"]).is_file()
    info = bag.info
    assert info["Bag-Software-Agent"].startswith("Archive Browser ")
    assert info["Bagging-Date"] and info["Payload-Oxum"].endswith(f".{len(bag.payload_entries())}")
    assert "Source-Organization" not in info  # the releases have no one source


def test_a_changed_byte_fails_validation_and_the_import_names_the_file(
    filled: tuple[Archive, list[int]], tmp_path: Path
) -> None:
    archive, ids = filled
    bag_path = _export(archive, ids, tmp_path / "bag")
    text = bag_path / f"data/releases/{ids[2]}.txt"
    text.chmod(0o600)
    data = bytearray(text.read_bytes())
    data[0] ^= 0x20  # one letter's case: the size (Payload-Oxum) stays
    text.write_bytes(bytes(data))
    with pytest.raises(bagit.BagValidationError):
        bagit.Bag(str(bag_path)).validate()
    other = Archive.open(tmp_path / "other")
    report = run(other.import_paths([bag_path]))
    assert report is not None and not report.imported_ids and other.count() == 0
    ((_path, error),) = report.failures
    assert "does not validate" in error and f"data/releases/{ids[2]}.txt changed" in error
    # A file taken away: named too, though the size check fails first.
    text.unlink()
    report = run(other.import_paths([bag_path]))
    assert report is not None and other.count() == 0
    assert f"data/releases/{ids[2]}.txt missing" in report.failures[0][1]
    other.close()


@pytest.mark.parametrize("target", ["bag", "bag.zip"])
def test_a_round_trip_through_a_bag_gives_equal_releases_and_provenance(
    filled: tuple[Archive, list[int]], tmp_path: Path, target: str
) -> None:
    archive, ids = filled
    bag_path = _export(archive, ids, tmp_path / target)
    other = Archive.open(tmp_path / "other")
    report = run(other.import_paths([bag_path]))
    assert report is not None and not report.failures
    new_ids = report.imported_ids
    assert len(new_ids) == len(ids)

    def fields(a: Archive, i: int) -> dict[str, object]:
        data = a.get(i).to_dict()
        return {k: v for k, v in data.items() if k not in NEW_IN_EACH_ARCHIVE}

    assert [fields(other, i) for i in new_ids] == [fields(archive, i) for i in ids]
    for old, new in zip(ids, new_ids, strict=True):
        before, after = archive.provenance(old), other.provenance(new)
        assert (after.path, after.sha256, after.record) == (
            before.path,
            before.sha256,
            before.record,
        )
        kept = archive.original_file(old)
        again = other.original_file(new)
        assert (kept is None) == (again is None)
        if kept is not None and again is not None:
            assert again.read_bytes() == kept.read_bytes() and again.parent.parent != kept.parent
    # The attachment is part of its message again.
    assert other.provenance(new_ids[2]).part_of_id == new_ids[1]
    other.close()


def test_dublin_core_per_release(filled: tuple[Archive, list[int]], tmp_path: Path) -> None:
    archive, ids = filled
    bag_path = _export(archive, ids, tmp_path / "bag")
    first = ElementTree.parse(bag_path / f"data/releases/{ids[0]}.dc.xml").getroot()

    def values(name: str, root: ElementTree.Element = first) -> list[str]:
        return [e.text or "" for e in root.iter(f"{DC}{name}")]

    release = archive.get(ids[0])
    assert values("title") == [release.title] and values("date") == ["2021-09-16"]
    assert values("description") == ["The summit's summary."]
    assert "https://example.org/s" in values("identifier")
    assert values("language") == ["en"] and values("source") == ["r.pdf"]
    assert sorted(values("subject")) == ["Central Asia", "summit"]
    message = ElementTree.parse(bag_path / f"data/releases/{ids[1]}.dc.xml").getroot()
    sender = ["Press Office <press@example.org>"]
    assert values("creator", message) == values("publisher", message) == sender
    attachment = ElementTree.parse(bag_path / f"data/releases/{ids[2]}.dc.xml").getroot()
    assert f"part of: release {ids[1]}" in values("relation", attachment)
    # The two texts of one body link each other as possible duplicates; XML characters stay.
    text = ElementTree.parse(bag_path / f"data/releases/{ids[3]}.dc.xml").getroot()
    assert f"possible duplicate: release {ids[4]}" in values("relation", text)


def test_a_zipped_bag_has_one_top_folder_and_a_foreign_zip_is_not_a_bag(
    filled: tuple[Archive, list[int]], tmp_path: Path
) -> None:
    archive, ids = filled
    bag_path = _export(archive, ids[:1], tmp_path / "one.zip")
    with zipfile.ZipFile(bag_path) as z:
        names = z.namelist()
    assert "one/bagit.txt" in names and all(n.startswith("one/") for n in names)
    unpacked = tmp_path / "unpacked"
    shutil.unpack_archive(bag_path, unpacked)
    bagit.Bag(str(unpacked / "one")).validate()


def test_a_bag_is_written_only_to_a_new_or_empty_folder_and_names_one_source(
    filled: tuple[Archive, list[int]], tmp_path: Path
) -> None:
    from archive_browser.core.errors import UserFacingError

    archive, ids = filled
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UserFacingError, match="not an empty folder"):
        run(export_releases(archive, ids, taken))
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    for i in ids[1:3]:
        archive.update(i, source="CSTO Secretariat")
    report = run(export_releases(archive, ids[1:3], empty))
    assert report is not None
    assert bagit.Bag(str(empty)).info["Source-Organization"] == "CSTO Secretariat"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_a_bag_of_another_program_or_a_damaged_release_is_reported(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    (foreign / "scans").mkdir(parents=True)
    (foreign / "scans" / "page.txt").write_text("A scan's text.", encoding="utf-8")
    bagit.make_bag(str(foreign), {"Source-Organization": "Elsewhere"}, checksums=["sha256"])
    archive = Archive.open(tmp_path / "archive")
    report = run(archive.import_paths([foreign]))
    assert report is not None and archive.count() == 0
    assert "holds no releases" in report.failures[0][1]
    # A release whose JSON is not this program's, in a bag that validates: that one reported.
    ids = _fill(archive, tmp_path)
    bag_path = _export(archive, ids[2:4], tmp_path / "bag")
    broken = bag_path / "data" / "releases" / f"{ids[3]}.json"
    broken.chmod(0o600)
    broken.write_text('{"format": "something else"}', encoding="utf-8")
    bag = bagit.Bag(str(bag_path))
    bag.save(manifests=True)  # the manifest made to match: the bag validates
    other = Archive.open(tmp_path / "other")
    report = run(other.import_paths([bag_path]))
    assert report is not None and len(report.imported_ids) == 1
    assert "not a release written by this program" in report.failures[0][1]
    other.close()
    archive.close()


def test_a_zipped_bag_naming_a_file_outside_it_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("bag/bagit.txt", "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
        z.writestr("bag/../../escaped.txt", "outside")
    archive = Archive.open(tmp_path / "archive")
    report = run(archive.import_paths([path]))
    assert report is not None and archive.count() == 0
    assert "outside it" in report.failures[0][1]
    assert not (tmp_path / "escaped.txt").exists()
    archive.close()


def test_a_confirmed_translation_is_a_dublin_core_relation(
    filled: tuple[Archive, list[int]], tmp_path: Path
) -> None:
    archive, ids = filled
    english, russian = ids[0], ids[1]
    archive.confirm_translation(english, russian)
    bag_path = _export(archive, ids, tmp_path / "bag")
    root = ElementTree.parse(bag_path / f"data/releases/{english}.dc.xml").getroot()
    relations = [e.text or "" for e in root.iter(f"{DC}relation")]
    language = archive.get(russian).language or "ru"
    assert f"translation ({language}): release {russian}" in relations
    record = json.loads((bag_path / f"data/releases/{russian}.json").read_text("utf-8"))
    assert [t["id"] for t in record["translations"]] == [english]
    other = ElementTree.parse(bag_path / f"data/releases/{ids[3]}.dc.xml").getroot()
    assert not any(e.text.startswith("translation") for e in other.iter(f"{DC}relation"))

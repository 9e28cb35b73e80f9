"""Provenance: every release records the file it came from (path, SHA-256 of its bytes, the
record within it, importer and batch), and the originals are kept, content-addressed."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import zipfile
from pathlib import Path

import pytest
import sqlite_utils

from archive_browser import __version__
from archive_browser.core.archive import Archive
from archive_browser.core.importers import ImportOptions
from archive_browser.core.importers.registry import ImportFormat, register, unregister
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.provenance import NOT_RECORDED
from archive_browser.core.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from tests.fixtures import formats as F


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def imported(archive: Archive, *paths: Path, **options: object) -> list[int]:
    report = run(archive.import_paths(list(paths), ImportOptions(**options)))  # type: ignore[arg-type]
    return report.imported_ids


def test_a_pdf_records_its_path_sha256_importer_and_batch(archive: Archive, tmp_path: Path) -> None:
    pdf = F.pdf_pages(tmp_path / "Statement.pdf", ["The ministers met in Moscow on Tuesday."])
    [rid] = imported(archive, pdf)
    prov = archive.provenance(rid)
    assert prov.recorded
    assert prov.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert prov.path == str(pdf.resolve()) and prov.name == "Statement.pdf"
    assert (prov.importer, prov.importer_version) == ("pdf", __version__)
    assert prov.batch is not None and prov.batch.finished
    assert prov.batch.paths == [str(pdf)] and prov.batch.app_version == __version__
    assert prov.batch.options["keep_originals"] == "binary"
    # PDF is a binary format: its original is kept, byte for byte, read-only.
    kept = archive.original_file(rid)
    assert kept is not None and kept.read_bytes() == pdf.read_bytes()
    assert kept.name == f"{prov.sha256}.pdf" and kept.parent.name == prov.sha256[:2]
    assert stat.S_IMODE(kept.stat().st_mode) == 0o400
    assert prov.original_kept


def test_a_zip_member_hashes_the_members_bytes(archive: Archive, tmp_path: Path) -> None:
    pdf = F.pdf_pages(tmp_path / "inner.pdf", ["A release inside a zip, about the summit."])
    zpath = tmp_path / "bundle.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.write(pdf, "press/2021/inner.pdf")
        z.writestr("press/note.txt", "A plain note about the council meeting in Minsk.")
    ids = imported(archive, zpath)
    by_record = {archive.provenance(i).path: archive.provenance(i) for i in ids}
    member = by_record[f"{zpath.resolve()}!/press/2021/inner.pdf"]
    assert member.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest() != sha(zpath)
    assert member.name == "inner.pdf" and member.importer == "zip/pdf"
    note = by_record[f"{zpath.resolve()}!/press/note.txt"]
    with zipfile.ZipFile(zpath) as z:
        assert note.sha256 == hashlib.sha256(z.read("press/note.txt")).hexdigest()
    # The members of a zip are kept (a zip is a binary package), each as itself.
    kept = {archive.original_file(i).read_bytes() for i in ids}  # type: ignore[union-attr]
    assert pdf.read_bytes() in kept and b"council meeting in Minsk" in b"".join(kept)


def test_an_mbox_hashes_the_whole_file_for_every_message(archive: Archive, tmp_path: Path) -> None:
    box = F.mbox_file(
        tmp_path / "press.mbox",
        [F.message(f"Statement {i}", f"Statement number {i} on the treaty.\n") for i in range(3)],
    )
    ids = imported(archive, box)
    assert len(ids) == 3
    digests = {archive.provenance(i).sha256 for i in ids}
    assert digests == {hashlib.sha256(box.read_bytes()).hexdigest()}
    assert {archive.original_file(i) for i in ids} != {None}


def test_the_same_pdf_under_two_names_is_kept_once_and_both_paths_listed(
    archive: Archive, tmp_path: Path
) -> None:
    one = F.pdf_pages(tmp_path / "a.pdf", ["The treaty was signed in Dushanbe by six states."])
    two = tmp_path / "sub" / "copy of a.pdf"
    two.parent.mkdir()
    two.write_bytes(one.read_bytes())
    [rid] = imported(archive, one, two)
    prov = archive.provenance(rid)
    assert [s.path for s in prov.sources] == [str(one.resolve()), str(two.resolve())]
    assert prov.path == str(one.resolve())  # the first provenance is kept
    files = [p for p in (archive.folder / "originals").rglob("*") if p.is_file()]
    assert len(files) == 1 and archive.store.originals()[0].sha256 == sha(one)
    # Imported again later: another batch records that the file was seen again.
    assert imported(archive, two) == []
    again = archive.provenance(rid)
    assert len(again.sources) == 3 and again.sources[2].batch_id != again.sources[0].batch_id
    assert again.path == prov.path and again.batch == prov.batch


def test_text_formats_are_kept_only_when_asked(archive: Archive, tmp_path: Path) -> None:
    jsonl = tmp_path / "releases.jsonl"
    jsonl.write_text(
        json.dumps({"title": "Release one", "body": "Text of the first release."})
        + "\n"
        + json.dumps({"title": "Release two", "body": "Text of the second release."})
        + "\n"
    )
    ids = imported(archive, jsonl)
    assert [archive.original_file(i) for i in ids] == [None, None]
    assert archive.provenance(ids[0]).sha256 == sha(jsonl)  # hashed all the same
    other = tmp_path / "more.txt"
    other.write_text("A note kept because the user asked for all originals.")
    [rid] = imported(archive, other, keep_originals="all")
    assert archive.original_file(rid).read_bytes() == other.read_bytes()  # type: ignore[union-attr]
    pdf = F.pdf_pages(tmp_path / "x.pdf", ["Nothing of this PDF is kept when asked so."])
    [pid] = imported(archive, pdf, keep_originals="none")
    assert archive.original_file(pid) is None and archive.provenance(pid).sha256 == sha(pdf)
    with pytest.raises(ValueError, match="keep_originals"):
        ImportOptions(keep_originals="some")


def test_a_file_that_fails_to_import_is_not_kept(archive: Archive, tmp_path: Path) -> None:
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4\nthis is not really a PDF at all\n")
    report = run(archive.import_paths([bad]))
    assert report.files[0].errors and not report.imported_ids
    assert not (archive.folder / "originals").exists() or not any(
        p.is_file() for p in (archive.folder / "originals").rglob("*")
    )
    assert archive.store.originals() == []


def test_the_record_and_part_of_are_stored_and_resolved(archive: Archive, tmp_path: Path) -> None:
    def read(ctx: object) -> list[ReleaseDraft]:
        return [
            ReleaseDraft(
                "Attachment",
                "The attached statement text.",
                record="attachment 1",
                part_of="Message-ID: <m1@example.org>",
            ),
            ReleaseDraft(
                "Message", "The message that carried it.", record="Message-ID: <m1@example.org>"
            ),
            ReleaseDraft(
                "Orphan",
                "Part of something not in the file.",
                record="attachment 2",
                part_of="Message-ID: <gone@example.org>",
            ),
        ]

    register(ImportFormat("testparts", "Parts for a test", (".parts",), 1, read))
    try:
        path = tmp_path / "x.parts"
        path.write_text("anything")
        attachment, message, orphan = imported(archive, path)
    finally:
        unregister("testparts")
    assert archive.provenance(attachment).record == "attachment 1"
    assert archive.provenance(attachment).part_of_id == message
    assert archive.provenance(message).part_of_id is None
    assert archive.provenance(orphan).part_of_id is None


def _at_version_4(path: Path) -> None:
    db = sqlite_utils.Database(path)
    for number in range(1, 5):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(
        "INSERT INTO releases (title, body, checksum, text_checksum, added, modified, orig_path) "
        "VALUES ('Old', 'Stored before provenance.', 'x', 'y', '2020', '2020', '/old/file.txt')"
    )
    db.close()


def test_migration_from_schema_4_gives_old_releases_empty_provenance(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    _at_version_4(folder / "archive.sqlite3")
    with Archive.open(folder) as archive:
        assert archive.store.schema_version() == SCHEMA_VERSION
        run(archive.repair())
        prov = archive.provenance(1)
        assert not prov.recorded and prov.sha256 == "" and prov.batch is None
        assert prov.to_json()["note"] == NOT_RECORDED and prov.summary_line() == NOT_RECORDED
        assert archive.original_file(1) is None
        text = tmp_path / "new.txt"
        text.write_text("A release imported after the migration.")
        [rid] = imported(archive, text)
        assert archive.provenance(rid).sha256 == sha(text)
    db = sqlite3.connect(folder / "archive.sqlite3")
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert {"import_batches", "release_sources", "originals", "verifications"} <= tables


def test_deleting_a_release_removes_its_sources_and_keeps_the_original(
    archive: Archive, tmp_path: Path
) -> None:
    pdf = F.pdf_pages(tmp_path / "d.pdf", ["A release that will be deleted from the archive."])
    [rid] = imported(archive, pdf)
    kept = archive.original_file(rid)
    archive.delete([rid])
    assert archive.store.db.execute("SELECT count(*) FROM release_sources").fetchone()[0] == 0
    assert kept is not None and kept.is_file()
    assert os.access(kept, os.R_OK)


def _pdf_archive(archive: Archive, tmp_path: Path) -> tuple[int, Path]:
    pdf = F.pdf_pages(tmp_path / "kept.pdf", ["A release whose original goes into backups."])
    [rid] = imported(archive, pdf)
    kept = archive.original_file(rid)
    assert kept is not None
    return rid, kept


def test_a_backup_carries_the_originals_and_restore_brings_them_back(
    archive: Archive, tmp_path: Path
) -> None:
    rid, kept = _pdf_archive(archive, tmp_path)
    content = kept.read_bytes()
    report = run(archive.backup(tmp_path / "backup"))
    copy = tmp_path / "backup" / kept.relative_to(archive.folder)
    assert copy.read_bytes() == content and report.path.parent == tmp_path / "backup"
    # The backup folder opens as an archive with its originals.
    with Archive.open(tmp_path / "backup", readonly=True) as backup:
        assert backup.original_file(rid) == copy
    # One original lost, another changed in place: a restore brings both back.
    kept.unlink()
    other = F.pdf_pages(tmp_path / "second.pdf", ["A second release, changed on disk later."])
    [rid2] = imported(archive, other)
    run(archive.backup(tmp_path / "backup2"))
    second = archive.original_file(rid2)
    assert second is not None
    os.chmod(second, 0o600)
    second.write_bytes(b"X" * len(other.read_bytes()))
    run(archive.restore(tmp_path / "backup2"))
    assert archive.original_file(rid2).read_bytes() == other.read_bytes()  # type: ignore[union-attr]
    assert archive.original_file(rid) is None  # lost before backup2: not in it
    run(archive.restore(tmp_path / "backup"))
    assert archive.original_file(rid).read_bytes() == content  # type: ignore[union-attr]
    assert stat.S_IMODE(archive.original_file(rid).stat().st_mode) == 0o400  # type: ignore[union-attr]


def test_an_automatic_backup_keeps_the_originals_once_beside_its_copies(
    archive: Archive, tmp_path: Path
) -> None:
    _rid, kept = _pdf_archive(archive, tmp_path)
    run(archive.auto_backup(every_hours=0))
    shared = archive.folder / "backups" / kept.relative_to(archive.folder)
    assert shared.read_bytes() == kept.read_bytes()


def test_check_reports_missing_originals(archive: Archive, tmp_path: Path) -> None:
    rid, kept = _pdf_archive(archive, tmp_path)
    assert archive.check().missing_originals == ()
    kept.unlink()
    report = archive.check()
    assert report.missing_originals == (archive.provenance(rid).sha256,)
    assert report.to_json()["missing_originals"] == [archive.provenance(rid).sha256]
    assert report.consistent  # the index still matches: that is a separate question

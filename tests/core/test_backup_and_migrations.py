"""Backups, restores and schema migrations from every earlier version."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

import pytest
import sqlite_utils

from archive_browser.core.archive import Archive
from archive_browser.core.errors import ArchiveFormatError, UserFacingError
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run
from archive_browser.core.search import SearchSpec
from archive_browser.core.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from archive_browser.core.store import schema as store_module


def snapshot(archive: Archive) -> list[dict[str, object]]:
    return [r.to_dict() for r in archive.iter_releases()]


def test_backup_while_open_restores_everything(tmp_path: Path, sample: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        run(archive.import_paths([sample], ImportOptions(tags=["csto"])))
        archive.save_search("Bishkek", SearchSpec("Bishkek"))
        before = snapshot(archive)
        report = run(archive.backup(tmp_path / "copy"))
        assert report is not None and report.releases == 5
        assert report.path == tmp_path / "copy" / "archive.sqlite3"
        # Changes after the backup are undone by restoring it.
        archive.tag(archive.search("CSTO", limit=None).ids, ["later"])
        archive.delete([1])
        restored = run(archive.restore(tmp_path / "copy"))
        assert restored is not None and restored.releases == 5
        assert snapshot(archive) == before
        assert archive.search("tag:later").total == 0 and archive.search("Bishkek").total == 1
        assert [s.name for s in archive.saved_searches()] == ["Bishkek"]
        assert archive.check().consistent
        # The state before the restore was kept.
        kept = sqlite3.connect(restored.kept)
        assert kept.execute("SELECT count(*) FROM releases").fetchone()[0] == 4
        kept.close()
    # The copy opens as an archive of its own; its index is built on opening.
    with Archive.open(tmp_path / "copy") as copy:
        assert copy.needs_repair
        run(copy.repair())
        assert snapshot(copy) == before and copy.check().consistent


def test_backup_is_consistent_during_writes_of_another_connection(
    tmp_path: Path, sample: Path
) -> None:
    with Archive.open(tmp_path / "a") as archive:
        run(archive.import_paths([sample]))
        other = sqlite3.connect(tmp_path / "a" / "archive.sqlite3")
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE releases SET title = 'uncommitted' WHERE id = 1")
        run(archive.backup(tmp_path / "b.sqlite3"))
        other.rollback()
        other.close()
    copy = sqlite3.connect(tmp_path / "b.sqlite3")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT title FROM releases WHERE id = 1").fetchone()[0] != "uncommitted"
    copy.close()


def test_backup_refuses_to_overwrite_and_restore_refuses_strangers(
    archive: Archive, tmp_path: Path
) -> None:
    target = tmp_path / "x.sqlite3"
    target.write_bytes(b"")
    with pytest.raises(UserFacingError, match="already exists"):
        run(archive.backup(target))
    stranger = tmp_path / "stranger.sqlite3"
    db = sqlite3.connect(stranger)
    db.execute("CREATE TABLE t (x)")
    db.close()
    with pytest.raises(ArchiveFormatError, match="not an Archive Browser archive"):
        run(archive.restore(stranger))
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(ArchiveFormatError, match="not a readable archive backup"):
        run(archive.restore(junk))
    with pytest.raises(UserFacingError, match="no backup"):
        run(archive.restore(tmp_path / "nothing"))


def test_automatic_backups_rotate(archive: Archive, sample: Path) -> None:
    """One a day, the newest five kept (the defaults the window uses)."""
    run(archive.import_paths([sample]))
    folder = archive.folder / "backups"
    first = run(archive.auto_backup())
    assert first is not None and first.path.parent == folder
    assert run(archive.auto_backup()) is None  # not due yet
    made = []
    for i in range(6):
        # Age the newest so that the next one is due, and give it an older name, in the
        # order made: a later one is newer.
        newest = sorted(folder.glob("archive-*.sqlite3"))[-1]
        old = time.time() - 2 * 86400
        os.utime(newest, (old, old))
        made.append(newest.rename(folder / f"archive-2000010{i}-000000.sqlite3").name)
        archive.tag([1], [f"backup {i}"])  # each copy holds what was there when it was made
        report = run(archive.auto_backup())
        assert report is not None
    made.append(report.path.name)
    assert len(made) == 7
    kept = sorted(p.name for p in folder.glob("archive-*.sqlite3"))
    assert kept == made[-5:]  # the five newest, the two oldest removed
    for k, name in enumerate(made[-5:], start=2):
        # The k-th copy was made after k tags were added.
        db = sqlite3.connect(folder / name)
        try:
            names = sorted(row[0] for row in db.execute("SELECT name FROM tags"))
        finally:
            db.close()
        assert names == [f"backup {i}" for i in range(k)], (name, names)


def _at_version(path: Path, version: int) -> None:
    """A database at schema `version`, made by the migrations up to it, with data in it."""
    db = sqlite_utils.Database(path)
    if version == 0:
        # A new file SQLite has written its header into (a 0-byte file is damage, not this).
        db.execute("VACUUM")
    for number in range(1, version + 1):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    if version >= 1:
        db.execute(
            "INSERT INTO releases (title, body, checksum, added, modified, date) "
            "VALUES ('Old release', 'Text stored by an old version.', 'x', '2020', '2020', "
            "'2013-05-28')"
        )
        db.execute("INSERT INTO tags (name, key) VALUES ('Old', 'old')")
        db.execute("INSERT INTO release_tags VALUES (1, 1)")
    db.close()


@pytest.mark.parametrize("version", range(SCHEMA_VERSION))
def test_migrations_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    _at_version(folder / "archive.sqlite3", version)
    with Archive.open(folder) as archive:
        assert archive.store.schema_version() == SCHEMA_VERSION
        if version >= 1:
            run(archive.repair())  # an old archive's index is rebuilt
            assert archive.get(1).title == "Old release" and archive.get(1).tags == ["Old"]
            assert archive.search("tag:old date:2013").ids == [1]
        archive.save_search("works", SearchSpec("x"))  # schema 2's table is there
        # schema 3: facet counts read an index, not the table of texts
        plan = archive.store.db.execute(
            "EXPLAIN QUERY PLAN SELECT id, substr(date, 1, 4), source, language, kind FROM releases"
        ).fetchall()
        assert "COVERING INDEX releases_facets" in str(plan)
        assert archive.check().consistent


def test_a_failing_migration_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    _at_version(folder / "archive.sqlite3", 1)

    def broken(db: sqlite_utils.Database) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration failed half way")

    monkeypatch.setattr(store_module, "MIGRATIONS", (MIGRATIONS[0], broken))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", 2)
    with pytest.raises(RuntimeError, match="half way"):
        Archive.open(folder)
    db = sqlite3.connect(folder / "archive.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "half_done" not in tables and "saved_searches" not in tables
    assert db.execute("SELECT title FROM releases").fetchone()[0] == "Old release"
    db.close()

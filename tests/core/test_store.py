"""The SQLite store: schema versions and what a foreign file gets."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import ArchiveFormatError
from archive_browser.core.store import APPLICATION_ID, SCHEMA_VERSION, Store


def test_new_archive_is_at_the_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    with Archive.open(tmp_path / "a") as archive:
        store = archive.store
        assert store.schema_version() == SCHEMA_VERSION
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store.db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert {"releases", "tags", "release_tags", "index_queue", "meta"} <= set(
            store.db.table_names()
        )


def test_a_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    db = sqlite3.connect(folder / "archive.sqlite3")
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    with pytest.raises(ArchiveFormatError, match="not an Archive Browser archive"):
        Archive.open(folder)


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    Archive.open(folder).close()
    db = sqlite3.connect(folder / "archive.sqlite3")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ArchiveFormatError, match="newer Archive Browser"):
        Archive.open(folder)


def test_tags_cascade_when_a_release_is_deleted(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.sqlite3")
    store.migrate()
    from archive_browser.core.model import ReleaseDraft

    with store.transaction():
        rid = store.insert_release(ReleaseDraft("T", "Body text.", tags=["a", "B"]))
    assert rid is not None and store.tags_of([rid]) == {rid: ["a", "B"]}
    with store.transaction():
        store.delete_releases([rid])
    assert store.db.execute("SELECT count(*) FROM release_tags").fetchone()[0] == 0
    assert [r for _, r in store.pending()] == [rid, rid]
    store.close()

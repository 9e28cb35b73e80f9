"""Damaged archive files: named as damaged on opening, never written into, salvaged."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core import salvage as salvage_module
from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.integrity import inspect
from archive_browser.core.jobs import run
from archive_browser.core.salvage import salvage
from archive_browser.core.search import SearchSpec
from tests.conftest import copy_archive


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory, zelenskyy_archive: Path) -> Iterator[Path]:
    """An archive of the 980 real releases of zelenskyy.csv, with tags and a saved search,
    closed (its WAL folded into the file)."""
    folder = copy_archive(zelenskyy_archive, tmp_path_factory.mktemp("pristine") / "archive")
    with Archive.open(folder) as archive:
        # Every one is kept: two statements of the same text on other dates are two releases.
        assert archive.count() == 980
        ids = archive.search("Mariupol", limit=None).ids
        assert len(ids) > 20
        archive.tag(ids, ["Mariupol"])
        archive.save_search("Mariupol", SearchSpec("Mariupol"))
    return folder


def copy_of(pristine: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "damaged"
    shutil.copytree(pristine, folder, ignore=shutil.ignore_patterns("archive.lock"))
    return folder


def page_size(db: Path) -> int:
    size = int.from_bytes(db.read_bytes()[16:18], "big")
    return 65536 if size == 1 else size


def data_pages(db: Path) -> list[int]:
    """The numbers (from 1) of the pages that hold rows of the releases table."""
    conn = sqlite3.connect(db)
    try:
        return [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'releases' AND pagetype = 'leaf'"
            )
        ]
    except sqlite3.OperationalError:  # SQLite built without dbstat
        size = page_size(db)
        return list(range(3, db.stat().st_size // size))
    finally:
        conn.close()


def test_whole_archive_has_no_damage(pristine: Path) -> None:
    assert inspect(pristine / DB_NAME) is None
    assert inspect(pristine / DB_NAME, full=True) is None


@pytest.mark.parametrize("keep", [0, 50, 100, 4096, 0.5, 0.9])
def test_truncated_file_is_damage(pristine: Path, tmp_path: Path, keep: float) -> None:
    folder = copy_of(pristine, tmp_path)
    db = folder / DB_NAME
    size = db.stat().st_size
    cut = int(size * keep) if isinstance(keep, float) else keep
    with db.open("r+b") as f:
        f.truncate(cut)
    damage = inspect(db)
    assert damage is not None and not damage.foreign
    assert "damaged" in damage.message() and "salvage" in damage.message()
    if cut == 0:
        assert "empty" in damage.what
    elif cut < 4096:
        assert "cut short" in damage.what or "header" in damage.what


def test_zeroed_first_page_and_flipped_data_pages_are_damage(
    pristine: Path, tmp_path: Path
) -> None:
    folder = copy_of(pristine, tmp_path)
    db = folder / DB_NAME
    size = page_size(db)
    data = bytearray(db.read_bytes())
    data[:size] = bytes(size)
    db.write_bytes(bytes(data))
    assert "zeroed" in (inspect(db).what if inspect(db) else "")

    folder2 = copy_of(pristine, tmp_path / "2")
    db2 = folder2 / DB_NAME
    pages = data_pages(db2)
    data = bytearray(db2.read_bytes())
    for page in pages[5:8]:
        start = (page - 1) * size
        for offset in range(0, 64):  # the page header and its cell pointers
            data[start + offset] ^= 0xA5
    db2.write_bytes(bytes(data))
    damage = inspect(db2, full=True)
    assert damage is not None and "SQLite" in damage.what


def test_foreign_files_are_not_archives(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.commit()
    conn.close()
    damage = inspect(other)
    assert damage is not None and damage.foreign
    text = tmp_path / "notes.sqlite3"
    text.write_text("These are my notes, not a database.\n" * 20)
    damage = inspect(text)
    assert damage is not None and "SQLite header" in damage.what


@pytest.mark.parametrize("method", ["shell", "row by row"])
def test_salvage_of_zeroed_data_pages(
    pristine: Path, tmp_path: Path, method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if method == "row by row":
        monkeypatch.setattr(salvage_module.shutil, "which", lambda _name: None)
    elif shutil.which("sqlite3") is None:
        pytest.fail("the sqlite3 shell is needed for this test (.ci/run installs it)")
    folder = copy_of(pristine, tmp_path)
    db = folder / DB_NAME
    size = page_size(db)
    pages = data_pages(db)
    assert len(pages) > 50
    data = bytearray(db.read_bytes())
    for page in pages[10:14]:
        data[(page - 1) * size : page * size] = bytes(size)
    db.write_bytes(bytes(data))
    before = db.read_bytes()

    with Archive.open(pristine, readonly=True) as whole:
        stored, highest = whole.count(), max(whole.store.revisions())

    report = run(salvage(folder, tmp_path / "saved"))
    assert report is not None
    assert db.read_bytes() == before  # the damaged file is only read
    assert report.highest_id == highest
    assert report.method == ("sqlite3 .recover" if method == "shell" else "row by row")
    # Four leaf pages hold a few releases each: most are saved, and some are lost.
    assert stored - 100 <= report.releases < stored, report
    assert report.summary().startswith(f"Saved {report.releases:,} of at most {highest:,}")
    assert report.lost_at_most == highest - report.releases
    assert report.tags == 1 and report.tag_links > 20 and report.saved_searches == 1
    with Archive.open(tmp_path / "saved") as saved:
        assert saved.count() == report.releases
        assert saved.check().consistent
        empty = "SELECT count(*) FROM releases WHERE text_checksum = ''"
        assert saved.store.db.execute(empty).fetchone()[0] == 0
        with Archive.open(pristine, readonly=True) as whole:
            linked = [i for i in saved.store.ids() if whole.possible_duplicates(i)]
            assert linked, "the corpus has releases of the same text"
            assert all(saved.possible_duplicates(i) for i in linked)
        assert saved.search("tag:Mariupol").total == report.tag_links
        assert [s.name for s in saved.saved_searches()] == ["Mariupol"]
        with Archive.open(pristine, readonly=True) as whole:
            some = saved.search("Mariupol", limit=5).ids
            assert some and [r.body for r in saved.get_many(some)] == [
                r.body for r in whole.get_many(some)
            ]


def test_salvage_refuses_an_existing_archive_as_target(pristine: Path, tmp_path: Path) -> None:
    from archive_browser.core.errors import UserFacingError

    with pytest.raises(UserFacingError, match="already holds an archive"):
        run(salvage(pristine, pristine))


def test_a_damaged_archive_opens_read_only_and_refuses_every_write(
    pristine: Path, tmp_path: Path
) -> None:
    from archive_browser.core.integrity import DamagedArchiveError

    folder = copy_of(pristine, tmp_path)
    db = folder / DB_NAME
    size = page_size(db)
    data = bytearray(db.read_bytes())
    for page in data_pages(db)[10:14]:
        data[(page - 1) * size : page * size] = bytes(size)
    db.write_bytes(bytes(data))
    before = db.read_bytes()
    with Archive.open(folder) as archive:
        assert archive.readonly and archive.damage is not None
        writes = [
            lambda: run(archive.import_paths([tmp_path])),
            lambda: archive.tag([1], ["x"]),
            lambda: archive.update(1, title="New"),
            lambda: archive.save_search("s", SearchSpec("x")),
            lambda: run(archive.reindex()),
            lambda: run(archive.repair()),
            lambda: run(archive.auto_backup()),
            lambda: run(archive.backup(tmp_path / "copy")),
        ]
        for write in writes:
            with pytest.raises(DamagedArchiveError, match="damaged"):
                write()
        assert archive.count() > 0  # reading goes on as far as the file can be read
        report = archive.check(full=True)
        assert report.file_damage and not report.consistent
    assert db.read_bytes() == before
    assert not (tmp_path / "copy").exists()


def test_an_empty_file_is_damage_and_not_a_new_archive(tmp_path: Path) -> None:
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / DB_NAME).write_bytes(b"")
    with Archive.open(folder) as archive:
        assert archive.damage is not None and "empty" in archive.damage.what
    assert (folder / DB_NAME).read_bytes() == b""

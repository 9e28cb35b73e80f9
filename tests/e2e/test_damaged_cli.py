"""The real command line on damaged archive files and on odd arguments: never a traceback,
the damaged file never changed, and the ways out (restore, salvage) working."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.jobs import run
from archive_browser.core.search import SearchSpec
from tests.conftest import run_cli
from tests.e2e.test_nothing_lost import real_releases


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An archive of 300 real releases with a tag and a saved search, and a backup of it."""
    from tests.conftest import CORPUS, shared_file

    corpus = shared_file(CORPUS)
    root = tmp_path_factory.mktemp("pristine")
    folder = root / "archive"
    with Archive.open(folder) as archive:
        run(archive.import_paths([real_releases(corpus, root, 300)]))
        ids = archive.search("Ukraine", limit=None).ids
        archive.tag(ids[:40], ["Ukraine"])
        archive.save_search("Ukraine", SearchSpec("Ukraine"))
        run(archive.backup(root / "backup.sqlite3"))
    return folder


def _pages(db: Path) -> tuple[int, list[int]]:
    conn = sqlite3.connect(db)
    try:
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        leaves = [
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name = 'releases' AND pagetype = 'leaf'"
            )
        ]
    finally:
        conn.close()
    return size, leaves


def truncate(keep: float) -> Callable[[Path], None]:
    def apply(db: Path) -> None:
        data = db.read_bytes()
        db.write_bytes(data[: int(len(data) * keep)])

    return apply


def zero_pages(db: Path) -> None:
    size, leaves = _pages(db)
    data = bytearray(db.read_bytes())
    for page in leaves[10:14]:
        data[(page - 1) * size : page * size] = bytes(size)
    db.write_bytes(bytes(data))


def flip_bytes(db: Path) -> None:
    size, leaves = _pages(db)
    data = bytearray(db.read_bytes())
    for page in leaves[20:23]:
        for offset in range(0, 64):  # the page header and its cell pointers
            data[(page - 1) * size + offset] ^= 0xA5
    db.write_bytes(bytes(data))


def empty(db: Path) -> None:
    db.write_bytes(b"")


def text_file(db: Path) -> None:
    db.write_text("My notes, not a database.\n" * 100, encoding="utf-8")


def foreign(db: Path) -> None:
    db.unlink()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE bookmarks (url TEXT)")
    conn.execute("INSERT INTO bookmarks VALUES ('https://example.org')")
    conn.commit()
    conn.close()


def newer_schema(db: Path) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


#: name -> (how the file is damaged, what `salvage` and `restore` may do with it)
DAMAGE: dict[str, tuple[Callable[[Path], None], bool]] = {
    "truncated-30%": (truncate(0.3), True),
    "truncated-70%": (truncate(0.7), True),
    "truncated-99%": (truncate(0.99), True),
    "zeroed-pages": (zero_pages, True),
    "flipped-bytes": (flip_bytes, True),
    "empty": (empty, True),
    "text-file": (text_file, True),
    "foreign": (foreign, False),
    "newer-schema": (newer_schema, False),
}


@pytest.mark.parametrize("kind", list(DAMAGE))
def test_damaged_file_never_changed_and_recoverable(
    pristine: Path, tmp_path: Path, sample: Path, kind: str
) -> None:
    damage, recoverable = DAMAGE[kind]
    folder = tmp_path / "damaged"
    shutil.copytree(pristine, folder, ignore=shutil.ignore_patterns("archive.lock"))
    db = folder / DB_NAME
    damage(db)
    before = db.read_bytes()
    for args in (
        ("stats",),
        ("check",),
        ("search", "Ukraine"),
        ("import", sample),
        ("backup", tmp_path / "copy"),
    ):
        result = run_cli(*args, archive=folder)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert db.read_bytes() == before, args
        if args[0] in ("check", "import", "backup"):
            assert result.returncode == 1, (args, result.stdout, result.stderr)
            said = result.stdout + result.stderr
            assert any(w in said for w in ("damaged", "not an Archive", "newer")), said
    assert not (tmp_path / "copy").exists()  # a damaged file is not backed up

    salvaged = run_cli("salvage", tmp_path / "saved", "--json", archive=folder)
    assert "Traceback" not in salvaged.stderr
    assert db.read_bytes() == before
    if not recoverable:
        return
    assert salvaged.returncode == 0, salvaged.stderr
    with Archive.open(tmp_path / "saved", readonly=True) as saved:
        assert saved.check().consistent

    restored = run_cli("restore", pristine.parent / "backup.sqlite3", archive=folder)
    assert restored.returncode == 0, restored.stderr
    kept = list((folder / "backups").glob("damaged-*.sqlite3"))
    assert len(kept) == 1 and kept[0].read_bytes() == before
    assert str(kept[0]) in restored.stdout
    with Archive.open(folder) as archive:
        assert archive.damage is None and archive.count() == 300
        assert archive.check(full=True).consistent


ODD_ARGUMENTS: list[tuple[str, ...]] = [
    ("tag", "add", "x", "--ids", ""),
    ("tag", "add", "x", "--ids", ","),
    ("tag", "add", "x", "--ids", "1,,zz"),
    ("tag", "add", "x", "--ids", "99999999999999999999"),
    ("tag", "add", "x", "--ids", "-3"),
    ("tag", "add", "x" * 100_000, "--ids", "1"),
    ("tag", "add", "two\nlines", "--ids", "1"),
    ("tag", "add", "bell\x07", "--ids", "1"),
    ("tag", "rename", "Ukraine", "x" * 500),
    ("show", "99999999999999999999"),
    ("show", "-1"),
    ("show", "0"),
    ("show", "abc"),
    ("show", "12345"),
    ("export", "out.json", "--ids", ""),
    ("export", "out.json", "--ids", "1,,99999999999999999999"),
    ("search", "--limit", "0", "x"),
    ("restore", "/nonexistent/backup.sqlite3"),
    ("salvage", "SAME"),
    ("backup", "EXISTING"),
]


@pytest.mark.parametrize("args", ODD_ARGUMENTS, ids=lambda a: " ".join(a)[:40])
def test_odd_arguments_give_one_clear_line(
    pristine: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(pristine, folder, ignore=shutil.ignore_patterns("archive.lock"))
    replace = {
        "SAME": str(pristine),
        "EXISTING": str(pristine),
        "out.json": str(tmp_path / "o.json"),
    }
    result = run_cli(*(replace.get(a, a) for a in args), archive=folder)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("archive-browser: "), lines
    assert len(lines[0]) < 600
    with Archive.open(folder, readonly=True) as archive:
        assert [name for name, _n in archive.tag_counts()] == ["Ukraine"]


def test_ids_with_an_empty_part_are_read(pristine: Path, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    shutil.copytree(pristine, folder, ignore=shutil.ignore_patterns("archive.lock"))
    result = run_cli("tag", "add", "pair", "--ids", "1,,2", archive=folder)
    assert result.returncode == 0, result.stderr
    with Archive.open(folder, readonly=True) as archive:
        assert archive.ids_with_tag("pair") == [1, 2]


def test_a_new_archive_and_its_backups_are_private(tmp_path: Path, sample: Path) -> None:
    folder = tmp_path / "new"
    assert run_cli("import", sample, archive=folder).returncode == 0
    assert (folder.stat().st_mode & 0o777) == 0o700
    assert ((folder / DB_NAME).stat().st_mode & 0o777) == 0o600
    for extra in ("-wal", "-shm"):
        part = folder / (DB_NAME + extra)
        if part.exists():
            assert (part.stat().st_mode & 0o777) == 0o600
    assert run_cli("backup", tmp_path / "copy", archive=folder).returncode == 0
    assert ((tmp_path / "copy").stat().st_mode & 0o777) == 0o700
    assert ((tmp_path / "copy" / DB_NAME).stat().st_mode & 0o777) == 0o600
    assert run_cli("backup", tmp_path / "one.sqlite3", archive=folder).returncode == 0
    assert ((tmp_path / "one.sqlite3").stat().st_mode & 0o777) == 0o600


def test_a_file_name_that_is_not_utf8_is_imported_and_shown_escaped(
    tmp_path: Path,
) -> None:
    import json
    import os

    inbox = os.fsencode(tmp_path / "inbox")
    os.mkdir(inbox)
    with open(os.path.join(inbox, b"caf\xe9-statement.txt"), "wb") as f:
        f.write(b"Statement on cooperation\n\nThe ministers met in Minsk on 3 May 2021.\n")
    with open(os.path.join(inbox, b"ok.txt"), "wb") as f:
        f.write(b"Second statement\n\nThe ministers met again in Astana in June 2021.\n")
    folder = tmp_path / "archive"
    result = run_cli("import", tmp_path / "inbox", "--json", archive=folder)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert json.loads(result.stdout)["imported"] == 2
    shown = run_cli("search", "Minsk", "--json", archive=folder)
    hit = json.loads(shown.stdout)["hits"][0]
    release = json.loads(run_cli("show", str(hit["id"]), "--json", archive=folder).stdout)
    assert release["orig_path"].endswith("caf\\xe9-statement.txt")

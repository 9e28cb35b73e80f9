"""A damaged or hostile index folder, through the real command line: nothing in it is executed,
nothing is written outside the archive folder, no traceback reaches the user, the damage is
named and the index is rebuilt, after which searches answer as before."""

from __future__ import annotations

import io
import os
import pickle
import random
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from whoosh.filedb.structfile import StructFile

from tests.conftest import run_cli


class _WouldCreate:
    """A pickle that creates a file when loaded by a plain unpickler."""

    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (self.path, "w"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sample: Path) -> tuple[Path, str]:
    """An archive of the sample releases, and what `search security` prints for it."""
    folder = tmp_path_factory.mktemp("built") / "archive"
    done = run_cli("import", sample, archive=folder)
    assert done.returncode == 0, done.stderr
    found = run_cli("search", "security", archive=folder)
    assert found.returncode == 0 and "releases match" in found.stdout, found.stderr
    return folder, found.stdout


@pytest.fixture(scope="module")
def sample() -> Path:
    from tests.conftest import SAMPLE, shared_file

    return shared_file(SAMPLE)


def _copy(built: tuple[Path, str], tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    shutil.copytree(built[0], folder)
    (folder / "archive.lock").unlink(missing_ok=True)
    return folder


def _index(folder: Path) -> Path:
    db = sqlite3.connect(folder / "archive.sqlite3")
    try:
        name = db.execute("SELECT value FROM meta WHERE key = 'index_dir'").fetchone()
    finally:
        db.close()
    return folder / (name[0] if name else "index")


def _segment(folder: Path) -> Path:
    return next(_index(folder).glob("*.seg"))


def _toc(folder: Path) -> Path:
    return next(_index(folder).glob("_MAIN_*.toc"))


def _set_index_dir(folder: Path, value: str) -> None:
    db = sqlite3.connect(folder / "archive.sqlite3")
    try:
        db.execute("UPDATE meta SET value = ? WHERE key = 'index_dir'", (value,))
        if db.total_changes == 0:
            db.execute("INSERT INTO meta (key, value) VALUES ('index_dir', ?)", (value,))
        db.commit()
    finally:
        db.close()


def _rewrite_toc(toc: Path, *, schema: bytes | None = None, segments: bytes | None = None) -> None:
    """Replaces the pickled schema or segment list of a TOC file, keeping the rest."""
    data = toc.read_bytes()
    f = StructFile(io.BytesIO(data))
    for _ in range(3):
        f.read_varint()  # int, long and float sizes
    f.read_int()  # -12345
    f.read_int()  # version
    for _ in range(3):
        f.read_varint()  # release
    start = f.tell()
    length = f.read_varint()
    end = f.tell() + length
    out = io.BytesIO()
    sf = StructFile(out)
    sf.write(data[:start])
    if schema is not None:
        sf.write_string(schema)
    else:
        sf.write(data[start:end])
    rest = data[end:]  # generation, a spare int, the segments' pickle
    sf.write(rest[:8] + segments if segments is not None else rest)
    toc.write_bytes(out.getvalue())


def _postings_offset(folder: Path, fieldname: str, btext: bytes) -> tuple[Path, int]:
    """The segment file holding a term's postings (the first, if several do), and where in
    it they lie."""
    from archive_browser.core.index import SearchIndex

    index = SearchIndex.open(_index(folder))
    try:
        for sub, _ in index._searcher().leaf_searchers():
            reader = sub.reader()
            if (fieldname, btext) not in reader:
                continue
            info = reader._terms.term_info(fieldname, btext)
            name = reader._segment.make_filename(".pst")
            at = int(reader._storage.a._dir[name]["offset"]) + int(info._offset)
            return _index(folder) / reader._segment.make_filename(".seg"), at
    finally:
        index.close()
    raise AssertionError("no segment")


def _garble(path: Path, at: int, size: int, seed: int = 1) -> None:
    data = bytearray(path.read_bytes())
    rnd = random.Random(seed)
    data[at : at + size] = bytes(rnd.randrange(256) for _ in range(size))
    path.write_bytes(bytes(data))


def _no_traceback(*results: subprocess.CompletedProcess[str]) -> None:
    for r in results:
        assert "Traceback" not in r.stderr, r.stderr


def _truncate(path: Path, keep: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])


DAMAGE: dict[str, Callable[[Path], None]] = {
    "garbage toc": lambda f: _toc(f).write_bytes(random.Random(3).randbytes(3000)),
    "empty toc": lambda f: _toc(f).write_bytes(b""),
    **{
        f"toc cut at {n}": (lambda f, n=n: _toc(f).write_bytes(_toc(f).read_bytes()[:n]))
        for n in (5, 40, 200)
    },
    **{
        f"segment cut at {k:.0%}": (lambda f, k=k: _truncate(_segment(f), k))
        for k in (0.0, 0.1, 0.5, 0.9)
    },
    **{
        f"segment garbled at {k:.0%}": (
            lambda f, k=k: _garble(_segment(f), int(_segment(f).stat().st_size * k), 2000)
        )
        for k in (0.05, 0.3, 0.6, 0.95)
    },
    "200 KB of garbage inserted": lambda f: _segment(f).write_bytes(
        _segment(f).read_bytes()[:2000]
        + random.Random(4).randbytes(200_000)
        + _segment(f).read_bytes()[2000:]
    ),
    "format record unreadable": lambda f: (_index(f) / "archive-browser-index.json").write_bytes(
        b"\xff{"
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_damaged_index_is_named_and_rebuilt(
    built: tuple[Path, str], tmp_path: Path, damage: str
) -> None:
    folder = _copy(built, tmp_path)
    DAMAGE[damage](folder)
    checked = run_cli("check", "--deep", archive=folder)
    _no_traceback(checked)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    said = checked.stdout + checked.stderr
    # Found on opening (the index cannot be used) or by reading it through (damaged).
    assert "rebuilt the index" in said or "rebuilding it" in said, said
    assert "The archive is consistent: 5 releases" in checked.stdout
    again = run_cli("search", "security", archive=folder)
    _no_traceback(again)
    assert again.returncode == 0 and again.stdout == built[1]
    assert run_cli("check", "--deep", "--no-repair", archive=folder).returncode == 0


def test_search_that_hits_a_damaged_block_says_so_and_rebuilds(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    folder = _copy(built, tmp_path)
    _garble(*_postings_offset(folder, "text", b"secur"), 200)
    # Opening reads only the segment's headers: the damage is met by the search itself.
    found = run_cli("search", "security", archive=folder)
    _no_traceback(found)
    assert "The search index is damaged; it is being rebuilt" in found.stderr
    assert found.returncode == 0 and found.stdout == built[1]
    assert run_cli("check", "--deep", "--no-repair", archive=folder).returncode == 0


def test_damage_met_by_a_read_only_search_is_rebuilt_by_the_next_command(
    built: tuple[Path, str], tmp_path: Path
) -> None:
    folder = _copy(built, tmp_path)
    _garble(*_postings_offset(folder, "text", b"secur"), 200)
    from archive_browser.core.archive import Archive

    with Archive.open(folder) as holder:  # the window has it open: the CLI reads only
        assert not holder.needs_repair
        found = run_cli("search", "security", archive=folder)
        _no_traceback(found)
        assert found.returncode == 1
        assert "The search index is damaged; it is being rebuilt" in found.stderr
    later = run_cli("search", "security", archive=folder)
    _no_traceback(later)
    assert "cannot be used (damaged" in later.stderr
    assert later.returncode == 0 and later.stdout == built[1]


def test_deep_check_without_repair_reports_damage(built: tuple[Path, str], tmp_path: Path) -> None:
    folder = _copy(built, tmp_path)
    _garble(*_postings_offset(folder, "text", b"secur"), 200)
    shallow = run_cli("check", "--no-repair", archive=folder)
    assert shallow.returncode == 0  # the damage lies where only a full read goes
    deep = run_cli("check", "--deep", "--no-repair", archive=folder)
    _no_traceback(deep)
    assert deep.returncode == 1
    assert "the index cannot be used: damaged" in deep.stdout


@pytest.mark.parametrize("where", ["schema", "segments", "postings"])
def test_crafted_pickle_is_never_run(built: tuple[Path, str], tmp_path: Path, where: str) -> None:
    folder = _copy(built, tmp_path)
    marker = tmp_path / "created-by-the-pickle"
    crafted = pickle.dumps(_WouldCreate(marker), 2)
    assert not marker.exists()
    if where == "postings":
        # A block's data: its header (length, a pickled tuple) is kept; the data replaced.
        seg, at = _postings_offset(folder, "text", b"secur")
        data = bytearray(seg.read_bytes())
        header = StructFile(io.BytesIO(bytes(data[at:])))
        header.read(4)  # the postings' magic number
        header.read_int()  # the block's length
        header.read_pickle()  # the block's header (a tuple of numbers)
        start = at + header.tell()
        data[start : start + len(crafted)] = crafted
        seg.write_bytes(bytes(data))
    else:
        _rewrite_toc(_toc(folder), **{where: crafted})
    for args in (("search", "security"), ("check", "--deep"), ("stats",), ("search", "security")):
        result = run_cli(*args, archive=folder)
        _no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert not marker.exists(), args
    assert result.stdout == built[1]


@pytest.mark.parametrize("kind", ["parent", "absolute", "symlink", "nested"])
def test_index_dir_outside_the_archive_is_never_written(
    built: tuple[Path, str], tmp_path: Path, kind: str
) -> None:
    folder = _copy(built, tmp_path)
    outside = tmp_path / "outside-index"
    shutil.copytree(_index(folder), outside)
    before = {p.name: p.stat().st_mtime_ns for p in outside.iterdir()}
    name = {
        "parent": "../outside-index",
        "absolute": str(outside),
        "symlink": "index-link",
        "nested": "index/../../outside-index",
    }[kind]
    if kind == "symlink":
        (folder / "index-link").symlink_to(outside)
    _set_index_dir(folder, name)
    extra = tmp_path / "more.txt"
    extra.write_text("A new release\n\nSecurity of the outside world.\n", encoding="utf-8")
    imported = run_cli("import", extra, archive=folder)
    _no_traceback(imported)
    assert imported.returncode == 0, imported.stderr
    assert "is not a folder inside the archive" in imported.stderr
    assert {p.name: p.stat().st_mtime_ns for p in outside.iterdir()} == before
    index = _index(folder)
    assert index.parent == folder and not index.is_symlink()
    found = run_cli("search", "outside", archive=folder)
    assert found.returncode == 0 and "1 release match" in found.stdout, found.stdout
    assert os.path.realpath(outside) not in found.stdout

"""Kept original files: content-addressed by SHA-256 in the archive folder, written privately
and atomically, then made read-only, one copy per content however often it is imported."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO

from archive_browser.core.archive.opening import create_private_folder

ORIGINALS_DIR = "originals"
#: A kept file is its owner's to read only: nothing should write it again.
KEPT_MODE = 0o400
_CHUNK = 1024 * 1024
_ENDING = re.compile(r"^(\.[a-z0-9]{1,8}){1,2}$")


def sha256_of_file(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def sha256_of_member(zip_path: Path, member: str) -> tuple[str, int]:
    """The SHA-256 and size of one zip member's bytes (or of a file in a folder, for a
    BagIt bag read as a folder)."""
    if zip_path.is_dir():
        with open(zip_path.joinpath(*PurePosixPath(member).parts), "rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest(), os.fstat(f.fileno()).st_size
    with zipfile.ZipFile(zip_path) as archive, archive.open(member) as f:
        digest = hashlib.sha256()
        size = 0
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def ending_of(name: str, known: Iterable[str] = ()) -> str:
    """The file ending a kept original is stored with: the registered one (`.warc.gz`) when
    the name ends so, else the last suffix; lower case, letters and digits only."""
    lower = name.lower()
    for ext in sorted(known, key=len, reverse=True):
        if lower.endswith(ext):
            return ext if _ENDING.match(ext) else ""
    suffix = PurePosixPath(lower.replace("\\", "/")).suffix
    return suffix if _ENDING.match(suffix) else ""


def original_path(folder: Path, sha256: str, ending: str) -> Path:
    """Where the original of this content is kept in the archive `folder`."""
    return folder / ORIGINALS_DIR / sha256[:2] / f"{sha256}{ending}"


def keep(folder: Path, source: IO[bytes], sha256: str, ending: str) -> int | None:
    """Stores the bytes read from `source` as the original of `sha256` (unless it is kept
    already); returns their size, or None when they are not what was imported (the file
    changed since it was read). Written to a private temporary file beside the target,
    flushed to disk, renamed into place and made read-only."""
    target = original_path(folder, sha256, ending)
    if target.is_file():
        return target.stat().st_size
    create_private_folder(target.parent.parent)
    create_private_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=".keeping-", dir=target.parent)
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != sha256:
            return None
        os.chmod(tmp, KEPT_MODE)
        os.replace(tmp, target)
        tmp = ""
        _sync_folder(target.parent)
        return size
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def copy_kept(source: Path, target: Path, digest: str = "") -> None:
    """Copies a kept original to another originals folder (a backup, or back from one),
    atomically, read-only. A file already there is left alone when it has the same size, or,
    given its `digest`, the same SHA-256 (a restore mends a changed one)."""
    same_size = target.is_file() and target.stat().st_size == source.stat().st_size
    if same_size and (not digest or sha256_of_file(target) == digest):
        return
    create_private_folder(target.parent.parent)
    create_private_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=".copying-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out, open(source, "rb") as f:
            while chunk := f.read(_CHUNK):
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, KEPT_MODE)
        if target.exists():
            # A damaged copy of another size: kept files are read-only, so make room first.
            os.chmod(target, 0o600)
        os.replace(tmp, target)
        tmp = ""
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def listed(db_path: Path) -> list[tuple[str, str]]:
    """(sha256, ending) of the originals an archive file lists (none for one made before
    originals were kept)."""
    conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True)
    try:
        return [(str(s), str(e)) for s, e in conn.execute("SELECT sha256, ending FROM originals")]
    except sqlite3.OperationalError:  # no such table: an older schema
        return []
    finally:
        conn.close()


def copy_listed(
    db_path: Path, source_folder: Path, target_folder: Path, *, mend: bool = False
) -> int:
    """Copies the originals listed in `db_path` from `source_folder` (an archive or backup
    folder) to `target_folder`'s originals, skipping those there already (`mend`: those
    there and unchanged, by their SHA-256); returns how many were found in the source."""
    copied = 0
    for digest, ending in listed(db_path):
        source = original_path(source_folder, digest, ending)
        if not source.is_file():
            continue  # missing: `check` and `verify` say so
        copy_kept(source, original_path(target_folder, digest, ending), digest if mend else "")
        copied += 1
    return copied


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

"""What opening an archive does before SQLite writes anything: inspect the file, refuse a
newer schema, and create a new archive's folder and file readable by their owner only."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from archive_browser.core.errors import ArchiveFormatError, UserFacingError
from archive_browser.core.integrity import Damage, inspect
from archive_browser.core.store import SCHEMA_VERSION

#: A new archive's folder and files: private research collections, readable by their owner.
FOLDER_MODE = 0o700
FILE_MODE = 0o600


def inspect_file(db_path: Path) -> Damage | None:
    """The damage of an existing archive file (or of what stands in its place)."""
    if db_path.is_dir():
        return Damage(db_path, "it is a folder, not a file")
    if not db_path.exists():
        return Damage(db_path, "it is a link to a file that does not exist")
    return inspect(db_path)


def refuse_newer_schema(db_path: Path) -> None:
    """Raises ArchiveFormatError for a file written by a newer program, before anything opens
    it for writing (which would change its bytes)."""
    try:
        conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return  # inspect() has said what it could; opening reports the rest
    if version > SCHEMA_VERSION:
        raise ArchiveFormatError(
            f"{db_path} was written by a newer Archive Browser (schema {version}); this one "
            f"reads up to schema {SCHEMA_VERSION}. Nothing was changed; open it with a newer "
            "version."
        )


def create_private_folder(folder: Path) -> None:
    """Creates `folder` (and its parents) if missing; a folder this makes is 0700."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        os.chmod(folder, FOLDER_MODE)  # mkdir's mode is filtered by the umask
    except OSError as e:
        raise UserFacingError(f"Cannot create the archive folder {folder}: {e}") from e


def create_private_file(db_path: Path) -> None:
    """For a new archive, creates its SQLite file empty with mode 0600 before SQLite opens it
    (SQLite gives -wal and -shm the same mode). Called under the archive's lock, just before
    the schema is written, so that an empty file is never left by a normal opening."""
    if db_path.exists():
        return
    try:
        fd = os.open(db_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    except OSError:
        return  # a folder that cannot be written: opening says so clearly (write_errors)
    os.close(fd)

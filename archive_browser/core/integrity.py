"""Is an archive's SQLite file whole? Cheap checks on every open, a full one for `check`.

A damaged file is never written into: the archive opens it read-only and says what is wrong
and how to recover (restore a backup, or salvage what can be read into a new archive). A file
that is empty, is not SQLite, or is another program's database is damage too, never a new
archive.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from archive_browser.core.errors import ArchiveFormatError
from archive_browser.core.store import APPLICATION_ID

#: What every SQLite 3 file starts with.
SQLITE_MAGIC = b"SQLite format 3\x00"
#: How long the check on opening may read the file, in seconds: a bounded `quick_check`.
OPEN_CHECK_SECONDS = 0.3
#: How many problems a full check lists at most.
MAX_PROBLEMS = 50


class DamagedArchiveError(ArchiveFormatError):
    """The archive's SQLite file is damaged, or is not an archive at all."""

    def __init__(self, damage: Damage, refusal: str = "") -> None:
        super().__init__(f"{refusal} {damage.message()}" if refusal else damage.message())
        self.damage = damage
        #: What was not done, for a caller that has already shown the damage's message.
        self.refusal = refusal or "Not done: the archive is damaged and open read-only."


@dataclass(frozen=True)
class Damage:
    """What is wrong with an archive's SQLite file, in words for its user."""

    path: Path
    what: str
    #: Not an archive at all (another program's file), rather than a damaged archive.
    foreign: bool = False

    def message(self) -> str:
        folder = self.path.parent
        if self.foreign:
            return (
                f"{self.path} is not an Archive Browser archive ({self.what}). Nothing was "
                "written into it. Open another folder, or move the file away to start a new "
                "archive there."
            )
        return (
            f"The archive {folder} is damaged: {self.what}. It is open read-only and nothing "
            "will be written into it. To recover, restore a backup "
            f"('archive-browser --archive {folder} restore BACKUP'; the damaged file is kept "
            "aside), or copy every readable release into a new archive "
            f"('archive-browser --archive {folder} salvage NEW_FOLDER')."
        )


def _connect_readonly(path: Path) -> sqlite3.Connection:
    # immutable=1 would skip the WAL; mode=ro reads it but never writes the file.
    return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)


def header_damage(path: Path) -> Damage | None:
    """What the first 100 bytes and the file's size say is wrong, without SQLite."""
    try:
        size = path.stat().st_size
        with path.open("rb") as f:
            header = f.read(100)
    except OSError as e:
        return Damage(path, f"the file cannot be read ({e.strerror or e})")
    if size == 0:
        return Damage(path, "the file is empty (0 bytes)")
    if not header.startswith(SQLITE_MAGIC):
        if not header.strip(b"\x00"):
            return Damage(path, "its first page is zeroed")
        return Damage(path, "the file does not start with an SQLite header")
    if len(header) < 100:
        return Damage(path, f"the file is cut short ({size} bytes)")
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return Damage(path, f"its header names an impossible page size ({page_size})")
    if _has_wal(path):
        # Pages still in the write-ahead log (a checkpoint stopped, e.g. by a full disk) are
        # part of the database: the file alone may be shorter. quick_check reads both.
        return None
    pages = int.from_bytes(header[28:32], "big")
    # The header's page count is valid when the change counter matches "version valid for".
    if header[24:28] == header[92:96] and pages * page_size > size:
        return Damage(
            path,
            f"the file is cut short: {size:,} bytes where its header says {pages * page_size:,}",
        )
    if size % page_size:
        return Damage(path, f"the file is cut short: {size:,} bytes is not whole pages")
    return None


def _has_wal(path: Path) -> bool:
    try:
        return path.with_name(path.name + "-wal").stat().st_size > 0
    except OSError:
        return False


def _problems(conn: sqlite3.Connection, pragma: str, seconds: float | None) -> list[str]:
    """The lines of `PRAGMA quick_check`/`integrity_check` that are not "ok"; with `seconds`,
    stops reading after that long (and then reports what it found so far)."""
    if seconds is not None:
        deadline = time.monotonic() + seconds
        conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = conn.execute(f"PRAGMA {pragma}({MAX_PROBLEMS})").fetchall()
    except sqlite3.OperationalError as e:
        if seconds is not None and "interrupted" in str(e):
            return []
        raise
    finally:
        conn.set_progress_handler(None, 0)
    return [str(row[0]) for row in rows if row[0] != "ok"]


def inspect(
    path: Path, *, full: bool = False, seconds: float | None = OPEN_CHECK_SECONDS
) -> Damage | None:
    """What is wrong with the archive file at `path`, or None when it looks whole.

    By default a cheap check for opening: the header, the archive's mark, the schema, and a
    `quick_check` bounded to `seconds`. With `full`, SQLite's whole `integrity_check`."""
    damage = header_damage(path)
    if damage is not None:
        return damage
    try:
        conn = _connect_readonly(path)
    except sqlite3.Error as e:
        return Damage(path, f"SQLite cannot open it ({e})")
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if app_id != APPLICATION_ID and (app_id != 0 or (tables and "releases" not in tables)):
            return Damage(path, "it is an SQLite database of another program", foreign=True)
        if app_id == APPLICATION_ID and "releases" not in tables:
            return Damage(path, "its table of releases is missing")
        problems = _problems(
            conn, "integrity_check" if full else "quick_check", None if full else seconds
        )
        if problems:
            more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
            return Damage(path, "SQLite finds " + "; ".join(problems[:3]) + more)
    except sqlite3.DatabaseError as e:
        return Damage(path, f"SQLite cannot read it ({e})")
    finally:
        conn.close()
    return None


def is_damage(error: BaseException) -> bool:
    """Whether an error raised by SQLite means the file itself is damaged (rather than busy,
    locked or out of space)."""
    if not isinstance(error, sqlite3.DatabaseError) or isinstance(
        error, sqlite3.OperationalError | sqlite3.IntegrityError | sqlite3.ProgrammingError
    ):
        return isinstance(error, sqlite3.OperationalError) and (
            "malformed" in str(error) or "not a database" in str(error)
        )
    return True

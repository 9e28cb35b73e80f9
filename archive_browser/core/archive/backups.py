"""Backups of an archive: consistent copies while it is in use, rotation, and restoring."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from filelock import FileLock, Timeout

import archive_browser.core.archive.originals as originals
from archive_browser.core.archive.base import (
    BACKUP_DIR,
    DB_NAME,
    LOCK_NAME,
    ArchiveBase,
    write_errors,
)
from archive_browser.core.archive.opening import create_private_file, create_private_folder
from archive_browser.core.archive.upkeep import IndexUpkeep
from archive_browser.core.errors import ArchiveFormatError, ArchiveLockedError, UserFacingError
from archive_browser.core.integrity import DamagedArchiveError, inspect
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.reports import BackupReport, RestoreReport
from archive_browser.core.store import APPLICATION_ID, SCHEMA_VERSION


class BackupManager:
    """Backing up and restoring one archive (its SQLite file and kept originals; the index is
    rebuilt)."""

    def __init__(self, archive: ArchiveBase, upkeep: IndexUpkeep) -> None:
        self._archive = archive
        self._upkeep = upkeep

    def backup(self, dest: Path | str) -> Job[BackupReport]:
        """Writes a consistent copy of the archive (its SQLite file, through SQLite's online
        backup) while the archive stays in use. `dest` is a new folder, which then opens as an
        archive, or a file ending in .sqlite3. The index is not copied: it is rebuilt from the
        copy when the copy is opened."""
        dest = Path(dest).expanduser().absolute()
        target = dest if dest.suffix in (".sqlite3", ".sqlite", ".db") else dest / DB_NAME
        if target.exists():
            raise UserFacingError(f"{target} already exists; choose another name for the backup.")
        self._refuse_damaged()
        yield Progress(0, 1, f"Backing up to {target}")
        with write_errors(target.parent):
            create_private_folder(target.parent)
            partial = target.with_name(target.name + ".partial")
            partial.unlink(missing_ok=True)
            try:
                create_private_file(partial)
                copy = sqlite3.connect(partial)
                try:
                    self._archive.store.conn.backup(copy)
                finally:
                    copy.close()
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
            # The kept originals go beside the copy (`originals/`, shared by the backups of
            # one folder: each content once), those the copy lists.
            yield Progress(0.5, 1, "Backing up the original files")
            originals.copy_listed(target, self._archive.folder, target.parent)
        yield Progress(1, 1, "Backed up")
        return BackupReport(target, target.stat().st_size, self._archive.store.count())

    def _refuse_damaged(self) -> None:
        """A copy of a damaged file would carry the damage and could replace a good backup."""
        archive = self._archive
        damage = archive.damage or inspect(archive.folder / DB_NAME)
        if damage is not None:
            raise DamagedArchiveError(
                damage, "Not backed up: a copy of a damaged file would carry the damage."
            )

    def auto_backup(self, keep: int = 5, every_hours: float = 24) -> Job[BackupReport | None]:
        """Keeps rotating copies in the archive's `backups` folder: makes one when the newest
        is older than `every_hours`, and keeps the newest `keep`."""
        folder = self._archive.folder / BACKUP_DIR
        existing = sorted(folder.glob("archive-*.sqlite3")) if folder.exists() else []
        if existing and time.time() - existing[-1].stat().st_mtime < every_hours * 3600:
            return None
        name = f"archive-{time.strftime('%Y%m%d-%H%M%S')}.sqlite3"
        report = yield from self.backup(folder / name)
        for old in sorted(folder.glob("archive-*.sqlite3"))[:-keep]:
            old.unlink(missing_ok=True)
        return report

    def restore(self, source: Path | str) -> Job[RestoreReport]:
        """Replaces the archive's contents with a backup (a backup folder or .sqlite3 file),
        keeping a copy of the archive as it was in `backups/`, then rebuilds the index."""
        archive = self._archive
        archive.require_writable()
        source = _backup_file(source)
        check_backup(source)
        with archive.write_lock:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            yield Progress(0, 3, "Keeping a copy of the archive as it is")
            before = archive.folder / BACKUP_DIR / f"before-restore-{stamp}.sqlite3"
            n = 0
            while before.exists():  # two restores within a second
                n += 1
                before = before.with_name(f"before-restore-{stamp}.{n}.sqlite3")
            kept = yield from self.backup(before)
            yield Progress(1, 3, f"Restoring from {source.name}")
            with write_errors(archive.folder):
                backup = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
                try:
                    backup.backup(archive.store.conn)
                finally:
                    backup.close()
                archive.store.migrate()
                # The originals the backup lists, from beside it, where missing or damaged.
                originals.copy_listed(source, source.parent, archive.folder, mend=True)
            archive.data_generation += 1
            yield Progress(2, 3, "Rebuilding the index")
            yield from self._upkeep.reindex()
            return RestoreReport(archive.store.count(), kept.path)


def replace_damaged(folder: Path, source: Path | str) -> Job[Path]:
    """Replaces the damaged archive file in `folder` with a backup without opening it: the
    damaged file and its -wal/-shm are moved aside to `backups/damaged-STAMP.sqlite3`
    (returned) and the backup is copied in. The facade then rebuilds the index."""
    folder = Path(folder).expanduser().absolute()
    source = _backup_file(source)
    check_backup(source)
    db_path = folder / DB_NAME
    lock = FileLock(str(folder / LOCK_NAME), thread_local=False)
    with write_errors(folder):
        try:
            lock.acquire(timeout=0)
        except Timeout:
            raise ArchiveLockedError(folder) from None
    try:
        with write_errors(folder):
            aside_dir = folder / BACKUP_DIR
            create_private_folder(aside_dir)
            stamp = time.strftime("%Y%m%d-%H%M%S")
            kept = aside_dir / f"damaged-{stamp}.sqlite3"
            n = 0
            while kept.exists():
                n += 1
                kept = aside_dir / f"damaged-{stamp}.{n}.sqlite3"
            yield Progress(0, 3, f"Moving the damaged file aside to {kept}")
            for suffix in ("", "-wal", "-shm"):
                part = db_path.with_name(db_path.name + suffix)
                if part.exists() or part.is_symlink():
                    part.replace(kept.with_name(kept.name + suffix))
            yield Progress(1, 3, f"Restoring from {source.name}")
            partial = db_path.with_name(db_path.name + ".partial")
            partial.unlink(missing_ok=True)
            create_private_file(partial)
            backup = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
            try:
                copy = sqlite3.connect(partial)
                try:
                    backup.backup(copy)
                finally:
                    copy.close()
            finally:
                backup.close()
            partial.replace(db_path)
            originals.copy_listed(db_path, source.parent, folder, mend=True)
    finally:
        lock.release()
    return kept


def _backup_file(source: Path | str) -> Path:
    source = Path(source).expanduser().absolute()
    if source.is_dir():
        source = source / DB_NAME
    if not source.is_file():
        raise UserFacingError(f"There is no backup at {source}.")
    return source


def check_backup(path: Path) -> None:
    """Raises a clear error unless `path` is a readable Archive Browser database that this
    program can open."""
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise ArchiveFormatError(f"{path} is not a readable archive backup: {e}") from None
    if app_id != APPLICATION_ID:
        raise ArchiveFormatError(f"{path} is not an Archive Browser archive.")
    if version > SCHEMA_VERSION:
        raise ArchiveFormatError(
            f"{path} was written by a newer Archive Browser (schema {version})."
        )
    if ok != "ok":
        raise ArchiveFormatError(f"{path} is damaged: {ok}")

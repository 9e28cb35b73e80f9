"""Keeping the index in step with SQLite: applying recorded work, rebuilding, checking."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import sqlite3
import time

from archive_browser.core.archive.base import (
    DB_NAME,
    INDEX_PREFIX,
    ArchiveBase,
    indexing_procs,
    write_errors,
)
from archive_browser.core.errors import IndexDamagedError
from archive_browser.core.index import SearchIndex
from archive_browser.core.integrity import inspect
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.reports import CheckReport


class IndexUpkeep:
    """Repairs, rebuilds and checks the index of one archive."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    @property
    def needs_repair(self) -> bool:
        """True when the index must be rebuilt or has recorded work to apply."""
        return self._archive.index_unusable() or self.pending_count() > 0

    def pending_count(self) -> int:
        """How many index updates are recorded but not yet applied."""
        return self._archive.store.pending_count()

    def repair(self) -> Job[None]:
        """Brings the index up to date: rebuilds it when it cannot be used, otherwise applies
        the index work recorded but not applied (left by a crash)."""
        archive = self._archive
        archive.require_writable()
        if archive.index_unusable():
            yield from self.reindex()
            return
        pending = self.pending_count()
        if pending:
            yield Progress(0, pending, "Applying unfinished index work")
            archive.applied_seq = 0
            archive.sync_index()
            yield Progress(pending, pending, "Index up to date")

    def reindex(self) -> Job[None]:
        """Rebuilds the index from SQLite into a new folder and swaps it in when complete."""
        archive = self._archive
        archive.require_writable()
        folder = archive.folder
        with archive.write_lock, write_errors(folder):
            store = archive.store
            total = store.count()
            new_path = folder / f"{INDEX_PREFIX}-{time.strftime('%Y%m%d-%H%M%S')}"
            suffix = 0
            while new_path.exists():
                suffix += 1
                new_path = new_path.with_name(f"{new_path.name.split('.')[0]}.{suffix}")
            yield Progress(0, total, "Rebuilding the index")
            new_index = SearchIndex.create(new_path)
            swapped = False
            try:
                writer = new_index.writer(bulk=True, procs=indexing_procs(total))
                try:
                    done = 0
                    for release in store.iter_releases():
                        writer.add(release)
                        done += 1
                        if done % 200 == 0:
                            yield Progress(done, total, f"Indexed {done:,} of {total:,}")
                    yield Progress(done, total, "Writing the index")
                    writer.commit()
                except BaseException:
                    writer.cancel()
                    raise
                with store.transaction():
                    store.set_meta("index_dir", new_path.name)
                    store.db.execute("DELETE FROM index_queue")
                swapped = True
            finally:
                if not swapped:
                    new_index.close()
                    shutil.rmtree(new_path, ignore_errors=True)
            archive.swap_index(new_index)
            self.remove_stale_index_folders()
            yield Progress(total, total, "Index rebuilt")

    def remove_stale_index_folders(self) -> None:
        """Deletes index folders other than the current one (left by rebuilds)."""
        current = self._archive._index_path().name
        for path in self._archive.folder.iterdir():
            if path.is_dir() and path.name.startswith(INDEX_PREFIX) and path.name != current:
                shutil.rmtree(path, ignore_errors=True)

    def check(self, *, deep: bool = False, full: bool = False) -> CheckReport:
        """Compares the index with SQLite, release by release. `deep` also reads the whole
        index through (every stored document and posting block) to find damage; `full` runs
        SQLite's whole `integrity_check` of the file first (the check on opening is bounded
        in time)."""
        archive = self._archive
        damage = archive.damage
        if full:
            damage = inspect(archive.folder / DB_NAME, full=True, seconds=None) or damage
        file_damage = damage.what if damage is not None else None
        try:
            report = self._compare(deep=deep)
        except sqlite3.DatabaseError:
            if file_damage is None:
                raise
            problem = archive.index_problem or "not compared: the archive's file cannot be read"
            return CheckReport(0, 0, [], [], [], 0, problem, file_damage)
        return dataclasses.replace(report, file_damage=file_damage)

    def _compare(self, *, deep: bool = False) -> CheckReport:
        store = self._archive.store
        in_db = store.revisions()
        pending = store.pending_count()
        index = self._archive.index
        in_index: dict[int, int] = {}
        if index is not None and index.damaged is None:
            with contextlib.suppress(IndexDamagedError):  # the index is marked damaged
                if deep:
                    for _ in index.verify():
                        pass
                in_index = index.revisions()
        if index is None or index.damaged is not None:
            problem = self._archive.index_problem if index is None else f"damaged: {index.damaged}"
            return CheckReport(len(in_db), 0, sorted(in_db), [], [], pending, problem)
        missing = sorted(set(in_db) - set(in_index))
        extra = sorted(set(in_index) - set(in_db))
        stale = sorted(i for i, rev in in_index.items() if i in in_db and in_db[i] != rev)
        return CheckReport(len(in_db), len(in_index), missing, extra, stale, pending, None)

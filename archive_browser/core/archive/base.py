"""What the facade and its managers share: the folder, its connections, its index, one writer.

Every change is committed to SQLite together with a record of the index work it needs
(`index_queue`); `change()` then applies that work to the index and clears it. When the program
stops between the two commits, the work is still recorded and `repair()` applies it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import threading
from collections.abc import Callable, Container, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from filelock import FileLock

from archive_browser.core.errors import (
    ArchiveError,
    IndexNotReadyError,
    ReadOnlyArchiveError,
    UserFacingError,
    write_error,
)
from archive_browser.core.facets import FacetCounts
from archive_browser.core.index import IndexUnavailable, IndexWriter, SearchIndex
from archive_browser.core.integrity import Damage, DamagedArchiveError
from archive_browser.core.store import Store

T = TypeVar("T")

DB_NAME = "archive.sqlite3"
LOCK_NAME = "archive.lock"
INDEX_PREFIX = "index"
BACKUP_DIR = "backups"
#: Rebuilds of at least this many releases index them in two processes (see
#: SearchIndex.writer), when this process has no other thread. Imports index in one.
MULTIPROCESS_INDEXING = 2000


class ArchiveBase:
    """An archive folder's state: connections per thread, the index, the write lock."""

    def __init__(self, folder: Path, *, readonly: bool, lock: FileLock | None) -> None:
        self.folder = folder
        self.readonly = readonly
        self._lock = lock
        self._local = threading.local()
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        #: Held by whatever writes (in this process or, for a job, in its child).
        self.write_lock = threading.RLock()
        self._index: SearchIndex | None = None
        self.index_problem: str | None = None
        #: What is wrong with the SQLite file, when it is damaged: it is then open read-only
        #: and every write raises DamagedArchiveError.
        self.damage: Damage | None = None
        self.applied_seq = 0  # index work added to the writer, up to this sequence
        # Counts changes of the data, for what is computed from it and kept (facet counts).
        self.data_generation = 0
        self.facet_counts = FacetCounts()
        self._closed = False
        # Raised when another process wrote the file (a job's child): each thread then opens
        # its connection anew, so that none reads on from a snapshot taken before.
        self._store_generation = 0

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._index is not None:
            self._index.close()
        with self._stores_lock:
            for store in self._stores:
                # The connection of a thread that has ended may already be gone.
                with contextlib.suppress(Exception):
                    store.close()
            self._stores.clear()
        if self._lock is not None:
            self._lock.release()

    @property
    def store(self) -> Store:
        """This thread's connection to the SQLite file (for the core's managers only)."""
        store = getattr(self._local, "store", None)
        if store is not None and self._local.generation != self._store_generation:
            with self._stores_lock:
                if store in self._stores:
                    self._stores.remove(store)
            with contextlib.suppress(Exception):
                store.close()
            store = None
        if store is None:
            if self._closed:
                raise ArchiveError("the archive is closed")
            store = Store(self.folder / DB_NAME, readonly=self.readonly)
            self._local.store = store
            self._local.generation = self._store_generation
            with self._stores_lock:
                self._stores.append(store)
        return store

    @property
    def name(self) -> str:
        return self.folder.name

    # --- the index folder

    def _index_path(self) -> Path:
        return self.folder / (self.store.get_meta("index_dir") or INDEX_PREFIX)

    def _open_index(self) -> None:
        try:
            path = self._index_path()
        except sqlite3.DatabaseError:
            if self.damage is None:
                raise
            self._index = None
            self.index_problem = "the archive's file is damaged"
            return
        try:
            self._index = SearchIndex.open(path, inside=self.folder)
            self.index_problem = None
        except IndexUnavailable as e:
            if e.reason == "missing" and self.store.count() == 0 and not self.readonly:
                self._index = SearchIndex.create(path)
                self.store.set_meta("index_dir", path.name)
                self.index_problem = None
            else:
                self._index = None
                self.index_problem = str(e)

    def swap_index(self, new: SearchIndex) -> None:
        """Makes `new` the index (after a rebuild) and closes the old one."""
        old = self._index
        self._index = new
        self.index_problem = None
        self.applied_seq = 0
        if old is not None:
            old.close()

    @property
    def index(self) -> SearchIndex | None:
        """The index, or None when it must be rebuilt (`index_problem` says why)."""
        return self._index

    def index_unusable(self) -> bool:
        """True when there is no index, or it was found damaged while in use."""
        return self._index is None or self._index.damaged is not None

    def reload_index(self) -> None:
        """Opens the index again, e.g. after a child process rebuilt it in a new folder (or
        changed the data: anything kept from it is read again)."""
        self.data_generation += 1
        self._store_generation += 1
        old = self._index
        self._open_index()
        if old is not None:
            old.close()

    def _require_index(self) -> SearchIndex:
        if self._index is None and self.damage is not None:
            raise DamagedArchiveError(
                self.damage, "The archive's file is too damaged to search (its index is unknown)."
            )
        if self._index is None:
            raise IndexNotReadyError(
                "The search index must be rebuilt before searching "
                f"({self.index_problem}). Run 'archive-browser reindex' or "
                "Tools > Rebuild index."
            )
        return self._index

    def require_writable(self) -> None:
        if self.damage is not None:
            raise DamagedArchiveError(self.damage)
        if self.readonly:
            raise ReadOnlyArchiveError(
                f"The archive {self.folder} is open read-only; it cannot be changed."
            )

    # --- applying index work ----------------------------------------------------------------

    def apply_pending(self, writer: IndexWriter, new_ids: frozenset[int] = frozenset()) -> int:
        """Adds all recorded index work after `applied_seq` to `writer`; returns how many
        releases. Releases in `new_ids` are known not to be in the index yet: simply added."""
        count = 0
        for done, _total in self.add_pending(writer, new_ids):
            count = done
        return count

    def add_pending(
        self, writer: IndexWriter, new_ids: frozenset[int] = frozenset()
    ) -> Iterator[tuple[int, int]]:
        """Adds recorded index work to `writer` in chunks, yielding (releases done, total)
        after each; `applied_seq` follows what was added, so that a commit after a stop
        clears exactly that. Each release is read from SQLite once, as it is now."""
        rows = self.store.pending(after=self.applied_seq)
        for done, total, seq in add_recorded_work(self.store, writer, rows, new_ids, set()):
            self.applied_seq = seq
            yield done, total

    def commit_index(self, writer: IndexWriter) -> None:
        writer.commit()
        self.store.clear_pending(self.applied_seq)

    def sync_index(self) -> None:
        """Applies recorded index work now (after a change made outside an import)."""
        if self.damage is not None:
            raise DamagedArchiveError(self.damage)
        if self._index is None:
            return  # recorded; applied by the rebuild
        with self.write_lock:
            writer = self._index.writer()
            try:
                with write_errors(self.folder):
                    self.apply_pending(writer)
                    self.commit_index(writer)
            except BaseException:
                writer.cancel()
                self.applied_seq = 0
                raise

    def change(self, apply: Callable[[Store], T]) -> T:
        """Runs `apply(store)` in one SQLite transaction, then brings the index up to date."""
        self.require_writable()
        with self.write_lock:
            store = self.store
            try:
                with write_errors(self.folder), store.transaction():
                    result = apply(store)
            finally:
                self.data_generation += 1
            self.sync_index()
            return result


_READ_ONLY_HINT = "Open the archive read-only, or copy it to a folder you can write."


@contextlib.contextmanager
def write_errors(where: Path) -> Iterator[None]:
    """Turns a full disk or a folder that cannot be written into a clear UserFacingError."""
    try:
        yield
    except OSError as e:
        if isinstance(e, UserFacingError):
            raise
        raise write_error(e, where, _READ_ONLY_HINT) from e
    except sqlite3.OperationalError as e:
        text = str(e)
        if "readonly" in text or "read-only" in text:
            raise ReadOnlyArchiveError(
                f"{where} cannot be written to ({text}). {_READ_ONLY_HINT}"
            ) from e
        if "full" in text or "disk I/O error" in text:
            raise write_error(OSError(errno.ENOSPC, text), where) from e
        raise


def add_recorded_work(
    store: Store,
    writer: IndexWriter,
    rows: Sequence[tuple[int, int]],
    new_ids: Container[int],
    seen: set[int],
) -> Iterator[tuple[int, int, int]]:
    """Adds recorded index work (`rows` of sequence number and release id) to `writer`, 250
    rows at a time, yielding (releases done, releases in `rows`, the last sequence number
    added) after each. Each release is read from SQLite as it is now, once: those in `seen`
    (which this adds to) are done already. Releases in `new_ids` are known not to be in the
    index yet and simply added; the others are replaced, or deleted when no longer stored."""
    total = len({release_id for _, release_id in rows} - seen)
    done = 0
    for start in range(0, len(rows), 250):
        part = rows[start : start + 250]
        chunk = list(dict.fromkeys(r for _, r in part if r not in seen))
        seen.update(chunk)
        releases = store.get_releases(chunk)
        found = {r.id for r in releases}
        for release in releases:
            if release.id in new_ids:
                writer.add(release)
            else:
                writer.update(release)
        for release_id in chunk:
            if release_id not in found:
                writer.delete(release_id)
        done += len(chunk)
        yield done, total, part[-1][0]


def indexing_procs(releases: int) -> int:
    """How many processes index `releases` at once: two from MULTIPROCESS_INDEXING on, when
    this process may fork (a POSIX system, two cores or more, and no thread but this one:
    forking a process with threads can deadlock the child); else one."""
    can_fork = os.name == "posix" and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1
    return 2 if releases >= MULTIPROCESS_INDEXING and can_fork else 1

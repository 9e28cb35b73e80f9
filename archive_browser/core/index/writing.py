"""The index's writer: buffered additions, updates and deletions, committed at once."""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

import archive_browser.core.index.multiwriter as multiwriter
import archive_browser.core.index.pool as pool
from archive_browser.core.errors import ArchiveError, IndexDamagedError
from archive_browser.core.index.schema import document_for
from archive_browser.core.memory import return_freed_memory
from archive_browser.core.model import Release


class _Owner(Protocol):
    """What a writer needs of its index (`engine.SearchIndex`)."""

    _ix: Any
    damaged: str | None

    def mark_damaged(self, reason: str) -> None: ...

    def _committed(self) -> None: ...


class IndexWriter:
    """Buffered changes to the index; nothing is visible until `commit()`. The writer is
    `pool.PoolSegmentWriter` (in `procs` processes: `multiwriter`); `whoosh=True` takes
    Whoosh's own instead (the tests compare the two)."""

    def __init__(self, owner: _Owner, bulk: bool, procs: int = 1, *, whoosh: bool = False) -> None:
        self._owner = owner
        self._bulk = bulk
        if procs > 1:
            # It forks: only for a process with no other thread.
            self._writer = multiwriter.PoolMpWriter(
                owner._ix,
                procs=procs,
                limit=pool.POOL_LIMIT_MB * 2**20,
                timeout=30.0,
                delay=0.05,
            )
        elif whoosh:
            self._writer = owner._ix.writer(limitmb=128 if bulk else 64, timeout=30.0, delay=0.05)
        else:
            self._writer = pool.PoolSegmentWriter(
                owner._ix, limit=pool.POOL_LIMIT_MB * 2**20, timeout=30.0, delay=0.05
            )
        self.count = 0

    @property
    def runs_written(self) -> int:  # full pools kept in files until the segment is written
        return len(getattr(self._writer, "runs", ()))

    def add(self, release: Release) -> None:
        """Adds a release known not to be in the index yet."""
        self._writer.add_document(**document_for(release))
        self.count += 1

    def update(self, release: Release) -> None:
        """Adds or replaces a release."""
        self._writer.update_document(**document_for(release))
        self.count += 1

    def delete(self, release_id: int) -> None:
        self._writer.delete_by_term("id", release_id)
        self.count += 1

    def commit(self) -> None:
        try:
            self._writer.commit()
        except (OSError, ArchiveError):
            raise
        except Exception as e:  # merging segments read a damaged one
            self._owner.mark_damaged(f"{type(e).__name__}: {e}")
            raise IndexDamagedError(self._owner.damaged or "") from None
        finally:
            if self._bulk:
                return_freed_memory()
        self._owner._committed()

    def cancel(self) -> None:
        try:
            try:
                self._writer.cancel()
            except OSError:
                # Closing the cancelled segment's files writes what they buffer, which fails
                # as the write did when the disk is full: none of it is kept, so the writer is
                # finished without it (its lock released), and the error that made the caller
                # cancel is the one reported.
                with contextlib.suppress(Exception):
                    self._writer.pool.cleanup()
                with contextlib.suppress(Exception):
                    self._writer._finish()
                if isinstance(self._writer, pool.PoolSegmentWriter):
                    self._writer.remove_files()
        finally:
            # Whoosh's multi-process writer only flags its indexing processes as cancelled in
            # this process; they would wait on their job queue for ever (and a process waits
            # for such children when it exits). Stop them.
            for task in getattr(self._writer, "tasks", ()):
                if task.is_alive():
                    task.terminate()
                task.join(timeout=10)

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.cancel()

"""Indexing an import in a process of its own, beside the storing.

An import stores releases in SQLite batch by batch, then indexes them, then finds reused
paragraphs and versions: each step on one core. On a machine with two cores or more, a big
import hands the indexing to one child process instead. The child opens the SQLite file
read-only and the index with a writer (it holds the index's lock), and adds each batch's
recorded index work while the import stores the next; when the storing is done, the child
writes the index (merging its runs into one segment) while the import finds paragraphs and
versions. The import then clears the work the child committed, as an in-process commit does.

Nothing changes for a stop: the work stays recorded in SQLite until the child's commit, so an
import, or a child, killed half-way leaves work that the next opening applies (`repair`), and
a child that fails says so to the import, which reports it as its own writer's failure would
be. The child ends when the importing process ends, and is never left behind.

Messages: the import sends ("add", up-to sequence number, new ids) with at most one
unanswered at a time (the ids of batches stored meanwhile wait and go together, so that the
pipe never fills while the child is busy), then ("commit",); closing the pipe, or any other
message, cancels (nothing is committed). The child answers ("ready",), ("progress",
releases done), ("added", releases done) and, at the end, ("committed", sequence number,
timings), ("cancelled",), or a failure: ("oserror", errno, text), ("damaged", reason),
("error", text).
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing as mp
import os
import signal
import time
import traceback
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from archive_browser.core.archive.base import ArchiveBase, add_recorded_work
from archive_browser.core.errors import ArchiveError, IndexDamagedError
from archive_browser.core.index import SearchIndex
from archive_browser.core.store import Store

#: Imports of files of at least this many bytes in all index in a child process; None: none
#: do yet. Measured at 100,000 benchmark releases (the first version of this module): the whole
#: job's rate against FTS5's went from 0.12x to 0.19x, but the import's process tree peaked at
#: 653 MB (448 indexing here; the target is 500), the child's pool and the import's own steps
#: holding memory at once. It is switched on once that peak is bounded; the tests set it to 0.
INDEX_PROCESS_BYTES: int | None = None
#: How often the child looks whether the importing process still runs, and sends progress
#: (seconds).
CHECK_S = 0.5
#: How long the import waits for the child's start before it indexes itself (seconds).
START_TIMEOUT_S = 60.0


class IndexProcessError(ArchiveError):
    """The indexing process failed or stopped: nothing of its work was committed (it stays
    recorded, and the next opening applies it)."""


def wanted(size: int) -> bool:
    """Whether an import of `size` bytes of files indexes in a child process."""
    limit = INDEX_PROCESS_BYTES
    return limit is not None and size >= limit and (os.cpu_count() or 1) >= 2


def _serve(conn: Connection, db_path: str, index_path: str, folder: str, parent: int) -> None:
    """The child: adds the recorded work it is told of, then commits (or cancels)."""
    # Ctrl+C reaches the whole process group: the import decides what happens, not this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def tell(*message: object) -> None:
        try:
            conn.send(message)
        except OSError:  # the pipe is broken: the import's process is gone
            raise EOFError from None

    store: Store | None = None
    index: SearchIndex | None = None
    writer = None
    try:
        store = Store(Path(db_path), readonly=True)
        index = SearchIndex.open(Path(index_path), inside=Path(folder))
        writer = index.writer(bulk=True)
        tell("ready")
        new: set[int] = set()
        seen: set[int] = set()
        applied = 0
        started = time.perf_counter()
        adding = 0.0
        while True:
            while not conn.poll(CHECK_S):
                if os.getppid() != parent:
                    raise EOFError  # the import's process is gone
            message = conn.recv()
            if message[0] == "add":
                t0 = time.perf_counter()
                _, upto, ids = message
                new.update(ids)
                rows = [(s, r) for s, r in store.pending(after=applied) if s <= upto]
                last = time.monotonic()
                for _done, _total, seq in add_recorded_work(store, writer, rows, new, seen):
                    applied = seq
                    if time.monotonic() - last >= CHECK_S:
                        last = time.monotonic()
                        tell("progress", len(seen))
                applied = max(applied, upto)
                adding += time.perf_counter() - t0
                tell("added", len(seen))
            elif message[0] == "commit":
                t0 = time.perf_counter()
                committing, writer = writer, None
                committing.commit()
                timings = {
                    "index_add": adding,
                    "index_commit": time.perf_counter() - t0,
                    "index_process": time.perf_counter() - started,
                }
                tell("committed", applied, timings)
                return
            else:
                raise EOFError
    except EOFError:  # told to stop, or the import's process is gone: nothing is committed
        _cancel(writer)
        with contextlib.suppress(OSError, EOFError):
            tell("cancelled")
    except OSError as e:
        _cancel(writer)
        with contextlib.suppress(EOFError):
            tell("oserror", e.errno or errno.EIO, str(e))
    except IndexDamagedError as e:
        with contextlib.suppress(EOFError):
            tell("damaged", str(e))
    except BaseException as e:
        _cancel(writer)
        with contextlib.suppress(EOFError):
            tell("error", f"{type(e).__name__}: {e}\n{traceback.format_exc()}")
    finally:
        if index is not None:
            index.close()
        if store is not None:
            store.close()
        conn.close()


def _cancel(writer: Any) -> None:
    if writer is not None:
        with contextlib.suppress(Exception):
            writer.cancel()


class IndexProcess:
    """The import's side of one indexing child (see the module's docstring)."""

    def __init__(self, archive: ArchiveBase, index: SearchIndex) -> None:
        self._archive = archive
        self._index = index
        ctx = mp.get_context("spawn")
        self._conn, child = ctx.Pipe()
        store = archive.store
        self._process: BaseProcess = ctx.Process(
            target=_serve,
            args=(child, str(store.path), str(index.path), str(archive.folder), os.getpid()),
            name="archive-index",
            daemon=True,
        )
        self._process.start()
        child.close()
        self._ready = False
        self._busy = False  # an "add" is unanswered
        self._ids: list[int] = []  # new ids not sent yet
        self._upto = 0  # the work recorded up to this sequence number is to be sent
        self._sent = 0
        #: Releases the child has added so far.
        self.done = 0
        #: The child's seconds of adding, of writing the index, and in all (once committed).
        self.timings: dict[str, float] = {}

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def feed(self, upto: int, new_ids: Sequence[int]) -> None:
        """Has the child index the work recorded up to `upto` (committed by now); `new_ids`
        are releases not yet in the index. Never waits for the child."""
        self._ids.extend(new_ids)
        self._upto = max(self._upto, upto)
        self._pump()

    def _pump(self, wait: float = 0.0) -> None:
        """Reads what the child sent (waiting up to `wait` seconds for it) and, when it is
        idle, sends it the work that waits."""
        while True:
            with self._talking():
                if not self._conn.poll(wait):
                    break
                message = self._conn.recv()
            wait = 0.0
            self._answer(message)
        if not self._process.is_alive():
            raise self._gone()
        if self._ready and not self._busy and self._upto > self._sent:
            with self._talking():
                self._conn.send(("add", self._upto, self._ids))
            self._sent, self._ids, self._busy = self._upto, [], True

    @contextlib.contextmanager
    def _talking(self) -> Iterator[None]:
        """The pipe to the child broke: it is gone."""
        try:
            yield
        except (EOFError, OSError) as e:
            raise self._gone() from e

    def _gone(self) -> IndexProcessError:
        self._process.join(timeout=5)
        return IndexProcessError(
            f"The indexing process stopped unexpectedly (exit code {self._process.exitcode})."
        )

    def _answer(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "ready":
            self._ready = True
        elif kind == "progress":
            self.done = message[1]
        elif kind == "added":
            self.done, self._busy = message[1], False
        elif kind == "oserror":
            raise OSError(message[1], f"indexing: {message[2]}")
        elif kind == "damaged":
            self._index.mark_damaged(message[1])
            raise IndexDamagedError(message[1])
        elif kind == "error":
            raise IndexProcessError(f"Indexing failed: {message[1]}")
        elif kind == "cancelled":
            raise IndexProcessError("The indexing process stopped before it committed.")

    def finish(self) -> Iterator[int]:
        """Sends the work that waits, then has the child write the index; yields how many
        releases the child added, about every half second, until it committed; then clears
        the work it committed, as `commit_index` does. Raises OSError for a full disk,
        IndexDamagedError, or IndexProcessError; the work stays recorded then."""
        started = time.monotonic()
        while not self._ready:
            self._pump(CHECK_S)
            if not self._ready and time.monotonic() - started > START_TIMEOUT_S:
                raise IndexProcessError("The indexing process did not start.")
            yield self.done
        while self._busy or self._upto > self._sent:
            self._pump(CHECK_S)
            yield self.done
        with self._talking():
            self._conn.send(("commit",))
        while True:
            with self._talking():
                message = self._conn.recv() if self._conn.poll(CHECK_S) else None
            if message is not None:
                if message[0] == "committed":
                    break
                self._answer(message)
            elif not self._process.is_alive():
                raise self._gone()
            yield self.done
        _, applied, self.timings = message
        self._process.join(timeout=30)
        self._archive.applied_seq = applied
        self._archive.store.clear_pending(applied)
        self._index._committed()

    def poll(self) -> None:
        """Reads the child's progress and sends it what waits (between other steps)."""
        self._pump()

    def close(self) -> None:
        """Stops the child if it still runs (nothing it did not commit is kept)."""
        with contextlib.suppress(OSError):
            self._conn.close()  # its recv ends, and with it the child (cancelling)
        self._process.join(timeout=30)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout=5)


def start(archive: ArchiveBase, index: SearchIndex) -> IndexProcess | None:
    """An indexing child for this import, or None when one cannot be started (the import
    then indexes in its own process, as small imports do)."""
    try:
        return IndexProcess(archive, index)
    except (OSError, ValueError, AssertionError):  # no processes here (a sandbox, a daemon)
        return None

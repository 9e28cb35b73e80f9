"""Running a long archive job in a child process, and the jobs the program runs there.

Indexing is pure Python: run on a thread of the window's process, it holds the GIL for long
stretches (Whoosh sorts its postings in one C call) and the window stops repainting. In a child
process it cannot. The child opens the same archive under the parent's write lock (the parent
does not write meanwhile), runs the job and sends its progress, then its result, through a
pipe; cancelling is a message back. Start method "spawn": the parent has threads.

A task is a top-level function `task(archive, *args) -> Job[T]` (the child finds it by its
module and name, so it cannot be a lambda or a nested function). This module sits above the
facade and the exporters: neither imports it.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, TypeVar

from archive_browser.core import importers
from archive_browser.core.archive import Archive
from archive_browser.core.errors import ArchiveError, CancelledError, UserFacingError
from archive_browser.core.export import ExportReport, export_releases
from archive_browser.core.jobs import Job, Progress, cancel
from archive_browser.core.reports import ImportReport

T = TypeVar("T")

#: The progress sent at most this often, and a heartbeat at least this often, in seconds.
PROGRESS_INTERVAL = 0.05
#: How much lower the job process's priority is than the window's (POSIX `nice`).
JOB_NICENESS = 5
#: The highest niceness there is (POSIX): a window already this nice cannot have a job below it
#: by niceness alone.
MAX_NICENESS = 19


class ChildJobError(ArchiveError):
    """A job failed in its child process; the message holds the child's traceback."""


# --- the tasks ----------------------------------------------------------------------------------


def import_task(
    archive: Archive, paths: Sequence[Path | str], options: importers.ImportOptions | None = None
) -> Job[ImportReport]:
    """Imports files and folders (see Archive.import_paths)."""
    return archive.import_paths(paths, options)


def repair_task(archive: Archive) -> Job[None]:
    """Brings the index up to date (see Archive.repair)."""
    return archive.repair()


def reindex_task(archive: Archive) -> Job[None]:
    """Rebuilds the index (see Archive.reindex)."""
    return archive.reindex()


def verify_task(archive: Archive) -> Job[Any]:
    """Re-hashes every kept original and logs the check (see Archive.verify)."""
    return archive.verify()


def versions_task(archive: Archive) -> Job[None]:
    """Computes the archive's versions anew (see Archive.rebuild_versions)."""
    return archive.rebuild_versions()


def paragraphs_task(archive: Archive, full: bool = False) -> Job[int]:
    """Hashes the paragraphs of releases not hashed yet (see Archive.build_paragraphs)."""
    return archive.build_paragraphs(full=full)


def export_task(
    archive: Archive,
    ids: Sequence[int],
    out: Path,
    query: str | None = None,
    highlight: str | None = None,
) -> Job[ExportReport]:
    """Writes releases to a file (see export.export_releases); reads the archive only."""
    return export_releases(archive, ids, out, query=query, highlight=highlight)


# --- running one --------------------------------------------------------------------------------


def run_in_process(
    archive: Archive, task: Callable[..., Job[T]], *args: Any, readonly: bool = False
) -> Job[T]:
    """A job that runs `task(child's archive, *args)` in a child process, relaying its
    progress, cancel and result. A writing task (`readonly` False) runs under this process's
    write lock, and this process reopens the index after it; a reading one opens the archive
    read-only and may run while this process writes."""
    _check_task(task)
    if readonly:
        return (yield from _relay(task, archive.folder, args, readonly=True))
    archive.require_writable()
    with archive.write_lock:
        # The child writes SQLite and the index under this process's lock; nothing here
        # writes meanwhile.
        result = yield from _relay(
            task, archive.folder, args, readonly=False, after=archive.reload_index
        )
    return result


def _check_task(task: Callable[..., Any]) -> None:
    qualname = getattr(task, "__qualname__", "")
    if "<" in qualname or "." in qualname or not getattr(task, "__module__", None):
        raise TypeError(
            f"run_in_process needs a top-level function, not {qualname or task!r}: "
            "the child process finds it by module and name"
        )


def _child(
    conn: Connection,
    task: Callable[..., Job[Any]],
    folder: str,
    readonly: bool,
    args: tuple[Any, ...],
) -> None:
    """The child process: runs one task on the archive and reports through `conn`."""
    archive = None
    # The parent starts this process as a daemon (it must not outlive the window), and Python
    # forbids daemons children of their own; but indexing may use Whoosh's writer processes,
    # which this process starts, waits for and stops itself.
    mp.current_process().daemon = False
    lower_priority()
    try:
        if readonly:
            archive = Archive.open(Path(folder), readonly=True)
        else:
            archive = Archive.open(Path(folder), locked_by_parent=True)
        job = task(archive, *args)
        last = 0.0
        while True:
            if conn.poll() and conn.recv() == "cancel":
                conn.send(("done", cancel(job)))
                return
            try:
                progress = next(job)
            except StopIteration as stop:
                conn.send(("done", stop.value))
                return
            now = time.monotonic()
            if now - last >= PROGRESS_INTERVAL:
                last = now
                conn.send(("progress", progress))
    except BaseException as e:  # everything goes back to the parent
        conn.send(("error", (isinstance(e, UserFacingError), str(e), traceback.format_exc())))
    finally:
        if archive is not None:
            archive.close()
        conn.close()


def lower_priority() -> None:
    """Puts this process second in line for the processor, behind the window the user is
    typing into: JOB_NICENESS steps nicer than it was, or, where niceness cannot go lower
    (the window itself runs at nice 15 or more, as under a benchmark's `nice -n 19`, and the
    job would run level with it), Linux's idle scheduling class."""
    if not hasattr(os, "nice"):
        return
    before = os.nice(0)
    os.nice(JOB_NICENESS)
    if before + JOB_NICENESS > MAX_NICENESS and hasattr(os, "SCHED_IDLE"):
        # (A platform or sandbox that refuses it leaves the job at the highest niceness.)
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))


def _relay(
    task: Callable[..., Job[T]],
    folder: Path,
    args: tuple[Any, ...],
    *,
    readonly: bool,
    after: Callable[[], None] | None = None,
) -> Job[T]:
    """Starts the child and relays what it sends; `after` runs here once the child is done."""
    name = task.__name__.removesuffix("_task")
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(
        target=_child,
        args=(child, task, str(folder), readonly, args),
        name=f"archive-{name}",
        daemon=True,
    )
    process.start()
    child.close()
    last = Progress(0, 0, "Starting…")
    try:
        try:
            while True:
                if parent.poll(PROGRESS_INTERVAL):
                    tag, payload = parent.recv()
                    if tag == "progress":
                        last = payload
                    elif tag == "done":
                        return payload  # type: ignore[no-any-return]
                    else:
                        user_facing, message, details = payload
                        if user_facing:
                            raise UserFacingError(message)
                        raise ChildJobError(f"{message}\n\nIn the job's process:\n{details}")
                elif not process.is_alive():
                    raise ArchiveError(
                        f"The {name} process stopped unexpectedly (exit code {process.exitcode})."
                    )
                yield last  # also a heartbeat, so that a cancel is noticed
        except (CancelledError, GeneratorExit) as stop:
            parent.send("cancel")
            while process.is_alive() or parent.poll():
                if parent.poll(0.5):
                    tag, payload = parent.recv()
                    if tag == "done":
                        if isinstance(stop, GeneratorExit):
                            raise
                        return payload  # type: ignore[no-any-return]
                    if tag == "error":
                        break
            if isinstance(stop, GeneratorExit):
                raise
            return None  # type: ignore[return-value]
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
        parent.close()
        if after is not None:
            after()

"""Running a long archive job in a child process.

Indexing is pure Python: run on a thread of the window's process, it holds the GIL for long
stretches (Whoosh sorts its postings in one C call) and the window stops repainting. In a child
process it cannot. The child opens the same archive under the parent's write lock (the parent
does not write meanwhile), runs the job and sends its progress, then its result, through a
pipe; cancelling is a message back. Start method "spawn": the parent has threads.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from archive_browser.core.errors import ArchiveError, CancelledError, UserFacingError
from archive_browser.core.jobs import Job, Progress, cancel

#: The progress sent at most this often, and a heartbeat at least this often, in seconds.
PROGRESS_INTERVAL = 0.05


class ChildJobError(ArchiveError):
    """A job failed in its child process; the message holds the child's traceback."""


#: How much lower the job process's priority is than the window's (POSIX `nice`).
JOB_NICENESS = 5

#: Jobs that only read the archive: their child opens it read-only.
READING_JOBS = frozenset({"export"})


def _make_job(kind: str, archive: Any, args: tuple[Any, ...]) -> Job[Any]:
    if kind == "export":
        from archive_browser.core.export import export_releases

        ids, out, query, highlight = args
        return export_releases(archive, ids, out, query=query, highlight=highlight)
    if kind == "import":
        return archive.import_paths(*args)
    if kind == "reindex":
        return archive.reindex()
    if kind == "repair":
        return archive.repair()
    raise ValueError(f"unknown job {kind!r}")


def _child(conn: Connection, kind: str, folder: str, args: tuple[Any, ...]) -> None:
    """The child process: runs one job on the archive and reports through `conn`."""
    from archive_browser.core.archive import Archive

    archive = None
    # The parent starts this process as a daemon (it must not outlive the window), and Python
    # forbids daemons children of their own; but indexing may use Whoosh's writer processes,
    # which this process starts, waits for and stops itself.
    mp.current_process().daemon = False
    # Second in line for the processor: the window the user is typing into comes first.
    if hasattr(os, "nice"):
        os.nice(JOB_NICENESS)
    try:
        if kind in READING_JOBS:
            archive = Archive.open(Path(folder), readonly=True)
        else:
            archive = Archive.open(Path(folder), locked_by_parent=True)
        job = _make_job(kind, archive, args)
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


def run_in_process(
    kind: str, folder: Path, args: tuple[Any, ...] = (), after: Callable[[], None] | None = None
) -> Job[Any]:
    """A job that runs `kind` ("import", "reindex", "repair", "export") on the archive in
    `folder` in a child process, relaying its progress; `after` runs in the parent once the
    child is done."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    process = ctx.Process(
        target=_child, args=(child, kind, str(folder), args), name=f"archive-{kind}", daemon=True
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
                        return payload
                    else:
                        user_facing, message, details = payload
                        if user_facing:
                            raise UserFacingError(message)
                        raise ChildJobError(f"{message}\n\nIn the job's process:\n{details}")
                elif not process.is_alive():
                    raise ArchiveError(
                        f"The {kind} process stopped unexpectedly (exit code {process.exitcode})."
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
                        return payload
                    if tag == "error":
                        break
            if isinstance(stop, GeneratorExit):
                raise
            return None
    finally:
        process.join(timeout=30)
        if process.is_alive():
            process.terminate()
            process.join(timeout=5)
        parent.close()
        if after is not None:
            after()

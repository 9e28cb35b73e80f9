"""Searches of a big archive answered by a process of their own, so that they never hold the
window's interpreter.

A search of many thousands of releases is pure Python (Whoosh scoring, facet counts, snippets)
and, on a read thread of the window's process, takes the interpreter lock from the window for
tens of milliseconds at a time: the window misses repaints and keys. `SearchProcess` starts one
child process that opens the archive read-only and answers searches and snippets over a pipe;
the caller (a read thread) waits on the pipe, which holds no lock. The child runs behind the
window for the processor (JOB_NICENESS steps nicer). It sees what other processes commit
(SQLite in WAL mode, Whoosh's searcher reopened when the index has a newer generation); the
facet counts, which it keeps in memory, are read again when the caller's `data_generation`
says the archive changed. After a job that may have replaced the index (`restart`), and after
any failure, the next call starts a fresh child; a caller that gets `None` (not ready yet, or it
failed) runs the search itself, as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from archive_browser.core.archive import Archive
from archive_browser.core.background import JOB_NICENESS
from archive_browser.core.index import HighlightTerms
from archive_browser.core.search import SearchSpec

#: Archives with fewer releases search on a read thread: there a search is short, and a process
#: costs a second's start and memory.
MIN_RELEASES = 5_000
#: How often the child looks whether the window's process still runs (seconds).
PARENT_CHECK_S = 1.0
#: How long a call waits for its answer before the child is taken for stuck (seconds).
ANSWER_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class Answer:
    """What a search found, as the results, facets and reader need it."""

    total: int
    ids: list[int]
    scores: list[float]
    terms: HighlightTerms
    facets: dict[str, list[tuple[str, int]]]


def search_answer(archive: Archive, spec: SearchSpec) -> Answer:
    """Runs a search with its highlight terms and facet counts (here or in the child)."""
    parsed = archive.parse(spec.query)
    results = archive.search(
        parsed,
        sort=spec.sort,
        limit=None,
        filters=spec.filters,
        first_versions=spec.first_versions,
    )
    terms = HighlightTerms() if parsed.is_everything else archive.highlight_terms(parsed)
    everything = parsed.is_everything and not spec.filters
    facets = archive.facets(None if everything else results.ids)
    return Answer(results.total, list(results.ids), list(results.scores), terms, facets)


def snippet_html(
    archive: Archive,
    ids: list[int],
    terms: HighlightTerms,
    width: int,
    marks: tuple[str, str],
) -> dict[int, str]:
    """Each release's snippet as HTML, its hits between `marks` (here or in the child)."""
    snippets = archive.snippets(ids, terms, width)
    return {i: s.html(*marks) for i, s in snippets.items()}


def _serve(conn: Connection, folder: str, parent: int) -> None:
    """The child: opens the archive read-only and answers until the pipe closes or the
    window's process (`parent`) is gone."""
    # Behind the window, but never in the idle class (background.lower_priority): a search is
    # what the user waits for, and on a busy machine an idle-class child hardly starts.
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(JOB_NICENESS)
    archive = None
    try:
        archive = Archive.open(Path(folder), readonly=True)
        conn.send(("ready", None))
        while True:
            try:
                # The window may die without closing the pipe: then this process ends too.
                while not conn.poll(PARENT_CHECK_S):
                    if os.getppid() != parent:
                        return
                request = conn.recv()
            except (EOFError, OSError):
                return
            kind, generation, args = request
            # Facet counts are cached by the archive's generation: the window's says when
            # the window (or a job it ran) changed the archive.
            archive.data_generation = generation
            try:
                if kind == "search":
                    conn.send(("done", search_answer(archive, *args)))
                else:
                    conn.send(("done", snippet_html(archive, *args)))
            except Exception as e:  # the caller runs it again itself and shows that error
                conn.send(("error", f"{type(e).__name__}: {e}"))
    except Exception:
        conn.send(("error", traceback.format_exc()))
    finally:
        if archive is not None:
            archive.close()
        conn.close()


class SearchProcess:
    """One child process answering searches of one archive; safe to call from any thread
    (calls take turns)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._ready = False
        self._closed = False
        self._failed = False  # no new child until restart(): it would fail the same way
        self._restart = False
        #: How many calls the child answered (for tests and measurements).
        self.answered = 0

    def start(self) -> None:
        """Starts the child now (it opens the archive while the window goes on)."""
        with self._lock:
            self._start()

    def _start(self) -> None:
        if self._restart:
            self._restart = self._failed = False
            self._stop()
        if self._process is not None or self._closed or self._failed:
            return
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=_serve,
            args=(child, str(self.folder), os.getpid()),
            name="archive-search",
            daemon=True,
        )
        process.start()
        child.close()
        self._process, self._conn, self._ready = process, parent, False

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process, self._conn, self._ready = None, None, False
        if conn is not None:
            conn.close()  # the child's recv ends, and with it the child
        if process is not None:
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)

    def restart(self) -> None:
        """Has the next call start a fresh child (after a job changed or replaced the index).
        Returns at once: a call under way keeps the old child until it is answered."""
        self._restart = True

    def _fail(self) -> None:
        self._stop()
        self._failed = True

    @property
    def running(self) -> bool:
        """True while a child is up (or starting)."""
        return self._process is not None

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop()

    def search(self, spec: SearchSpec, generation: int) -> Answer | None:
        """The answer, or None when the child is not ready or failed (run it yourself)."""
        answer = self._call("search", generation, (spec,))
        return answer if isinstance(answer, Answer) else None

    def snippets(
        self,
        ids: list[int],
        terms: HighlightTerms,
        width: int,
        marks: tuple[str, str],
        generation: int,
    ) -> dict[int, str] | None:
        answer = self._call("snippets", generation, (ids, terms, width, marks))
        return answer if isinstance(answer, dict) else None

    def _call(self, kind: str, generation: int, args: tuple[Any, ...]) -> Any:
        with self._lock:
            self._start()
            conn = self._conn
            if conn is None:
                return None
            try:
                if not self._ready:
                    if not conn.poll(0):
                        return None  # still opening the archive
                    tag, _payload = conn.recv()
                    if tag != "ready":
                        self._fail()
                        return None
                    self._ready = True
                conn.send((kind, generation, args))
                if not conn.poll(ANSWER_TIMEOUT_S):
                    self._fail()
                    return None
                tag, payload = conn.recv()
            except (OSError, EOFError):
                self._fail()
                return None
            if tag != "done":
                self._fail()  # the caller runs it itself and meets (and shows) the error
                return None
            self.answered += 1
            return payload

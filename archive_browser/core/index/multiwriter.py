"""Whoosh's multi-process index writer with `pool.PoolSegmentWriter`s in its processes."""

from __future__ import annotations

import contextlib
import errno
import queue
from typing import Any

from whoosh.multiproc import MpWriter, SubWriterTask

from archive_browser.core.index.pool import PoolSegmentWriter


class _PoolSubWriterTask(SubWriterTask):
    """One of `PoolMpWriter`'s indexing processes: Whoosh's, with a `PoolSegmentWriter`, and
    the segment it wrote in its result."""

    def run(self) -> None:
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = PoolSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            jobinfo = self.jobqueue.get()
            if jobinfo is None:
                break
            self._process_file(*jobinfo)
        if not self.running:
            writer.cancel()
            return
        segments = []
        if writer.docnum > 0:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        self.resultqueue.put((None, writer.pool.fieldnames, segments), timeout=5)


class PoolMpWriter(MpWriter):
    """Whoosh's multi-process writer (each process writes a segment of its own, no merge at
    commit) with `PoolSegmentWriter`s in its processes. It forks: only for a process with no
    other thread."""

    def __init__(self, ix: Any, *, procs: int, limit: int, **kwargs: Any) -> None:
        super().__init__(
            ix,
            procs=procs,
            multisegment=True,
            subargs={"limit": limit // procs, **kwargs},
            **kwargs,
        )

    def _new_task(self) -> Any:
        task = _PoolSubWriterTask(
            self.storage,
            self.indexname,
            self.jobqueue,
            self.resultqueue,
            self.subargs,
            True,
        )
        self.tasks.append(task)
        task.start()
        return task

    def _commit(self, mergetype: Any, optimize: Any, merge: Any) -> None:
        # MpWriter._commit with multisegment, each process giving a list of segments.
        if self.docbuffer:
            self._enqueue()
        for _ in self.tasks:
            self.jobqueue.put(None)
        final = self._merge_segments(mergetype, optimize, merge)
        for task in self.tasks:
            task.join()
        results = []
        for _ in self.tasks:
            with contextlib.suppress(queue.Empty):
                results.append(self.resultqueue.get(timeout=1))
        if len(results) != len(self.tasks) or any(t.exitcode for t in self.tasks):
            # Whoosh's own would commit without that process's documents. Nothing is
            # committed; the caller cancels and the work stays recorded.
            raise OSError(errno.EIO, "an indexing process stopped before it finished")
        final += [segment for _, _, segments in results for segment in segments]
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

"""Importing files into an archive: stored in SQLite batch by batch, then indexed together."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from archive_browser.core import importers
from archive_browser.core.archive.base import ArchiveBase, write_errors
from archive_browser.core.archive.index_process import IndexProcess, IndexProcessError
from archive_browser.core.archive.index_process import start as start_index_process
from archive_browser.core.archive.index_process import wanted as index_process_wanted
from archive_browser.core.archive.lineage import update_lineage
from archive_browser.core.archive.recording import FileSource, ImportRecorder
from archive_browser.core.archive.reuse import record_stored_paragraphs
from archive_browser.core.errors import CancelledError, DiskFullError, UnreadableInputError
from archive_browser.core.index import SearchIndex
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.memory import return_freed_memory
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.reports import FileOutcome, ImportMatch, ImportReport
from archive_browser.core.store import now_iso

#: Releases stored per SQLite transaction during an import: each commit writes the pages of
#: the tables' indexes it touched, all over them (at 100,000 benchmark releases, storing took
#: 25.2 s in batches of 500 and 22.1 s in batches of 2,000). The window lists what is stored
#: after each batch: about half a second of storing.
IMPORT_BATCH = 2000
#: The first batch of each file (then twice as many each time, up to IMPORT_BATCH): the first
#: releases of a file are listed after about a twentieth of a second.
FIRST_BATCH = 250


class ImportManager:
    """Imports files, folders and finished drafts into one archive."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive
        #: The indexing process of the import under way, if it has one.
        self._child: IndexProcess | None = None
        #: The last indexing process's seconds of adding, of writing the index and in all.
        self.index_timings: dict[str, float] = {}

    def import_paths(
        self, paths: Iterable[Path | str], options: importers.ImportOptions | None = None
    ) -> Job[ImportReport]:
        """Imports files and folders. Bad files are reported and skipped. Releases are stored in
        SQLite first, in batches (each committed, so a cancelled or killed import keeps every
        finished batch, and they can be listed at once), then indexed together."""
        archive = self._archive
        archive.require_writable()
        index = archive._require_index()
        options = options or importers.ImportOptions()
        given = [Path(p) for p in paths]  # read twice: discovered, and named in the batch
        files, problems = importers.discover(given)
        report = ImportReport(
            files=[
                FileOutcome(importers.shown_name(p), errors=[_shown_error(e)]) for p, e in problems
            ]
        )
        sizes = [max(1, _size(p)) for p in files]
        # One bar over the whole job: reading and storing (by bytes read) is about a fifth of
        # the work; indexing the rest, then writing the index (its last twentieth).
        read_total = float(sum(sizes))
        total = read_total * 5
        read_files = 0
        try:
            with archive.write_lock, write_errors(archive.folder):
                # Provenance: the batch, and per file its SHA-256 and kept original.
                recorder = ImportRecorder(archive, options, [str(p) for p in given])
                # A big import indexes in a process of its own, batch by batch as they are
                # stored (see archive/index_process.py); a small one after storing, here.
                if index_process_wanted(int(read_total)):
                    self._child = start_index_process(archive, index)
                try:
                    base = 0.0
                    for path, size in zip(files, sizes, strict=True):
                        outcome = FileOutcome(importers.shown_name(path))
                        shown = importers.shown_name(path.name)
                        report.files.append(outcome)
                        yield Progress(base, total, f"Reading {shown}")
                        source = recorder.file(path)
                        for read in self._import_file(path, options, outcome, source):
                            message = (
                                f"Storing {shown}: {len(outcome.imported):,} stored"
                                if outcome.imported or outcome.duplicates
                                else f"Reading {shown}"
                            )
                            yield Progress(base + min(read, size), total, message)
                        base += size
                        read_files += 1
                except CancelledError:
                    # Stop storing; what was stored is indexed before returning (no more steps).
                    recorder.finish()
                    report.cancelled = True
                    self._index_quietly(index, report)
                    for _ in record_stored_paragraphs(archive.store, report.imported_ids):
                        pass
                    return report
                except BaseException:
                    # Stopped from outside or failed: index what was stored, without progress;
                    # if even that fails, the work stays recorded for the next opening. So do
                    # the paragraphs (what is not hashed is by the job that finds missing ones).
                    self._index_quietly(index, report)
                    with contextlib.suppress(Exception):
                        for _ in record_stored_paragraphs(archive.store, report.imported_ids):
                            pass
                    recorder.finish()
                    raise
                recorder.finish()
                if self._child is None:
                    yield from self._index_stored(index, report, done=read_total, total=total)
                    yield from self._find_reuse(report, total)
                else:
                    try:
                        yield from self._beside_child(index, report, read_total, total)
                    except CancelledError:
                        # As when storing is cancelled: what was stored is indexed first.
                        report.cancelled = True
                        self._index_quietly(index, report)
                        return report
                    except BaseException:
                        self._index_quietly(index, report)
                        raise
        except DiskFullError as e:
            raise DiskFullError(self._full_disk_message(report, len(files) - read_files)) from e
        finally:
            self._drop_child()
        stored = len(report.imported_ids)
        yield Progress(total, total, f"Imported {stored:,} release{'s' if stored != 1 else ''}")
        return report

    def _find_reuse(
        self,
        report: ImportReport,
        total: float,
        beside: Callable[[], tuple[float, str]] | None = None,
    ) -> Job[None]:
        """After the rows (browsable): the paragraphs of what was stored, read back in bulk (see
        archive/reuse.py), and versions. `beside` says, at each step, where the bar is and what
        to add to the message (how far the indexing process got meanwhile); else the bar is
        full (the index is written)."""
        archive = self._archive

        def step(text: str) -> Progress:
            at, note = beside() if beside is not None else (total, "")
            return Progress(at, total, text + note)

        for done, of in record_stored_paragraphs(archive.store, report.imported_ids):
            yield step(f"Finding reused paragraphs: {done:,} of {of:,}")
        return_freed_memory()  # (the paragraphs' page cache and bodies)
        for done, of in update_lineage(archive, report.imported_ids):
            yield step(f"Finding versions: {done:,} of {of:,}")

    def _beside_child(
        self, index: SearchIndex, report: ImportReport, done: float, total: float
    ) -> Job[None]:
        """The end of an import whose indexing process indexed the batches as they were
        stored: paragraphs and versions here while it catches up, then its index commit. If
        the process fails (other than for a full disk or a damaged index, which are reported
        as the import's own), this process indexes instead."""
        of = max(1, len(report.imported_ids))
        span = total * 0.95 - done
        reached = done  # the bar never goes back

        def beside() -> tuple[float, str]:
            nonlocal reached
            child = self._child
            if child is None:
                return reached, ""
            try:
                child.poll()
            except IndexProcessError:
                self._drop_child()
                return reached, ""
            reached = max(reached, done + span * min(1.0, child.done / of))
            return reached, f"; indexed {min(child.done, of):,} of {of:,}"

        yield from self._find_reuse(report, total, beside)
        child = self._child
        if child is not None:
            try:
                for count in child.finish():
                    part = min(1.0, count / of)
                    message = (
                        f"Indexing {part:.0%}: {count:,} of {of:,}"
                        if part < 1
                        else "Indexing: writing the index"
                    )
                    reached = max(reached, done + span * part)
                    yield Progress(reached, total, message)
                self.index_timings = child.timings
                self._drop_child()
                return
            except IndexProcessError:
                self._drop_child()  # nothing of its work was committed: done here instead
        yield from self._index_stored(index, report, done=done, total=total)

    def _index_quietly(self, index: SearchIndex, report: ImportReport) -> None:
        """Indexes what was stored when an import stops: by the indexing process if there is
        one and it can, else here; a failure leaves the work recorded for the next opening."""
        child = self._child
        if child is not None:
            try:
                for _ in child.finish():
                    pass
                return
            except Exception:
                pass  # nothing of its work was committed: indexed here instead
            finally:
                self._drop_child()
        for _ in self._index_stored(index, report, quietly=True):
            pass

    def _drop_child(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.close()

    def _full_disk_message(self, report: ImportReport, unread: int) -> str:
        """What a full disk left of an import: what was stored, what was not."""
        archive = self._archive
        stored = len(report.imported_ids)
        try:
            pending = archive.store.pending_count()
        except (sqlite3.Error, OSError):  # a full disk may stop reading too: say what is sure
            pending = 1
        index = (
            "the index could not be brought up to date and will be when there is room"
            if pending
            else "they are all in the index"
        )
        files = f"{unread:,} file{'s were' if unread != 1 else ' was'} not read (or not to the end)"
        return (
            f"The disk is full: {archive.folder} could not be written further. "
            f"{stored:,} release{'s were' if stored != 1 else ' was'} stored; {files}; "
            f"{index}. Free some space and import again: what was stored is recognised and "
            "not stored twice."
        )

    def add_releases(self, drafts: Sequence[ReleaseDraft]) -> tuple[list[int], list[int]]:
        """Stores finished drafts (e.g. after the user corrected a proposed split); returns
        (new ids, ids of releases that were already stored)."""
        archive = self._archive
        archive.require_writable()
        outcome = FileOutcome("")
        with archive.write_lock:
            # Provenance: each draft's file is looked up by its orig_path (a text file split
            # by hand).
            paths = sorted({d.orig_path for d in drafts if d.orig_path})
            recorder = ImportRecorder(archive, importers.ImportOptions(), paths)
            source = recorder.file(None)
            self._insert_drafts(drafts, outcome, source)
            source.finish()
            recorder.finish()
            for _ in record_stored_paragraphs(archive.store, outcome.imported):
                pass
            archive.sync_index()
            for _ in update_lineage(archive, outcome.imported):
                pass
        return outcome.imported, outcome.duplicates

    def _index_stored(
        self,
        index: SearchIndex,
        report: ImportReport,
        *,
        done: float = 0,
        total: float = 0,
        quietly: bool = False,
    ) -> Iterator[Progress]:
        """Indexes what an import stored (and any other recorded work), committing once."""
        archive = self._archive
        new = frozenset(report.imported_ids)
        archive.applied_seq = 0
        # One process: the compact pool made it as fast as two (5,000 releases on a loaded
        # 2-core machine: 26.7 s against 22.9 s), and each forked writer process counts the
        # importing process's memory again (a 602 MB tree at 5,000 releases with two).
        writer = index.writer(bulk=True)
        try:
            span = total * 0.95 - done
            for count, of in archive.add_pending(writer, new):
                if not quietly:
                    part = count / max(1, of)
                    yield Progress(
                        done + span * part, total, f"Indexing {part:.0%}: {count:,} of {of:,}"
                    )
            if not quietly:
                yield Progress(total * 0.95, total, "Indexing: writing the index")
        except CancelledError:
            report.cancelled = True  # what was added is committed below; the rest is recorded
        except BaseException:
            writer.cancel()
            archive.applied_seq = 0
            if quietly:
                return
            raise
        try:
            archive.commit_index(writer)
        except BaseException:
            writer.cancel()
            archive.applied_seq = 0
            if not quietly:
                raise

    def _import_file(
        self,
        path: Path,
        options: importers.ImportOptions,
        outcome: FileOutcome,
        source: FileSource,
    ) -> Iterator[int]:
        """Stores the releases of one file in batches; yields about how many bytes of it were
        read so far (the bytes of the texts read), every few releases."""
        batch: list[ReleaseDraft] = []
        read = 0
        # The first batches are smaller, so that the first releases are listed soon.
        size = min(FIRST_BATCH, IMPORT_BATCH)
        try:
            for item in importers.read_file(path, options):
                if isinstance(item, importers.RowError):
                    outcome.errors.append(_shown_error(f"{item.where}: {item.error}"))
                    continue
                batch.append(item)
                read += len(item.body.encode("utf-8", "replace")) + len(item.title) + 1
                if len(batch) >= size:
                    self._insert_drafts(batch, outcome, source)
                    batch = []
                    size = min(2 * size, IMPORT_BATCH)
                if len(batch) % 50 == 0:
                    yield read
        except UnreadableInputError as e:
            outcome.errors.append(_shown_error(str(e)))
        if batch:
            self._insert_drafts(batch, outcome, source)
        source.finish()
        yield read

    def _insert_drafts(
        self, drafts: Sequence[ReleaseDraft], outcome: FileOutcome, source: FileSource
    ) -> list[int]:
        """Stores drafts in one transaction; records new ids, skipped copies and possible
        duplicates, and where each came from. (Their paragraphs are hashed after the import
        stored everything: see record_stored_paragraphs.)"""
        store = self._archive.store
        new: list[int] = []
        placed: list[tuple[ReleaseDraft, int, bool]] = []
        with store.transaction():
            results = store.place_releases(drafts, stamp=now_iso())
            for draft, (release_id, matched, kind) in zip(drafts, results, strict=True):
                if release_id is not None:
                    new.append(release_id)
                    placed.append((draft, release_id, True))
                elif matched is not None:
                    outcome.duplicates.append(matched)
                    placed.append((draft, matched, False))
                if matched is not None:
                    where = outcome.path or draft.orig_path
                    outcome.matches.append(
                        ImportMatch(where, draft.title, release_id, matched, kind)
                    )
            store.add_sources(source.placed(placed))
        outcome.imported.extend(new)
        self._archive.data_generation += 1
        if self._child is not None:
            try:
                self._child.feed(store.last_pending(), new)
            except IndexProcessError:
                self._drop_child()  # the import indexes at its end instead
        return new


def _shown_error(error: str) -> str:
    return importers.shown_name(error)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

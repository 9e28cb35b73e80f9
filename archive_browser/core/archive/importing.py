"""Importing files into an archive: stored in SQLite batch by batch, then indexed together."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from archive_browser.core import importers
from archive_browser.core.archive.base import ArchiveBase, indexing_procs, write_errors
from archive_browser.core.errors import CancelledError, UnreadableInputError
from archive_browser.core.index import SearchIndex
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.reports import FileOutcome, ImportReport
from archive_browser.core.store import now_iso
from archive_browser.core.textnorm import checksum

#: Releases stored per SQLite transaction during an import.
IMPORT_BATCH = 500


class ImportManager:
    """Imports files, folders and finished drafts into one archive."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

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
        files, problems = importers.discover(Path(p) for p in paths)
        report = ImportReport(files=[FileOutcome(str(p), errors=[e]) for p, e in problems])
        sizes = [max(1, _size(p)) for p in files]
        # Reading and storing is about a fifth of the work; indexing the rest.
        total = float(sum(sizes)) * 5
        done = 0.0
        with archive.write_lock, write_errors(archive.folder):
            try:
                for path, size in zip(files, sizes, strict=True):
                    outcome = FileOutcome(str(path))
                    report.files.append(outcome)
                    yield Progress(done, total, f"Reading {path.name}")
                    for read, stored in self._import_file(path, options, outcome):
                        # The characters read so far stand for the file's bytes read.
                        said = f": {len(outcome.imported):,} stored" if stored else ""
                        yield Progress(
                            done + min(read, size) * 0.98, total, f"Reading {path.name}{said}"
                        )
                    done += size
                    yield Progress(done, total, f"Read {path.name}")
            except CancelledError:
                # Stop storing; what was stored is indexed before returning (no more steps).
                report.cancelled = True
                for _ in self._index_stored(index, report, quietly=True):
                    pass
                return report
            except BaseException:
                # Stopped from outside or failed: index what was stored, without progress;
                # if even that fails, the work stays recorded for the next opening.
                for _ in self._index_stored(index, report, quietly=True):
                    pass
                raise
            yield from self._index_stored(index, report, done=done, total=total)
        return report

    def add_releases(self, drafts: Sequence[ReleaseDraft]) -> tuple[list[int], list[int]]:
        """Stores finished drafts (e.g. after the user corrected a proposed split); returns
        (new ids, ids of releases that were already stored)."""
        archive = self._archive
        archive.require_writable()
        outcome = FileOutcome("")
        with archive.write_lock:
            self._insert_drafts(drafts, outcome)
            archive.sync_index()
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
        writer = index.writer(bulk=True, procs=indexing_procs(len(new)))
        try:
            for count, of in archive.add_pending(writer, new):
                if not quietly:
                    share = (total - done) * 0.9 * count / max(1, of)
                    yield Progress(done + share, total, f"Indexed {count:,} of {of:,}")
            if not quietly:
                yield Progress(total * 0.95, total, "Writing the index")
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
        self, path: Path, options: importers.ImportOptions, outcome: FileOutcome
    ) -> Iterator[tuple[int, bool]]:
        """Stores the releases of one file in batches; yields, every few releases read and
        after each batch stored, how many characters were read so far and whether a batch was
        just stored."""
        batch: list[ReleaseDraft] = []
        read = 0
        try:
            for item in importers.read_file(path, options):
                if isinstance(item, importers.RowError):
                    outcome.errors.append(f"{item.where}: {item.error}")
                    continue
                batch.append(item)
                read += len(item.title) + len(item.summary) + len(item.body) + len(item.url)
                if len(batch) >= IMPORT_BATCH:
                    self._insert_drafts(batch, outcome)
                    batch = []
                    yield read, True
                elif len(batch) % 50 == 0:
                    yield read, False
        except UnreadableInputError as e:
            outcome.errors.append(str(e))
        if batch:
            self._insert_drafts(batch, outcome)
            yield read, True

    def _insert_drafts(self, drafts: Sequence[ReleaseDraft], outcome: FileOutcome) -> list[int]:
        """Stores drafts in one transaction; records new ids and known duplicates."""
        store = self._archive.store
        stamp = now_iso()
        new: list[int] = []
        with store.transaction():
            for draft in drafts:
                release_id = store.insert_release(draft, stamp=stamp)
                if release_id is not None:
                    new.append(release_id)
                    continue
                existing = store.id_for_checksum(checksum(draft.body))
                if existing is not None:
                    outcome.duplicates.append(existing)
        outcome.imported.extend(new)
        self._archive.data_generation += 1
        return new


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0

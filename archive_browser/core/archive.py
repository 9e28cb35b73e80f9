"""The archive facade: the one way the GUI and the CLI read and change a user's archive.

An archive is a folder holding `archive.sqlite3` (the only source of truth) and an index folder
derived from it. Every change is committed to SQLite together with a record of the index work
it needs (`index_queue`); that work is then applied to the index and cleared. When the program
stops between the two commits, the work is still recorded and `repair()` applies it, so the
index is never left silently behind. An index that is missing, damaged or of an older format is
rebuilt from SQLite into a new folder, which is swapped in only when complete.

One process at a time may open an archive for writing (a lock file guards it); any number may
open it read-only. Inside a process, writes are serialised; SQLite connections and index
searchers are kept per thread.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from archive_browser.core import importers
from archive_browser.core.errors import (
    ArchiveError,
    ArchiveFormatError,
    ArchiveLockedError,
    CancelledError,
    IndexDamagedError,
    ReadOnlyArchiveError,
    UnreadableInputError,
    UserFacingError,
    write_error,
)
from archive_browser.core.facets import FacetCounts
from archive_browser.core.index import (
    HighlightTerms,
    IndexUnavailable,
    IndexWriter,
    ParsedQuery,
    SearchIndex,
    Snippet,
    contains_forms,
    make_snippet,
    match_spans,
)
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import EDITABLE_FIELDS, Release, ReleaseDraft
from archive_browser.core.process_jobs import READING_JOBS, run_in_process
from archive_browser.core.search import Filter, SavedSearch, SearchSpec
from archive_browser.core.store import APPLICATION_ID, SCHEMA_VERSION, Store, clean_tag, now_iso
from archive_browser.core.textnorm import checksum, clean_text, one_line

DB_NAME = "archive.sqlite3"
LOCK_NAME = "archive.lock"
INDEX_PREFIX = "index"
BACKUP_DIR = "backups"
#: Releases stored per SQLite transaction during an import.
IMPORT_BATCH = 500
#: Imports that store at least this many releases index them in two processes (see
#: SearchIndex.writer), when this process has no other thread.
MULTIPROCESS_INDEXING = 2000
#: Snippets are cut from this many characters at the start of a release.
SNIPPET_SCAN = 20_000


class IndexNotReadyError(UserFacingError):
    """The index must be rebuilt or brought up to date before searching."""


@dataclass(frozen=True, slots=True)
class SearchResults:
    """Ids of the releases matching a query, in order, with the total count."""

    query: ParsedQuery
    total: int
    ids: list[int]
    scores: list[float]


@dataclass(slots=True)
class FileOutcome:
    """What importing one file gave."""

    path: str
    imported: list[int] = field(default_factory=list)
    duplicates: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.errors)


@dataclass(slots=True)
class ImportReport:
    """What an import gave, file by file."""

    files: list[FileOutcome] = field(default_factory=list)
    cancelled: bool = False

    @property
    def imported_ids(self) -> list[int]:
        return [i for f in self.files for i in f.imported]

    @property
    def duplicate_ids(self) -> list[int]:
        return [i for f in self.files for i in f.duplicates]

    @property
    def failures(self) -> list[tuple[str, str]]:
        return [(f.path, e) for f in self.files for e in f.errors]

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": len(self.imported_ids),
            "duplicates": len(self.duplicate_ids),
            "failed": [{"path": p, "error": e} for p, e in self.failures],
            "ids": self.imported_ids,
            "cancelled": self.cancelled,
        }


@dataclass(frozen=True, slots=True)
class BackupReport:
    """Where a backup was written."""

    path: Path
    bytes: int
    releases: int

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "releases": self.releases}


@dataclass(frozen=True, slots=True)
class RestoreReport:
    """What a restore did: the releases now in the archive, and where the old state is."""

    releases: int
    kept: Path


@dataclass(frozen=True, slots=True)
class CheckReport:
    """Whether the index holds exactly what SQLite holds."""

    releases: int
    indexed: int
    missing: list[int]  # in SQLite, not in the index
    extra: list[int]  # in the index, not in SQLite
    stale: list[int]  # in both, but the index holds an older revision
    pending: int  # recorded index work not yet applied
    index_problem: str | None  # why the index cannot be used, if it cannot

    @property
    def consistent(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.pending or self.index_problem)

    def to_json(self) -> dict[str, Any]:
        return {
            "consistent": self.consistent,
            "releases": self.releases,
            "indexed": self.indexed,
            "missing_from_index": self.missing,
            "not_in_archive": self.extra,
            "outdated_in_index": self.stale,
            "pending_index_work": self.pending,
            "index_problem": self.index_problem,
        }


class Archive:
    """A user's archive folder, open for reading or for reading and writing."""

    def __init__(self, folder: Path, *, readonly: bool, lock: FileLock | None) -> None:
        self.folder = folder
        self.readonly = readonly
        self._lock = lock
        self._local = threading.local()
        self._stores: list[Store] = []
        self._stores_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._index: SearchIndex | None = None
        self.index_problem: str | None = None
        self._applied_seq = 0  # index work added to the writer, up to this sequence
        # Counts changes of the data, for what is computed from it and kept (facet counts).
        self._data_generation = 0
        self._facets = FacetCounts()
        self._closed = False

    # --- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(
        cls, folder: Path | str, *, readonly: bool = False, locked_by_parent: bool = False
    ) -> Archive:
        """Opens the archive in `folder`, creating an empty one if the folder holds none.

        Raises ArchiveLockedError when another process has it open for writing. After opening,
        `needs_repair` tells whether `repair()` must run before searching. `locked_by_parent`
        is for a job's child process only (see process_jobs): its parent holds the lock and
        does not write while the child runs."""
        folder = Path(folder).expanduser().absolute()
        db_path = folder / DB_NAME
        lock = None
        if readonly:
            if not db_path.exists():
                raise UserFacingError(f"There is no archive in {folder}.")
        elif not locked_by_parent:
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise UserFacingError(f"Cannot create the archive folder {folder}: {e}") from e
            lock = FileLock(str(folder / LOCK_NAME), thread_local=False)
            with write_errors(folder):
                try:
                    lock.acquire(timeout=0)
                except Timeout:  # (an OSError: caught before write_errors sees it)
                    raise ArchiveLockedError(folder) from None
        archive = cls(folder, readonly=readonly, lock=lock)
        try:
            if not readonly:
                with write_errors(folder):
                    archive.store.migrate()
            archive._open_index()
            if not readonly:
                archive._remove_stale_index_folders()
        except BaseException:
            archive.close()
            raise
        return archive

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

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def store(self) -> Store:
        """This thread's connection to the SQLite file."""
        store = getattr(self._local, "store", None)
        if store is None:
            if self._closed:
                raise ArchiveError("the archive is closed")
            store = Store(self.folder / DB_NAME, readonly=self.readonly)
            self._local.store = store
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
        path = self._index_path()
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

    def _reload_index(self) -> None:
        """Opens the index again, e.g. after a child process rebuilt it in a new folder (or
        changed the data: anything kept from it is read again)."""
        self._data_generation += 1
        old = self._index
        self._open_index()
        if old is not None:
            old.close()

    def in_process(self, kind: str, *args: Any) -> Job[Any]:
        """Runs the job `kind` ("import" with the arguments of import_paths, "reindex",
        "repair", or "export" with (ids, out, query, highlight)) in a child process, so that
        this process's threads stay responsive."""
        if kind in READING_JOBS:
            return (yield from run_in_process(kind, self.folder, args))
        self._require_writable()
        with self._write_lock:
            # The child writes SQLite and the index under this process's lock; nothing here
            # writes meanwhile.
            result = yield from run_in_process(kind, self.folder, args, after=self._reload_index)
        return result

    @property
    def needs_repair(self) -> bool:
        """True when the index must be rebuilt or has recorded work to apply."""
        return self._index_unusable() or self.store.pending_count() > 0

    def _index_unusable(self) -> bool:
        """True when there is no index, or it was found damaged while in use."""
        return self._index is None or self._index.damaged is not None

    def _require_index(self) -> SearchIndex:
        if self._index is None:
            raise IndexNotReadyError(
                "The search index must be rebuilt before searching "
                f"({self.index_problem}). Run 'archive-browser reindex' or "
                "Tools > Rebuild index."
            )
        return self._index

    def _require_writable(self) -> None:
        if self.readonly:
            raise ReadOnlyArchiveError(
                f"The archive {self.folder} is open read-only; it cannot be changed."
            )

    # --- applying index work ----------------------------------------------------------------

    def _apply_pending(self, writer: IndexWriter, new_ids: frozenset[int] = frozenset()) -> int:
        """Adds all recorded index work after `_applied_seq` to `writer`; returns how many
        releases. Releases in `new_ids` are known not to be in the index yet: simply added."""
        count = 0
        for done, _total in self._add_pending(writer, new_ids):
            count = done
        return count

    def _add_pending(
        self, writer: IndexWriter, new_ids: frozenset[int] = frozenset()
    ) -> Iterator[tuple[int, int]]:
        """Adds recorded index work to `writer` in chunks, yielding (releases done, total)
        after each; `_applied_seq` follows what was added, so that a commit after a stop
        clears exactly that. Each release is read from SQLite once, as it is now."""
        rows = self.store.pending(after=self._applied_seq)
        total = len({release_id for _, release_id in rows})
        seen: set[int] = set()
        for start in range(0, len(rows), 250):
            part = rows[start : start + 250]
            chunk = list(dict.fromkeys(r for _, r in part if r not in seen))
            seen.update(chunk)
            releases = self.store.get_releases(chunk)
            found = {r.id for r in releases}
            for release in releases:
                if release.id in new_ids:
                    writer.add(release)
                else:
                    writer.update(release)
            for release_id in chunk:
                if release_id not in found:
                    writer.delete(release_id)
            self._applied_seq = part[-1][0]
            yield len(seen), total

    def _commit_index(self, writer: IndexWriter) -> None:
        writer.commit()
        self.store.clear_pending(self._applied_seq)

    def _sync_index(self) -> None:
        """Applies recorded index work now (after a change made outside an import)."""
        if self._index is None:
            return  # recorded; applied by the rebuild
        with self._write_lock:
            writer = self._index.writer()
            try:
                with write_errors(self.folder):
                    self._apply_pending(writer)
                    self._commit_index(writer)
            except BaseException:
                writer.cancel()
                self._applied_seq = 0
                raise

    def repair(self) -> Job[None]:
        """Brings the index up to date: rebuilds it when it cannot be used, otherwise applies
        the index work recorded but not applied (left by a crash)."""
        self._require_writable()
        if self._index_unusable():
            yield from self.reindex()
            return
        pending = self.store.pending_count()
        if pending:
            yield Progress(0, pending, "Applying unfinished index work")
            self._applied_seq = 0
            self._sync_index()
            yield Progress(pending, pending, "Index up to date")

    def reindex(self) -> Job[None]:
        """Rebuilds the index from SQLite into a new folder and swaps it in when complete."""
        self._require_writable()
        with self._write_lock, write_errors(self.folder):
            store = self.store
            total = store.count()
            new_path = self.folder / f"{INDEX_PREFIX}-{time.strftime('%Y%m%d-%H%M%S')}"
            suffix = 0
            while new_path.exists():
                suffix += 1
                new_path = new_path.with_name(f"{new_path.name.split('.')[0]}.{suffix}")
            yield Progress(0, total, "Rebuilding the index")
            new_index = SearchIndex.create(new_path)
            swapped = False
            try:
                writer = new_index.writer(bulk=True, procs=_indexing_procs(total))
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
            old = self._index
            self._index = new_index
            self.index_problem = None
            self._applied_seq = 0
            if old is not None:
                old.close()
            self._remove_stale_index_folders()
            yield Progress(total, total, "Index rebuilt")

    def _remove_stale_index_folders(self) -> None:
        current = self._index_path().name
        for path in self.folder.iterdir():
            if path.is_dir() and path.name.startswith(INDEX_PREFIX) and path.name != current:
                shutil.rmtree(path, ignore_errors=True)

    # --- importing ----------------------------------------------------------------------------

    def import_paths(
        self, paths: Iterable[Path | str], options: importers.ImportOptions | None = None
    ) -> Job[ImportReport]:
        """Imports files and folders. Bad files are reported and skipped. Releases are stored in
        SQLite first, in batches (each committed, so a cancelled or killed import keeps every
        finished batch, and they can be listed at once), then indexed together."""
        self._require_writable()
        index = self._require_index()
        options = options or importers.ImportOptions()
        files, problems = importers.discover(Path(p) for p in paths)
        report = ImportReport(files=[FileOutcome(str(p), errors=[e]) for p, e in problems])
        sizes = [max(1, _size(p)) for p in files]
        # Reading and storing is about a fifth of the work; indexing the rest.
        total = float(sum(sizes)) * 5
        done = 0.0
        with self._write_lock, write_errors(self.folder):
            try:
                for path, size in zip(files, sizes, strict=True):
                    outcome = FileOutcome(str(path))
                    report.files.append(outcome)
                    yield Progress(done, total, f"Reading {path.name}")
                    for _stored in self._import_file(path, options, outcome):
                        yield Progress(
                            done, total, f"{path.name}: {len(outcome.imported):,} stored"
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
        new = frozenset(report.imported_ids)
        self._applied_seq = 0
        writer = index.writer(bulk=True, procs=_indexing_procs(len(new)))
        try:
            for count, of in self._add_pending(writer, new):
                if not quietly:
                    share = (total - done) * 0.9 * count / max(1, of)
                    yield Progress(done + share, total, f"Indexed {count:,} of {of:,}")
            if not quietly:
                yield Progress(total * 0.95, total, "Writing the index")
        except CancelledError:
            report.cancelled = True  # what was added is committed below; the rest is recorded
        except BaseException:
            writer.cancel()
            self._applied_seq = 0
            if quietly:
                return
            raise
        try:
            self._commit_index(writer)
        except BaseException:
            writer.cancel()
            self._applied_seq = 0
            if not quietly:
                raise

    def _import_file(
        self, path: Path, options: importers.ImportOptions, outcome: FileOutcome
    ) -> Iterator[int]:
        """Stores the releases of one file in batches; yields how many each batch stored."""
        batch: list[ReleaseDraft] = []
        try:
            for item in importers.read_file(path, options):
                if isinstance(item, importers.RowError):
                    outcome.errors.append(f"{item.where}: {item.error}")
                    continue
                batch.append(item)
                if len(batch) >= IMPORT_BATCH:
                    yield self._store_batch(batch, outcome)
                    batch = []
        except UnreadableInputError as e:
            outcome.errors.append(str(e))
        if batch:
            yield self._store_batch(batch, outcome)

    def _store_batch(self, drafts: Sequence[ReleaseDraft], outcome: FileOutcome) -> int:
        return len(self._insert_drafts(drafts, outcome))

    def _insert_drafts(self, drafts: Sequence[ReleaseDraft], outcome: FileOutcome) -> list[int]:
        """Stores drafts in one transaction; records new ids and known duplicates."""
        store = self.store
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
        self._data_generation += 1
        return new

    def add_releases(self, drafts: Sequence[ReleaseDraft]) -> tuple[list[int], list[int]]:
        """Stores finished drafts (e.g. after the user corrected a proposed split); returns
        (new ids, ids of releases that were already stored)."""
        self._require_writable()
        outcome = FileOutcome("")
        with self._write_lock:
            self._insert_drafts(drafts, outcome)
            self._sync_index()
        return outcome.imported, outcome.duplicates

    # --- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return self.store.count()

    def get(self, release_id: int) -> Release:
        return self.store.get_release(release_id)

    def get_many(self, ids: Sequence[int]) -> list[Release]:
        return self.store.get_releases(ids)

    def rows(self, ids: Sequence[int], columns: Sequence[str]) -> dict[int, tuple[Any, ...]]:
        """Selected columns of many releases, for tables."""
        return self.store.release_rows(ids, columns)

    def tags_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        return self.store.tags_of(ids)

    def iter_releases(self) -> Iterator[Release]:
        return self.store.iter_releases()

    def parse(self, text: str) -> ParsedQuery:
        """Parses a query; raises MalformedQueryError with a message for the user."""
        return self._require_index().parse(text)

    def search(
        self,
        query: str | ParsedQuery,
        *,
        sort: str = "relevance",
        limit: int | None = 20,
        filters: Sequence[Filter] = (),
    ) -> SearchResults:
        """Releases matching `query` (all releases for an empty query) and every filter, in
        `sort` order: "relevance", "date" (oldest first) or "-date" (newest first)."""
        index = self._require_index()
        parsed = query if isinstance(query, ParsedQuery) else index.parse(query)
        pairs = [(f.field, f.value) for f in filters]
        if parsed.is_everything:
            order = "date" if sort == "date" else "-date"
            ids = self.store.filter_ids(None, pairs, order) if pairs else self.store.ids(order)
            return SearchResults(parsed, len(ids), ids[:limit] if limit else ids, [])
        if not pairs and not parsed.exact:
            hits = index.search(parsed, sort=sort, limit=limit)
            return SearchResults(parsed, hits.total, hits.ids, hits.scores)
        hits = index.search(parsed, sort=sort, limit=None)
        kept = self.store.filter_ids(hits.ids, pairs) if pairs else hits.ids
        if parsed.exact:
            kept = self._with_forms(kept, parsed.exact)
        total = len(kept)
        scores: list[float] = []
        if hits.scores:
            score_of = dict(zip(hits.ids, hits.scores, strict=True))
            scores = [score_of[i] for i in kept]
        if limit:
            kept, scores = kept[:limit], scores[:limit]
        return SearchResults(parsed, total, kept, scores)

    def _with_forms(self, ids: Sequence[int], sequences: tuple[tuple[str, ...], ...]) -> list[int]:
        """The ids whose text holds every word sequence as written (for exact:)."""
        columns = ("title", "summary", "body", "notes", "source", "place")
        kept: list[int] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.rows(chunk, columns)
            kept += [
                i for i in chunk if i in rows and contains_forms("\n".join(rows[i]), sequences)
            ]
        return kept

    def sort_ids(self, ids: Sequence[int], order: str) -> list[int]:
        """Release ids by date: "date" oldest first, "-date" newest first; unknown dates last,
        ids of releases that do not exist left out."""
        dates = {i: row[0] for i, row in self.rows(list(ids), ("date",)).items()}
        known = sorted((i for i in dict.fromkeys(ids) if dates.get(i)), key=lambda i: (dates[i], i))
        if order == "-date":
            known.reverse()
        elif order != "date":
            raise ValueError(f"cannot sort by {order!r}")
        return known + [i for i in dict.fromkeys(ids) if i in dates and not dates[i]]

    def run_search(self, spec: SearchSpec, limit: int | None = None) -> SearchResults:
        """Runs a search spec: its query, filters and sort."""
        return self.search(spec.query, sort=spec.sort, limit=limit, filters=spec.filters)

    def facets(self, ids: Sequence[int] | None = None) -> dict[str, list[tuple[str, int]]]:
        """Counts by tag, year, source, language and kind among `ids` (all when None)."""
        return self._facets.counts(self.store.db, self._data_generation, ids)

    def highlight_terms(self, query: ParsedQuery) -> HighlightTerms:
        return self._require_index().highlight_terms(query)

    def snippets(
        self, ids: Sequence[int], query: ParsedQuery | HighlightTerms, width: int = 220
    ) -> dict[int, Snippet]:
        """A snippet of each release's text around the words the query matched (looked for in
        the first SNIPPET_SCAN characters, which keeps very long transcripts quick)."""
        if isinstance(query, HighlightTerms):
            terms = query
        else:
            terms = self.highlight_terms(query) if not query.is_everything else HighlightTerms()
        out: dict[int, Snippet] = {}
        for release_id, (summary, body) in self.rows(ids, ("summary", "body")).items():
            text = (f"{summary}\n{body}" if summary else body)[:SNIPPET_SCAN]
            out[release_id] = make_snippet(text, match_spans(text, terms), width)
        return out

    def hit_spans(
        self, release: Release, query: ParsedQuery | HighlightTerms
    ) -> dict[str, list[tuple[int, int]]]:
        """Where the query's words are in a release's title, summary and body."""
        terms = query if isinstance(query, HighlightTerms) else self.highlight_terms(query)
        return {
            name: match_spans(getattr(release, name), terms)
            for name in ("title", "summary", "body")
        }

    def tag_counts(self) -> list[tuple[str, int]]:
        return self.store.tag_counts()

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    # --- changing -----------------------------------------------------------------------------

    def _change(self, apply: Any) -> Any:
        """Runs `apply(store)` in one SQLite transaction, then brings the index up to date."""
        self._require_writable()
        with self._write_lock:
            store = self.store
            try:
                with write_errors(self.folder), store.transaction():
                    result = apply(store)
            finally:
                self._data_generation += 1
            self._sync_index()
            return result

    def update(self, release_id: int, **changes: Any) -> None:
        """Changes metadata of one release (see EDITABLE_FIELDS)."""
        bad = set(changes) - set(EDITABLE_FIELDS)
        if bad:
            raise ValueError(f"cannot edit {', '.join(sorted(bad))}")
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "date":
                clean[name] = _check_date(value)
            elif name in ("notes", "summary"):
                clean[name] = clean_text(value or "")
            elif name in ("kind", "language"):
                clean[name] = one_line(value or "").lower()
            else:
                clean[name] = one_line(value or "")
        if "title" in clean and not clean["title"]:
            raise UserFacingError("A release needs a title.")
        self._change(lambda s: s.update_release(release_id, clean))

    def delete(self, ids: Sequence[int]) -> int:
        return int(self._change(lambda s: s.delete_releases(list(ids))))

    def tag(self, ids: Sequence[int], tags: Iterable[str]) -> list[int]:
        """Adds tags to releases; returns the ids that gained a tag."""
        names = _clean_tags(tags)
        return list(self._change(lambda s: s.add_tags(list(ids), names)))

    def untag(self, ids: Sequence[int], tags: Iterable[str]) -> list[int]:
        """Removes tags from releases; returns the ids that lost a tag."""
        names = _clean_tags(tags)
        return list(self._change(lambda s: s.remove_tags(list(ids), names)))

    def rename_tag(self, old: str, new: str) -> list[int]:
        """Renames a tag (merging it into `new` if that exists); returns the releases changed."""
        _clean_tags([new])
        return list(self._change(lambda s: s.rename_tag(old, new)))

    def delete_tag(self, name: str) -> list[int]:
        return list(self._change(lambda s: s.delete_tag(name)))

    def ids_with_tag(self, name: str) -> list[int]:
        return self.store.ids_with_tag(name)

    def tag_snapshot(self, names: Iterable[str]) -> dict[str, list[int]]:
        """Which releases carry each of these tags: what `restore_tags()` needs to undo a tag
        operation."""
        return self.store.tag_members(names)

    def restore_tags(self, snapshot: dict[str, list[int]]) -> list[int]:
        """Gives each tag of a snapshot exactly the releases it had then; returns the ids
        whose tags changed."""

        def apply(store: Store) -> list[int]:
            changed: set[int] = set()
            for name, ids in snapshot.items():
                now = set(store.ids_with_tag(name))
                then = set(store.existing_ids(ids))
                changed.update(store.remove_tags(sorted(now - then), [name]))
                changed.update(store.add_tags(sorted(then - now), [name]))
            return sorted(changed)

        return list(self._change(apply))

    # --- saved searches

    def saved_searches(self) -> list[SavedSearch]:
        out = []
        for search_id, name, spec in self.store.saved_searches():
            try:
                out.append(SavedSearch(search_id, name, SearchSpec.from_json(spec)))
            except UserFacingError:
                out.append(SavedSearch(search_id, f"{name} (unreadable)", SearchSpec()))
        return out

    def save_search(self, name: str, spec: SearchSpec) -> int:
        name = one_line(name)
        if not name:
            raise UserFacingError("A saved search needs a name.")
        return int(self._change(lambda s: s.add_saved_search(name, spec.to_json())))

    def rename_saved_search(self, search_id: int, name: str) -> None:
        name = one_line(name)
        if not name:
            raise UserFacingError("A saved search needs a name.")
        self._change(lambda s: s.update_saved_search(search_id, name=name))

    def delete_saved_search(self, search_id: int) -> None:
        self._change(lambda s: s.delete_saved_search(search_id))

    def order_saved_searches(self, ids: Sequence[int]) -> None:
        self._change(lambda s: s.order_saved_searches(list(ids)))

    # --- backups ------------------------------------------------------------------------------

    def backup(self, dest: Path | str) -> Job[BackupReport]:
        """Writes a consistent copy of the archive (its SQLite file, through SQLite's online
        backup) while the archive stays in use. `dest` is a new folder, which then opens as an
        archive, or a file ending in .sqlite3. The index is not copied: it is rebuilt from the
        copy when the copy is opened."""
        dest = Path(dest).expanduser().absolute()
        target = dest if dest.suffix in (".sqlite3", ".sqlite", ".db") else dest / DB_NAME
        if target.exists():
            raise UserFacingError(f"{target} already exists; choose another name for the backup.")
        yield Progress(0, 1, f"Backing up to {target}")
        with write_errors(target.parent):
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(target.name + ".partial")
            partial.unlink(missing_ok=True)
            try:
                copy = sqlite3.connect(partial)
                try:
                    self.store.conn.backup(copy)
                finally:
                    copy.close()
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
        yield Progress(1, 1, "Backed up")
        return BackupReport(target, target.stat().st_size, self.count())

    def auto_backup(self, keep: int = 5, every_hours: float = 24) -> Job[BackupReport | None]:
        """Keeps rotating copies in the archive's `backups` folder: makes one when the newest
        is older than `every_hours`, and keeps the newest `keep`."""
        folder = self.folder / BACKUP_DIR
        existing = sorted(folder.glob("archive-*.sqlite3")) if folder.exists() else []
        if existing and time.time() - existing[-1].stat().st_mtime < every_hours * 3600:
            return None
        name = f"archive-{time.strftime('%Y%m%d-%H%M%S')}.sqlite3"
        report = yield from self.backup(folder / name)
        for old in sorted(folder.glob("archive-*.sqlite3"))[:-keep]:
            old.unlink(missing_ok=True)
        return report

    def restore(self, source: Path | str) -> Job[RestoreReport]:
        """Replaces the archive's contents with a backup (a backup folder or .sqlite3 file),
        keeping a copy of the archive as it was in `backups/`, then rebuilds the index."""
        self._require_writable()
        source = Path(source).expanduser().absolute()
        if source.is_dir():
            source = source / DB_NAME
        if not source.is_file():
            raise UserFacingError(f"There is no backup at {source}.")
        check_backup(source)
        with self._write_lock:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            yield Progress(0, 3, "Keeping a copy of the archive as it is")
            kept = yield from self.backup(
                self.folder / BACKUP_DIR / f"before-restore-{stamp}.sqlite3"
            )
            yield Progress(1, 3, f"Restoring from {source.name}")
            with write_errors(self.folder):
                backup = sqlite3.connect(f"{source.as_uri()}?mode=ro", uri=True)
                try:
                    backup.backup(self.store.conn)
                finally:
                    backup.close()
                self.store.migrate()
            self._data_generation += 1
            yield Progress(2, 3, "Rebuilding the index")
            yield from self.reindex()
            return RestoreReport(self.count(), kept.path)

    # --- checking -----------------------------------------------------------------------------

    def check(self, *, deep: bool = False) -> CheckReport:
        """Compares the index with SQLite, release by release; `deep` also reads the whole
        index through (every stored document and posting block) to find damage."""
        store = self.store
        in_db = store.revisions()
        pending = store.pending_count()
        index = self._index
        in_index: dict[int, int] = {}
        if index is not None and index.damaged is None:
            with contextlib.suppress(IndexDamagedError):  # the index is marked damaged
                if deep:
                    for _ in index.verify():
                        pass
                in_index = index.revisions()
        if index is None or index.damaged is not None:
            problem = self.index_problem if index is None else f"damaged: {index.damaged}"
            return CheckReport(len(in_db), 0, sorted(in_db), [], [], pending, problem)
        missing = sorted(set(in_db) - set(in_index))
        extra = sorted(set(in_index) - set(in_db))
        stale = sorted(i for i, rev in in_index.items() if i in in_db and in_db[i] != rev)
        return CheckReport(len(in_db), len(in_index), missing, extra, stale, pending, None)


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


def check_backup(path: Path) -> None:
    """Raises a clear error unless `path` is a readable Archive Browser database that this
    program can open."""
    try:
        db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            ok = db.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            db.close()
    except sqlite3.DatabaseError as e:
        raise ArchiveFormatError(f"{path} is not a readable archive backup: {e}") from None
    if app_id != APPLICATION_ID:
        raise ArchiveFormatError(f"{path} is not an Archive Browser archive.")
    if version > SCHEMA_VERSION:
        raise ArchiveFormatError(
            f"{path} was written by a newer Archive Browser (schema {version})."
        )
    if ok != "ok":
        raise ArchiveFormatError(f"{path} is damaged: {ok}")


def _indexing_procs(releases: int) -> int:
    """How many processes index `releases` at once: two from MULTIPROCESS_INDEXING on, when
    this process may fork (a POSIX system, two cores or more, and no thread but this one:
    forking a process with threads can deadlock the child); else one."""
    can_fork = os.name == "posix" and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1
    return 2 if releases >= MULTIPROCESS_INDEXING and can_fork else 1


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _check_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UserFacingError(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


def _clean_tags(tags: Iterable[str]) -> list[str]:
    try:
        names = [clean_tag(t) for t in tags]
    except ValueError as e:
        raise UserFacingError(str(e)) from None
    if not names:
        raise UserFacingError("Name at least one tag.")
    return names

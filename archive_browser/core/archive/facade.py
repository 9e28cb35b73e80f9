"""The `Archive` facade: opens an archive folder and hands each concern to its manager."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from archive_browser.core import importers
from archive_browser.core.archive.backups import BackupManager, replace_damaged
from archive_browser.core.archive.base import DB_NAME, LOCK_NAME, ArchiveBase, write_errors
from archive_browser.core.archive.fixity import FixityManager, VerifyReport
from archive_browser.core.archive.importing import ImportManager
from archive_browser.core.archive.lineage import LineageManager
from archive_browser.core.archive.opening import (
    create_private_file,
    create_private_folder,
    inspect_file,
    refuse_newer_schema,
)
from archive_browser.core.archive.reuse import ReuseManager
from archive_browser.core.archive.saved_searches import SavedSearchManager
from archive_browser.core.archive.searching import SearchManager
from archive_browser.core.archive.tags import TagManager
from archive_browser.core.archive.translations import TranslationCandidate, TranslationManager
from archive_browser.core.archive.upkeep import IndexUpkeep
from archive_browser.core.changes import Changes
from archive_browser.core.errors import ArchiveLockedError, UserFacingError
from archive_browser.core.index import HighlightTerms, ParsedQuery, Snippet
from archive_browser.core.integrity import DamagedArchiveError
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.lineage import DEFAULT_THRESHOLD, Cluster, VersionsReport
from archive_browser.core.lineage.reuse import ParagraphReuse
from archive_browser.core.model import EDITABLE_FIELDS, Release, ReleaseDraft
from archive_browser.core.provenance import Provenance
from archive_browser.core.reports import (
    BackupReport,
    CheckReport,
    ImportReport,
    RestoreReport,
    SearchResults,
)
from archive_browser.core.search import Filter, SavedSearch, SearchSpec
from archive_browser.core.textnorm import clean_text, one_line


class Archive(ArchiveBase):
    """A user's archive folder, open for reading or for reading and writing.

    Each concern has its manager (`tags`, `saved`, `backups`, `imports`, `upkeep`,
    `searches`); the methods below are the domain's vocabulary and hand over to them."""

    def __init__(self, folder: Path, *, readonly: bool, lock: FileLock | None) -> None:
        super().__init__(folder, readonly=readonly, lock=lock)
        self.upkeep = IndexUpkeep(self)
        self.tags = TagManager(self)
        self.saved = SavedSearchManager(self)
        self.backups = BackupManager(self, self.upkeep)
        self.imports = ImportManager(self)
        self.searches = SearchManager(self)
        self.fixity = FixityManager(self)
        self.lineage = LineageManager(self)
        self.reuse = ReuseManager(self)
        self.translation_pairs = TranslationManager(self)

    # --- opening and closing ------------------------------------------------------------------

    @classmethod
    def open(
        cls, folder: Path | str, *, readonly: bool = False, locked_by_parent: bool = False
    ) -> Archive:
        """Opens the archive in `folder`, creating an empty one if the folder holds none.

        The file is inspected before anything else (see core.integrity): a foreign file
        raises DamagedArchiveError; a damaged one opens read-only with `damage` set, and
        nothing is ever migrated, created or written in it. A new archive's folder and file
        are readable by their owner only.

        Raises ArchiveLockedError when another process has it open for writing. After opening,
        `needs_repair` tells whether `repair()` must run before searching. `locked_by_parent`
        is for a job's child process only (see core.background): its parent holds the lock
        and does not write while the child runs."""
        folder = Path(folder).expanduser().absolute()
        db_path = folder / DB_NAME
        damage = inspect_file(db_path) if db_path.exists() or db_path.is_symlink() else None
        if damage is not None and damage.foreign:
            raise DamagedArchiveError(damage)
        if damage is None and db_path.exists():
            refuse_newer_schema(db_path)
        if damage is not None:
            readonly = True
        lock = None
        if readonly:
            if not db_path.exists():
                raise UserFacingError(f"There is no archive in {folder}.")
        elif not locked_by_parent:
            create_private_folder(folder)
            lock = FileLock(str(folder / LOCK_NAME), thread_local=False)
            with write_errors(folder):
                try:
                    lock.acquire(timeout=0)
                except Timeout:  # (an OSError: caught before write_errors sees it)
                    raise ArchiveLockedError(folder) from None
            create_private_file(db_path)
        archive = cls(folder, readonly=readonly, lock=lock)
        archive.damage = damage
        try:
            if not readonly:
                with write_errors(folder):
                    archive.store.migrate()
            archive._open_index()
            if not readonly:
                archive.upkeep.remove_stale_index_folders()
        except BaseException:
            archive.close()
            raise
        return archive

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- reading ------------------------------------------------------------------------------

    def count(self) -> int:
        return self.store.count()

    def get(self, release_id: int) -> Release:
        return self.store.get_release(release_id)

    def get_many(self, ids: Sequence[int]) -> list[Release]:
        return self.store.get_releases(ids)

    def existing_ids(self, ids: Sequence[int]) -> list[int]:
        """The ids among `ids` of releases that exist, in the order given."""
        return self.store.existing_ids(ids)

    def rows(self, ids: Sequence[int], columns: Sequence[str]) -> dict[int, tuple[Any, ...]]:
        """Selected columns of many releases, for tables."""
        return self.store.release_rows(ids, columns)

    def iter_releases(self) -> Iterator[Release]:
        return self.store.iter_releases()

    def stats(self) -> dict[str, Any]:
        return self.store.stats()

    def possible_duplicates(self, release_id: int) -> list[tuple[int, str]]:
        """Releases of the same text as this one but another title, date, URL or source,
        linked when imported: (id, kind) pairs, by id; kind is "possible"."""
        return self.store.possible_duplicates(release_id)

    # --- changing releases ----------------------------------------------------------------------

    def update(self, release_id: int, **changes: Any) -> Changes:
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
        self.change(lambda s: s.update_release(release_id, clean))
        return Changes(releases=frozenset([release_id]), metadata=True)

    def delete(self, ids: Sequence[int]) -> Changes:
        """Deletes releases; `removed` holds the ids that were there."""
        existing = frozenset(self.store.existing_ids(list(ids)))
        self.change(lambda s: s.delete_releases(list(ids)))
        self.lineage.update(sorted(existing))  # their versions lose them
        return Changes(removed=existing, tags=True, metadata=True, versions=True)

    # --- handed to the managers -----------------------------------------------------------------
    # One line each: the facade's vocabulary stays in one place; the work is in the managers.

    def import_paths(
        self, paths: Iterable[Path | str], options: importers.ImportOptions | None = None
    ) -> Job[ImportReport]:
        return self.imports.import_paths(paths, options)

    def add_releases(self, drafts: Sequence[ReleaseDraft]) -> tuple[list[int], list[int]]:
        return self.imports.add_releases(drafts)

    @property
    def needs_repair(self) -> bool:
        return self.upkeep.needs_repair

    def pending_index_count(self) -> int:
        return self.upkeep.pending_count()

    def repair(self) -> Job[None]:
        return self.upkeep.repair()

    def reindex(self) -> Job[None]:
        return self.upkeep.reindex()

    def check(self, *, deep: bool = False, full: bool = False) -> CheckReport:
        return self.fixity.add_missing_originals(self.upkeep.check(deep=deep, full=full))

    def parse(self, text: str) -> ParsedQuery:
        return self.searches.parse(text)

    def search(
        self,
        query: str | ParsedQuery,
        *,
        sort: str = "relevance",
        limit: int | None = 20,
        filters: Sequence[Filter] = (),
        first_versions: bool = False,
    ) -> SearchResults:
        return self.searches.search(
            query, sort=sort, limit=limit, filters=filters, first_versions=first_versions
        )

    def run_search(self, spec: SearchSpec, limit: int | None = None) -> SearchResults:
        return self.searches.run(spec, limit)

    def sort_ids(self, ids: Sequence[int], order: str) -> list[int]:
        return self.searches.sort_ids(ids, order)

    def facets(self, ids: Sequence[int] | None = None) -> dict[str, list[tuple[str, int]]]:
        return self.searches.facets(ids)

    def highlight_terms(self, query: ParsedQuery) -> HighlightTerms:
        return self.searches.highlight_terms(query)

    def snippets(
        self, ids: Sequence[int], query: ParsedQuery | HighlightTerms, width: int = 220
    ) -> dict[int, Snippet]:
        return self.searches.snippets(ids, query, width)

    def hit_spans(
        self, release: Release, query: ParsedQuery | HighlightTerms
    ) -> dict[str, list[tuple[int, int]]]:
        return self.searches.hit_spans(release, query)

    def tag(self, ids: Sequence[int], tags: Iterable[str]) -> Changes:
        return self.tags.add(ids, tags)

    def untag(self, ids: Sequence[int], tags: Iterable[str]) -> Changes:
        return self.tags.remove(ids, tags)

    def rename_tag(self, old: str, new: str) -> Changes:
        return self.tags.rename(old, new)

    def delete_tag(self, name: str) -> Changes:
        return self.tags.delete(name)

    def tag_counts(self) -> list[tuple[str, int]]:
        return self.tags.counts()

    def tags_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        return self.tags.of(ids)

    def ids_with_tag(self, name: str) -> list[int]:
        return self.tags.ids_with(name)

    def tag_snapshot(self, names: Iterable[str]) -> dict[str, list[int]]:
        return self.tags.snapshot(names)

    def restore_tags(self, snapshot: dict[str, list[int]]) -> Changes:
        return self.tags.restore(snapshot)

    def rename_tag_in_searches(
        self, old: str, new: str, only: Sequence[int] | None = None
    ) -> tuple[Changes, list[int]]:
        """Makes saved searches that use the tag `old` use `new`; returns the ids changed."""
        return self.tags.rename_in_searches(old, new, only)

    def saved_searches(self) -> list[SavedSearch]:
        return self.saved.all()

    def save_search(self, name: str, spec: SearchSpec) -> Changes:
        return self.saved.add(name, spec)

    def rename_saved_search(self, search_id: int, name: str) -> Changes:
        return self.saved.rename(search_id, name)

    def delete_saved_search(self, search_id: int) -> Changes:
        return self.saved.delete(search_id)

    def order_saved_searches(self, ids: Sequence[int]) -> Changes:
        return self.saved.order(ids)

    # --- versions and clusters (core/archive/lineage.py) ---------------------------------------

    def versions(self, release_id: int) -> VersionsReport:
        return self.lineage.versions(release_id)

    def clusters(self, min_similarity: float = DEFAULT_THRESHOLD) -> list[Cluster]:
        return self.lineage.clusters(min_similarity)

    def cluster_sizes(self, ids: Sequence[int]) -> dict[int, int]:
        return self.lineage.cluster_sizes(ids)

    def split_version(self, release_id: int) -> Changes:
        return self.lineage.split(release_id)

    def merge_versions(self, a: int, b: int) -> Changes:
        return self.lineage.merge(a, b)

    def mark_not_version(self, a: int, b: int) -> Changes:
        return self.lineage.not_version(a, b)

    def rebuild_versions(self) -> Job[None]:
        return self.lineage.rebuild()

    @property
    def versions_built(self) -> bool:
        return self.lineage.built

    # --- backups --------------------------------------------------------------------------------

    def backup(self, dest: Path | str) -> Job[BackupReport]:
        return self.backups.backup(dest)

    def auto_backup(self, keep: int = 5, every_hours: float = 24) -> Job[BackupReport | None]:
        return self.backups.auto_backup(keep, every_hours)

    def restore(self, source: Path | str) -> Job[RestoreReport]:
        return self.backups.restore(source)

    # --- paragraph reuse and translations (issue 16) ------------------------------------------

    def paragraph_reuse(self, release_id: int) -> list[ParagraphReuse]:
        return self.reuse.paragraph_reuse(release_id)

    def paragraphs_missing(self) -> int:
        return self.reuse.missing_count()

    def build_paragraphs(self, *, full: bool = False) -> Job[int]:
        return self.reuse.build(full=full)

    def translation_candidates(
        self, release_id: int, *, limit: int = 10, include_rejected: bool = False
    ) -> list[TranslationCandidate]:
        return self.translation_pairs.candidates(
            release_id, limit=limit, include_rejected=include_rejected
        )

    def translations(
        self, release_id: int, confirmed_only: bool = True
    ) -> list[TranslationCandidate]:
        return self.translation_pairs.translations(release_id, confirmed_only=confirmed_only)

    def translation_links(self, ids: Sequence[int]) -> dict[int, list[int]]:
        return self.translation_pairs.confirmed_links(ids)

    def confirm_translation(self, release_id: int, other_id: int) -> Changes:
        return self.translation_pairs.decide(release_id, other_id, "confirmed")

    def reject_translation(self, release_id: int, other_id: int) -> Changes:
        return self.translation_pairs.decide(release_id, other_id, "rejected")

    @classmethod
    def restore_damaged(cls, folder: Path | str, source: Path | str) -> Job[RestoreReport]:
        """Restores a backup over a damaged archive without opening it (the damaged file is
        moved aside, see backups.replace_damaged), then rebuilds the index."""
        kept = yield from replace_damaged(Path(folder), source)
        with cls.open(folder) as archive:
            yield Progress(2, 3, "Rebuilding the index")
            yield from archive.reindex()
            return RestoreReport(archive.count(), kept)

    # --- provenance and fixity (issue 15): handed to FixityManager ------------------------------

    def provenance(self, release_id: int) -> Provenance:
        """Where a release came from (empty for one stored before this was recorded)."""
        return self.fixity.provenance(release_id)

    def provenances(self, ids: Sequence[int]) -> dict[int, Provenance]:
        """Where many releases came from (first source and batch only), for exports; the
        releases stored before provenance was recorded are left out."""
        return self.store.first_sources(ids)

    def original_file(self, release_id: int) -> Path | None:
        """The kept original file of a release, or None when none is kept."""
        return self.fixity.original_file(release_id)

    def verify(self) -> Job[VerifyReport]:
        """Re-hashes every kept original and logs the check (see FixityManager.verify)."""
        return self.fixity.verify()


def _check_date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise UserFacingError(f"{value!r} is not a date; write it as YYYY-MM-DD.") from None

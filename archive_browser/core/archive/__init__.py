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

The facade is `Archive` (`facade.py`); each concern has its manager in its own module:
`tags`, `saved_searches`, `backups`, `importing`, `upkeep` (the index) and `searching`, all
built on `base.ArchiveBase`. Reports are in `core.reports`.
"""

from archive_browser.core.archive.backups import check_backup
from archive_browser.core.archive.base import (
    BACKUP_DIR,
    DB_NAME,
    INDEX_PREFIX,
    LOCK_NAME,
    MULTIPROCESS_INDEXING,
    write_errors,
)
from archive_browser.core.archive.facade import Archive
from archive_browser.core.archive.importing import IMPORT_BATCH
from archive_browser.core.archive.searching import SNIPPET_SCAN
from archive_browser.core.errors import IndexNotReadyError
from archive_browser.core.reports import (
    BackupReport,
    CheckReport,
    FileOutcome,
    ImportMatch,
    ImportReport,
    RestoreReport,
    SearchResults,
)

__all__ = [
    "BACKUP_DIR",
    "DB_NAME",
    "IMPORT_BATCH",
    "INDEX_PREFIX",
    "LOCK_NAME",
    "MULTIPROCESS_INDEXING",
    "SNIPPET_SCAN",
    "Archive",
    "BackupReport",
    "CheckReport",
    "FileOutcome",
    "ImportMatch",
    "ImportReport",
    "IndexNotReadyError",
    "RestoreReport",
    "SearchResults",
    "check_backup",
    "write_errors",
]

"""The SQLite side of an archive: releases, tags, pending index work and settings.

SQLite is the only source of truth. Every change to a release also records the release id in
`index_queue` within the same transaction, so that the index can always be brought up to date
after a crash (see `archive.Archive`). A `Store` wraps one connection and stays on the thread
that opened it.
"""

from archive_browser.core.store.base import now_iso
from archive_browser.core.store.connection import Store
from archive_browser.core.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from archive_browser.core.tagnames import clean_tag, tag_key

__all__ = [
    "APPLICATION_ID",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "Store",
    "clean_tag",
    "now_iso",
    "tag_key",
]

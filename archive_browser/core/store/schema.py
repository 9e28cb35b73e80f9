"""The archive's SQLite schema: its header id and the migrations that build it, in order."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlite_utils

from archive_browser.core.textnorm import record_checksum

APPLICATION_ID = 0x41724272  # "ArBr", written to the SQLite header of every archive


def _migration_1(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE releases (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            title TEXT NOT NULL DEFAULT '',
            date TEXT,
            body TEXT NOT NULL,
            summary TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            place TEXT NOT NULL DEFAULT '',
            kind TEXT NOT NULL DEFAULT '',
            notes TEXT NOT NULL DEFAULT '',
            orig_path TEXT NOT NULL DEFAULT '',
            orig_format TEXT NOT NULL DEFAULT '',
            checksum TEXT NOT NULL UNIQUE,
            added TEXT NOT NULL,
            modified TEXT NOT NULL,
            rev INTEGER NOT NULL DEFAULT 1
        )
        """
    )
    releases = db.table("releases")
    releases.create_index(["date"], index_name="releases_date")
    releases.create_index(["source"], index_name="releases_source")
    releases.create_index(["language"], index_name="releases_language")
    db.table("tags").create({"id": int, "name": str, "key": str}, pk="id", not_null={"name", "key"})
    db.table("tags").create_index(["key"], unique=True, index_name="tags_key")
    db.execute(
        """
        CREATE TABLE release_tags (
            release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
            PRIMARY KEY (release_id, tag_id)
        ) WITHOUT ROWID
        """
    )
    db.table("release_tags").create_index(["tag_id", "release_id"], index_name="release_tags_tag")
    db.execute(
        "CREATE TABLE index_queue (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "release_id INTEGER NOT NULL)"
    )
    db.table("meta").create({"key": str, "value": str}, pk="key", not_null={"value"})


def _migration_2(db: sqlite_utils.Database) -> None:
    # Saved searches are stored as structured data (a JSON spec with its own format version),
    # not as query strings, so that they survive a change of query syntax or engine.
    db.table("saved_searches").create(
        {"id": int, "name": str, "position": int, "spec": str},
        pk="id",
        not_null={"name", "position", "spec"},
    )


def _migration_3(db: sqlite_utils.Database) -> None:
    # Facet counts read every release's date, source, language and kind: from this index
    # rather than the table (whose rows hold the texts), 271 -> 106 ms for 100,000 releases.
    db.table("releases").create_index(
        ["date", "source", "language", "kind"], index_name="releases_facets"
    )


def _migration_4(db: sqlite_utils.Database) -> None:
    # `checksum` covered the text only, so that a release with another headline, date, URL or
    # source but the same text was dropped as a copy. It now covers the release as imported
    # (text and those fields); `text_checksum` keeps the text's own checksum (the old value),
    # to find releases of the same text, which are linked in `release_matches`.
    db.execute("ALTER TABLE releases ADD COLUMN text_checksum TEXT NOT NULL DEFAULT ''")
    db.execute("UPDATE releases SET text_checksum = checksum")
    rows = db.execute("SELECT id, body, title, date, url, source FROM releases").fetchall()
    db.conn.executemany(
        "UPDATE releases SET checksum = ? WHERE id = ?",
        [
            (record_checksum(body, title, date, url, source), i)
            for i, body, title, date, url, source in rows
        ],
    )
    db.table("releases").create_index(["text_checksum"], index_name="releases_text_checksum")
    db.execute(
        """
        CREATE TABLE release_matches (
            release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            matched_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            PRIMARY KEY (release_id, matched_id)
        ) WITHOUT ROWID
        """
    )
    db.table("release_matches").create_index(
        ["matched_id", "release_id"], index_name="release_matches_matched"
    )


def _migration_provenance(db: sqlite_utils.Database) -> None:
    # Where each release came from. `release_sources` holds every file a release was found
    # in (the first row is the import that stored it; an exact copy met again adds a row
    # rather than replacing it), so provenance is never overwritten and "where was this
    # found" lists every file. Releases stored before this migration have no row: their
    # provenance is unknown, and shown as such. `part_of_id` links an attachment to its
    # message (NULL when the release stands alone).
    db.execute(
        """
        CREATE TABLE import_batches (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,
            finished TEXT,
            app_version TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '{}',
            paths TEXT NOT NULL DEFAULT '[]'
        )
        """
    )
    db.execute(
        """
        CREATE TABLE release_sources (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            batch_id INTEGER REFERENCES import_batches(id) ON DELETE SET NULL,
            path TEXT NOT NULL DEFAULT '',
            sha256 TEXT NOT NULL DEFAULT '',
            record TEXT NOT NULL DEFAULT '',
            importer TEXT NOT NULL DEFAULT '',
            importer_version TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.table("release_sources").create_index(
        ["release_id", "id"], index_name="release_sources_release"
    )
    db.table("release_sources").create_index(["sha256"], index_name="release_sources_sha256")
    db.execute(
        "ALTER TABLE releases ADD COLUMN part_of_id INTEGER "
        "REFERENCES releases(id) ON DELETE SET NULL"
    )
    # Kept original files, content-addressed: originals/<sha256[:2]>/<sha256><ending>.
    db.execute(
        """
        CREATE TABLE originals (
            sha256 TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            ending TEXT NOT NULL DEFAULT '',
            added TEXT NOT NULL
        ) WITHOUT ROWID
        """
    )
    db.execute(
        """
        CREATE TABLE verifications (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            started TEXT NOT NULL,
            checked INTEGER NOT NULL,
            missing INTEGER NOT NULL,
            changed INTEGER NOT NULL,
            duration REAL NOT NULL,
            problems TEXT NOT NULL DEFAULT '[]',
            cancelled INTEGER NOT NULL DEFAULT 0
        )
        """
    )


def _migration_lineage(db: sqlite_utils.Database) -> None:
    # Versions of releases (core/lineage): each text's MinHash signature with the checksum of
    # the text it was computed from (a text changed since is signed again), its LSH band keys
    # (to find a new release's candidates without a rescan), the pairs confirmed by their
    # exact shingle sets, the clusters at the default threshold (what the results show and
    # filter by) and the user's decisions, which the clustering never undoes. Kept without
    # foreign keys: a deleted release's rows are cleared by the next update, not by a cascade
    # over millions of band rows.
    db.execute(
        "CREATE TABLE lineage_signatures (release_id INTEGER PRIMARY KEY, "
        "text_checksum TEXT NOT NULL, signature BLOB NOT NULL)"
    )
    db.execute(
        "CREATE TABLE lineage_bands (key INTEGER NOT NULL, release_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, release_id)) WITHOUT ROWID"
    )
    db.execute(
        "CREATE TABLE lineage_pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, "
        "similarity REAL NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID"
    )
    db.execute("CREATE INDEX lineage_pairs_b ON lineage_pairs (b, a)")
    db.execute(
        "CREATE TABLE lineage_clusters (release_id INTEGER PRIMARY KEY, "
        "cluster_id INTEGER NOT NULL, position INTEGER NOT NULL)"
    )
    db.execute("CREATE INDEX lineage_clusters_cluster ON lineage_clusters (cluster_id)")
    db.execute(
        "CREATE TABLE lineage_decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
        "a INTEGER NOT NULL, b INTEGER NOT NULL, decision TEXT NOT NULL, made TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX lineage_decisions_pair ON lineage_decisions (a, b)")


def _migration_reuse(db: sqlite_utils.Database) -> None:
    # (IF NOT EXISTS: a file taken back to an older schema by hand keeps these tables.)
    # Paragraph reuse: the hash of each countable paragraph of each release (see
    # core.lineage.reuse), looked up by hash; `paragraph_done` names the releases hashed, so
    # that those stored before this table (or by any other way in) are found and hashed by a
    # job instead of here, where an archive of 100,000 releases would wait unseen.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS paragraph_hashes (
            hash INTEGER NOT NULL,
            release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            PRIMARY KEY (hash, release_id, position)
        ) WITHOUT ROWID
        """
    )
    db.table("paragraph_hashes").create_index(
        ["release_id", "position"], index_name="paragraph_hashes_release", if_not_exists=True
    )
    db.execute(
        "CREATE TABLE IF NOT EXISTS paragraph_done (release_id INTEGER PRIMARY KEY "
        "REFERENCES releases(id) ON DELETE CASCADE)"
    )
    # Translation pairs the user confirmed or rejected (the smaller id first): never proposed
    # again once rejected, linked in exports once confirmed.
    db.execute(
        """
        CREATE TABLE IF NOT EXISTS translation_decisions (
            release_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            other_id INTEGER NOT NULL REFERENCES releases(id) ON DELETE CASCADE,
            decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
            decided TEXT NOT NULL,
            PRIMARY KEY (release_id, other_id),
            CHECK (release_id < other_id)
        ) WITHOUT ROWID
        """
    )
    db.table("translation_decisions").create_index(
        ["other_id", "release_id"], index_name="translation_decisions_other", if_not_exists=True
    )


#: Migration n brings the schema from version n-1 to version n. Never edit a released one.
MIGRATIONS: Sequence[Callable[[sqlite_utils.Database], None]] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_provenance,
    _migration_lineage,
    _migration_reuse,
)
SCHEMA_VERSION = len(MIGRATIONS)

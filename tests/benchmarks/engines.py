"""The engines measured on the same releases and queries: the app (its real import path and
search facade), SQLite FTS5 as calibre and Zotero use it, Whoosh used naively, and Recoll
(Xapian), the desktop search a Linux user would pick instead, over the releases written as files
(when `recollindex` and its Python module are installed).

Each engine imports a corpus file, opens its data, answers a `BenchQuery` with the total count
and the top 20 (id, title, date, snippet), counts facets of a query, and says how big its
files are. Every engine reads the corpus file itself, so JSON parsing is timed for all three.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.benchmarks.corpus import FIRST_YEAR, LAST_YEAR, read_jsonl
from tests.benchmarks.measure import size_mb
from tests.benchmarks.queries import METADATA_CLASSES, BenchQuery

TOP = 20
BATCH = 500

Row = tuple[Any, str, Any, str]  # id, title, date, snippet


@dataclass(slots=True)
class Answer:
    """What an engine gave for one query."""

    total: int
    rows: list[Row]
    error: str = ""


@dataclass(slots=True)
class ImportTimes:
    """Seconds from the start of an import until all releases were browsable (listed, sorted
    and filtered by metadata) and until all were searchable, with a breakdown."""

    releases: int
    searchable_s: float
    browsable_s: float | None = None
    first_browsable_s: float | None = None
    parts_s: dict[str, float] = field(default_factory=dict)
    notes: str = ""


class _Timed:
    """Wraps a callable and adds up the seconds spent in it."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.seconds = 0.0
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return self.fn(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t0
            self.calls += 1


class RowCounter:
    """Notes when a table first held rows and when it held `target`, checked through its own
    read-only connection whenever `check()` is called (at every step of an import).

    No thread: the app forks its indexer only when the process has no other thread, so a
    polling thread would change what is measured. Counts with max(rowid), which needs no
    scan: in a new store filled by one import, ids are 1..N, so it equals count(*)."""

    def __init__(self, db: Path, table: str, target: int, t0: float) -> None:
        self.db, self.table, self.target, self.t0 = db, table, target, t0
        self.first: float | None = None
        self.reached: float | None = None
        self._conn: sqlite3.Connection | None = None

    def check(self, *_: object) -> None:
        if self.reached is not None:
            return
        try:
            if self._conn is None:
                self._conn = sqlite3.connect(f"{self.db.as_uri()}?mode=ro", uri=True, timeout=5)
            n = self._conn.execute(f"SELECT max(rowid) FROM {self.table}").fetchone()[0] or 0
        except sqlite3.Error:
            n = 0  # not created yet
        now = time.perf_counter() - self.t0
        if n and self.first is None:
            self.first = now
        if n >= self.target:
            self.reached = now

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


class _TimedSteps:
    """Wraps a generator function and adds up the seconds spent inside its steps."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.seconds = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        gen = self.fn(*args, **kwargs)
        while True:
            t0 = time.perf_counter()
            try:
                item = next(gen)
            except StopIteration as stop:
                self.seconds += time.perf_counter() - t0
                return stop.value
            self.seconds += time.perf_counter() - t0
            yield item


# --- the app --------------------------------------------------------------------------------


class AppEngine:
    """The app, through `Archive` only (plus timing wrappers around three of its steps)."""

    name = "app"

    def __init__(self, workdir: Path) -> None:
        self.folder = workdir / "app"
        self.archive: Any = None

    @staticmethod
    def distinct_bodies(corpus: Path) -> int:
        """How many distinct bodies the corpus holds (like real archives, it has a few exact
        duplicates: 6 in 20,000). The app stores at least that many: a body it holds already
        is stored again, as a possible duplicate, when its title, date, URL or source differ."""
        from archive_browser.core.textnorm import checksum, clean_text

        return len({checksum(clean_text(r["body"])) for r in read_jsonl(corpus)})

    def import_corpus(self, corpus: Path, n: int) -> ImportTimes:
        from archive_browser.core.archive import DB_NAME, Archive
        from archive_browser.core.jobs import run

        distinct = self.distinct_bodies(corpus)  # before the clock starts
        archive = Archive.open(self.folder)
        # Time the SQLite transactions, adding index work to the writer and the index commits
        # (private methods of the facade, wrapped on this instance only); reading and parsing
        # the file is what remains. Older and newer versions of the import name the second
        # step differently.
        # The facade delegates the import to its importing manager (archive.imports); older
        # versions kept these steps on the facade itself.
        owner = getattr(archive, "imports", archive)
        insert = _Timed(owner._insert_drafts)
        owner._insert_drafts = insert
        add: _Timed | _TimedSteps
        if hasattr(archive, "add_pending"):
            add = archive.add_pending = _TimedSteps(archive.add_pending)
        elif hasattr(archive, "_add_pending"):
            add = archive._add_pending = _TimedSteps(archive._add_pending)
        else:
            add = archive._apply_pending = _Timed(archive._apply_pending)
        name = "commit_index" if hasattr(archive, "commit_index") else "_commit_index"
        commit = _Timed(getattr(archive, name))
        setattr(archive, name, commit)
        t0 = time.perf_counter()
        rows = RowCounter(self.folder / DB_NAME, "releases", distinct, t0)
        try:
            report = run(archive.import_paths([corpus]), rows.check)
            total = time.perf_counter() - t0
        finally:
            rows.close()
            archive.close()
        imported = len(report.imported_ids) if report else 0
        duplicates = len(report.duplicate_ids) if report else 0
        if report is None or imported < distinct or imported + duplicates != n or report.failures:
            failures = report.failures[:3] if report else "cancelled"
            raise RuntimeError(
                f"the app imported {imported} of {n} ({duplicates} duplicates, {distinct} "
                f"distinct bodies): {failures}"
            )
        parts = {
            "read_parse": total - insert.seconds - add.seconds - commit.seconds,
            "sqlite": insert.seconds,
            "index_add": add.seconds,
            "index_commit": commit.seconds,
        }
        # A big import indexes in a process of its own, beside the storing: its seconds of
        # adding and writing overlap the rest, which is then all of "read_parse" (reading,
        # paragraphs, versions and waiting for the index).
        beside = getattr(owner, "index_timings", None) or {}
        if beside:
            parts |= {
                "index_add": beside["index_add"],
                "index_commit": beside["index_commit"],
                "index_process_beside": beside["index_process"],
            }
        return ImportTimes(
            n,
            searchable_s=total,
            browsable_s=rows.reached,
            first_browsable_s=rows.first,
            parts_s={k: round(v, 3) for k, v in parts.items()} | {"index_commits": commit.calls},
            notes=f"{n - distinct} exact duplicates skipped; browsable: all distinct rows "
            "committed, as seen by a second read-only connection at each step of the import "
            "job; searchable: the import job finished (index committed)",
        )

    def open(self) -> None:
        from archive_browser.core.archive import Archive

        self.archive = Archive.open(self.folder)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
            self.archive = None

    def query(self, q: BenchQuery) -> Answer:
        from archive_browser.core.errors import UserFacingError

        archive = self.archive
        try:
            results = archive.search(q.app, sort=q.sort, limit=TOP)
        except UserFacingError as e:  # a malformed or too broad query, refused
            return Answer(0, [], str(e) or type(e).__name__)
        snippets = archive.snippets(results.ids, results.query)
        rows = archive.rows(results.ids, ("title", "date", "source"))
        return Answer(
            results.total,
            [(i, rows[i][0], rows[i][1], snippets[i].marked()) for i in results.ids],
        )

    def list_all(self) -> Answer:
        """The first screen of the browser: every release, newest first, first 50 rows."""
        results = self.archive.search("", sort="-date", limit=None)
        first = results.ids[:50]
        rows = self.archive.rows(first, ("title", "date", "source"))
        return Answer(results.total, [(i, rows[i][0], rows[i][1], "") for i in first])

    def facets(self, q: BenchQuery) -> dict[str, Counter[str]]:
        """Counts by year, source, language and tag over every match: all matching ids, then
        `Archive.facets(ids)` where the facade has it, else their rows and tags."""
        archive = self.archive
        results = archive.search(q.app, limit=None)
        if hasattr(archive, "facets"):
            counts = archive.facets(results.ids)
            return {name: Counter(dict(pairs)) for name, pairs in counts.items()}
        rows = archive.rows(results.ids, ("date", "source", "language"))
        tags = archive.tags_of(results.ids)
        out: dict[str, Counter[str]] = {k: Counter() for k in ("year", "source", "lang", "tag")}
        for date, source, language in rows.values():
            out["year"][(date or "")[:4]] += 1
            out["source"][source] += 1
            out["lang"][language] += 1
        for names in tags.values():
            out["tag"].update(names)
        return out

    def reindex(self) -> float:
        from archive_browser.core.jobs import run

        t0 = time.perf_counter()
        run(self.archive.reindex())
        return time.perf_counter() - t0

    def files(self) -> dict[str, list[Path]]:
        index = [p for p in self.folder.iterdir() if p.is_dir() and p.name.startswith("index")]
        sqlite = [p for p in self.folder.iterdir() if p.name.startswith("archive.sqlite3")]
        return {"index": index, "store": sqlite}

    def sizes(self) -> dict[str, float]:
        files = self.files()
        return {"index_mb": size_mb(*files["index"]), "store_mb": size_mb(*files["store"])}


# --- SQLite FTS5 ----------------------------------------------------------------------------

FTS5_SCHEMA = """
CREATE TABLE releases (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL, date TEXT, body TEXT NOT NULL,
    source TEXT NOT NULL, place TEXT NOT NULL, language TEXT NOT NULL
);
CREATE INDEX releases_date ON releases(date);
CREATE INDEX releases_source ON releases(source);
CREATE INDEX releases_language ON releases(language);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL, key TEXT NOT NULL UNIQUE);
CREATE TABLE release_tags (
    release_id INTEGER NOT NULL, tag_id INTEGER NOT NULL, PRIMARY KEY (release_id, tag_id)
) WITHOUT ROWID;
CREATE INDEX release_tags_tag ON release_tags(tag_id, release_id);
CREATE VIRTUAL TABLE releases_fts USING fts5(
    title, body, source, place, content='releases', content_rowid='id',
    tokenize='porter unicode61 remove_diacritics 2'
);
CREATE VIRTUAL TABLE releases_vocab USING fts5vocab(releases_fts, 'row');
"""
_FUZZY = re.compile(r"(\w+)~")


def _edits_at_most_one(a: str, b: str) -> bool:
    """Whether two words differ by at most one insertion, deletion or substitution."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


class Fts5Engine:
    """Releases in an ordinary table, tags in side tables, an external-content FTS5 table with
    porter + unicode61 (remove_diacritics 2), bm25 ranking (title weighted 2) and snippet()."""

    name = "fts5"

    def __init__(self, workdir: Path) -> None:
        self.path = workdir / "fts5.sqlite3"
        self.conn: sqlite3.Connection | None = None
        self._porter: Any = None

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def import_corpus(self, corpus: Path, n: int) -> ImportTimes:
        conn = self._connect()
        conn.executescript(FTS5_SCHEMA)
        tag_ids: dict[str, int] = {}
        rows_s = fts_s = 0.0
        t0 = time.perf_counter()
        counter = RowCounter(self.path, "releases", n, t0)
        next_id = 1
        batch: list[dict[str, Any]] = []

        def flush() -> None:
            nonlocal next_id, rows_s, fts_s, batch
            first = next_id
            t = time.perf_counter()
            conn.execute("BEGIN")
            for record in batch:
                conn.execute(
                    "INSERT INTO releases (id, title, date, body, source, place, language) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        next_id,
                        record.get("title", ""),
                        record.get("date"),
                        record["body"],
                        record.get("source", ""),
                        record.get("place", ""),
                        record.get("language", ""),
                    ),
                )
                for name in record.get("tags", ()):
                    key = name.casefold()
                    tag_id = tag_ids.get(key)
                    if tag_id is None:
                        cur = conn.execute(
                            "INSERT INTO tags (name, key) VALUES (?, ?)", (name, key)
                        )
                        tag_id = tag_ids[key] = int(cur.lastrowid or 0)
                    conn.execute(
                        "INSERT OR IGNORE INTO release_tags VALUES (?, ?)", (next_id, tag_id)
                    )
                next_id += 1
            conn.execute("COMMIT")
            t2 = time.perf_counter()
            rows_s += t2 - t
            counter.check()
            t2 = time.perf_counter()
            conn.execute("BEGIN")
            conn.execute(
                "INSERT INTO releases_fts (rowid, title, body, source, place) "
                "SELECT id, title, body, source, place FROM releases WHERE id >= ?",
                (first,),
            )
            conn.execute("COMMIT")
            fts_s += time.perf_counter() - t2
            batch = []

        try:
            for record in read_jsonl(corpus):
                batch.append(record)
                if len(batch) >= BATCH:
                    flush()
            if batch:
                flush()
            total = time.perf_counter() - t0
        finally:
            counter.close()
            conn.close()
        parts = {"read_parse": total - rows_s - fts_s, "sqlite": rows_s, "fts_index": fts_s}
        return ImportTimes(
            n,
            searchable_s=total,
            browsable_s=counter.reached,
            first_browsable_s=counter.first,
            parts_s={k: round(v, 3) for k, v in parts.items()},
            notes="per batch of 500: rows and tags committed, then the same rows added to FTS5 "
            "and committed",
        )

    def open(self) -> None:
        self.conn = self._connect()

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _expand_fuzzy(self, match: str) -> str:
        """FTS5 has no fuzzy operator: replaces `word~` by the OR of the indexed terms (porter
        stems) starting with the same letter that are within one edit of the word's stem, or
        of the word's beginning as long as the term (a misspelt ending spoils the stem)."""
        if self._porter is None:
            import Stemmer  # the app's dependency; the same Porter algorithm FTS5 uses

            self._porter = Stemmer.Stemmer("porter")

        def expand(m: re.Match[str]) -> str:
            word = m.group(1).casefold()
            stem = self._porter.stemWord(word)
            first = stem[0]
            assert self.conn is not None
            terms = [
                t
                for (t,) in self.conn.execute(
                    "SELECT term FROM releases_vocab WHERE term >= ? AND term < ?",
                    (first, chr(ord(first) + 1)),
                )
                if _edits_at_most_one(stem, t)
                or (len(t) >= max(5, len(word) - 4) and _edits_at_most_one(word[: len(t)], t))
            ]
            return "(" + " OR ".join(f'"{t}"' for t in terms) + ")" if terms else word

        return _FUZZY.sub(expand, match)

    def query(self, q: BenchQuery) -> Answer:
        assert self.conn is not None
        conn = self.conn
        where = f" AND {q.fts5_where}" if q.fts5_where else ""
        order = "r.date IS NULL, r.date DESC" if q.sort == "-date" else ""
        if q.fts5_match:
            match = self._expand_fuzzy(q.fts5_match)
            order = order or "bm25(releases_fts, 2.0, 1.0, 1.0, 1.0)"
            sql = (
                "SELECT r.id, r.title, r.date, "
                "snippet(releases_fts, 1, '**', '**', '…', 32) "
                "FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid "
                f"WHERE releases_fts MATCH ?{where} ORDER BY {order} LIMIT {TOP}"
            )
            count_sql = (
                "SELECT count(*) FROM releases_fts JOIN releases r ON r.id = releases_fts.rowid "
                f"WHERE releases_fts MATCH ?{where}"
                if where
                else "SELECT count(*) FROM releases_fts WHERE releases_fts MATCH ?"
            )
            try:
                rows = conn.execute(sql, (match,)).fetchall()
                total = conn.execute(count_sql, (match,)).fetchone()[0]
            except sqlite3.Error as e:  # a query FTS5 cannot parse
                return Answer(0, [], str(e))
        else:
            order_by = f" ORDER BY {order}" if order else ""
            sql = (
                "SELECT r.id, r.title, r.date, substr(r.body, 1, 220) FROM releases r "
                f"WHERE {q.fts5_where}{order_by} LIMIT {TOP}"
            )
            rows = conn.execute(sql).fetchall()
            total = conn.execute(
                f"SELECT count(*) FROM releases r WHERE {q.fts5_where}"
            ).fetchone()[0]
        return Answer(int(total), [tuple(r) for r in rows])  # type: ignore[misc]

    def facets(self, q: BenchQuery) -> dict[str, Counter[str]]:
        """Counts by year, source, language and tag: the matching ids into a temporary table,
        then one GROUP BY each."""
        assert self.conn is not None
        conn = self.conn
        conn.execute("DROP TABLE IF EXISTS temp.hits")
        if q.fts5_match:
            where = f" AND {q.fts5_where}" if q.fts5_where else ""
            conn.execute(
                "CREATE TEMP TABLE hits AS SELECT r.id AS id FROM releases_fts "
                "JOIN releases r ON r.id = releases_fts.rowid "
                f"WHERE releases_fts MATCH ?{where}",
                (self._expand_fuzzy(q.fts5_match),),
            )
        else:
            conn.execute(
                f"CREATE TEMP TABLE hits AS SELECT r.id AS id FROM releases r WHERE {q.fts5_where}"
            )
        out: dict[str, Counter[str]] = {}
        joined = "FROM hits JOIN releases r USING (id)"
        for name, sql in (
            ("year", f"SELECT substr(r.date, 1, 4), count(*) {joined} GROUP BY 1"),
            ("source", f"SELECT r.source, count(*) {joined} GROUP BY 1"),
            ("lang", f"SELECT r.language, count(*) {joined} GROUP BY 1"),
            (
                "tag",
                "SELECT t.name, count(*) FROM hits h JOIN release_tags rt ON rt.release_id = h.id "
                "JOIN tags t ON t.id = rt.tag_id GROUP BY t.id",
            ),
        ):
            out[name] = Counter({str(k or ""): int(v) for k, v in conn.execute(sql)})
        conn.execute("DROP TABLE temp.hits")
        return out

    def reindex(self) -> float:
        assert self.conn is not None
        t0 = time.perf_counter()
        self.conn.execute("INSERT INTO releases_fts(releases_fts) VALUES ('rebuild')")
        return time.perf_counter() - t0

    def files(self) -> list[Path]:
        return [p for p in self.path.parent.iterdir() if p.name.startswith(self.path.name)]

    def sizes(self) -> dict[str, float]:
        conn = sqlite3.connect(self.path)
        try:
            by_table = dict(conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"))
        finally:
            conn.close()
        fts = sum(v for k, v in by_table.items() if k.startswith("releases_fts"))
        return {
            "index_mb": round(fts / 1024 / 1024, 2),
            "file_mb": size_mb(*self.files()),
        }


# --- Whoosh, naively --------------------------------------------------------------------------


class NaiveWhooshEngine:
    """Whoosh as it is commonly used: the default analyzer, text stored in the index, one
    writer for the whole import, a new searcher and parser per query, and highlights from the
    stored body for every hit."""

    name = "naive_whoosh"

    def __init__(self, workdir: Path) -> None:
        self.folder = workdir / "whoosh"
        self.ix: Any = None

    @staticmethod
    def schema() -> Any:
        from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema

        return Schema(
            id=ID(stored=True, unique=True),
            title=TEXT(stored=True),
            body=TEXT(stored=True),
            tags=KEYWORD(stored=True, commas=True),
            date=DATETIME(stored=True),
            source=ID(stored=True),
            place=TEXT(stored=True),
            language=ID(stored=True),
        )

    def import_corpus(self, corpus: Path, n: int) -> ImportTimes:
        from whoosh import index

        self.folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        ix = index.create_in(str(self.folder), self.schema())
        writer = ix.writer()
        add_s = 0.0
        for i, record in enumerate(read_jsonl(corpus), 1):
            doc: dict[str, Any] = {
                "id": str(i),
                "title": record.get("title", ""),
                "body": record["body"],
                "tags": ",".join(record.get("tags", ())),
                "source": record.get("source", ""),
                "place": record.get("place", ""),
                "language": record.get("language", ""),
            }
            if record.get("date"):
                doc["date"] = datetime.strptime(record["date"], "%Y-%m-%d")
            t = time.perf_counter()
            writer.add_document(**doc)
            add_s += time.perf_counter() - t
        t = time.perf_counter()
        writer.commit()
        commit_s = time.perf_counter() - t
        total = time.perf_counter() - t0
        ix.close()
        parts = {
            "read_parse": total - add_s - commit_s,
            "index_add": add_s,
            "index_commit": commit_s,
        }
        return ImportTimes(
            n, searchable_s=total, parts_s={k: round(v, 3) for k, v in parts.items()}
        )

    def open(self) -> None:
        from whoosh import index

        self.ix = index.open_dir(str(self.folder))

    def close(self) -> None:
        if self.ix is not None:
            self.ix.close()
            self.ix = None

    def _parse(self, text: str) -> Any:
        from whoosh.qparser import FuzzyTermPlugin, MultifieldParser

        parser = MultifieldParser(["title", "body"], self.ix.schema)
        parser.add_plugin(FuzzyTermPlugin())
        return parser.parse(text)

    def query(self, q: BenchQuery) -> Answer:
        kwargs: dict[str, Any] = {"limit": TOP}
        if q.sort == "-date":
            kwargs |= {"sortedby": "date", "reverse": True}
        try:
            query = self._parse(q.whoosh)
            with self.ix.searcher() as searcher:
                results = searcher.search(query, **kwargs)
                total = len(results)
                rows: list[Row] = [
                    (hit["id"], hit["title"], hit.get("date"), hit.highlights("body"))
                    for hit in results
                ]
        except Exception as e:  # Whoosh has no error class of its own for a bad query
            return Answer(0, [], f"{type(e).__name__}: {e}")
        return Answer(total, rows)

    def facets(self, q: BenchQuery) -> dict[str, Counter[str]]:
        from whoosh.sorting import DateRangeFacet, FieldFacet
        from whoosh.support.relativedelta import relativedelta

        facets = {
            "year": DateRangeFacet(
                "date",
                datetime(FIRST_YEAR, 1, 1),
                datetime(LAST_YEAR + 1, 1, 1),
                relativedelta(years=1),
            ),
            "source": FieldFacet("source"),
            "lang": FieldFacet("language"),
            "tag": FieldFacet("tags", allow_overlap=True),
        }
        with self.ix.searcher() as searcher:
            results = searcher.search(self._parse(q.whoosh), limit=TOP, groupedby=facets)
            return {
                name: Counter({str(k): len(v) for k, v in results.groups(name).items()})
                for name in facets
            }

    def files(self) -> list[Path]:
        return [self.folder]

    def sizes(self) -> dict[str, float]:
        return {"index_mb": size_mb(self.folder)}


# --- Recoll (Xapian) -------------------------------------------------------------------------

#: Where Debian's python3-recoll puts its module (outside any virtual environment).
RECOLL_PYTHON_PATH = "/usr/lib/python3/dist-packages"
RECOLL_CONF = """topdirs = {files}
indexstemminglanguages = english russian
noaspell = 1
idxflushmb = 64
loglevel = 1
"""


def _import_recoll() -> Any:
    try:
        from recoll import recoll  # type: ignore[import-not-found]
    except ImportError:
        if RECOLL_PYTHON_PATH not in sys.path:
            sys.path.append(RECOLL_PYTHON_PATH)
        from recoll import recoll  # type: ignore[import-not-found]
    return recoll


def recoll_available() -> str:
    """ "" when Recoll can be measured, else why not."""
    if shutil.which("recollindex") is None:
        return "recollindex is not installed (Debian: apt-get install recollcmd python3-recoll)"
    try:
        _import_recoll()
    except ImportError as e:
        return f"the recoll Python module cannot be imported ({e})"
    return ""


_NOT = re.compile(r"\s+NOT\s+")
_CYRILLIC_QUERY = re.compile(r"[\u0400-\u04ff]")


class RecollEngine:
    """Recoll over the releases written as text files (title line, then the body), indexed by
    `recollindex` with English and Russian stemming; queried through its Python module with the
    estimated total, the top 20 and an abstract each. It has no tags or dates of a release, so
    the classes that need them are left out; it has no fuzzy operator, so `word~` is the word,
    and `NOT` is written `-word`."""

    name = "recoll"

    def __init__(self, workdir: Path) -> None:
        self.folder = workdir / "recoll"
        self.texts = self.folder / "files"
        self.conf = self.folder / "conf"
        self.db: Any = None

    def import_corpus(self, corpus: Path, n: int) -> ImportTimes:
        t0 = time.perf_counter()
        for i, record in enumerate(read_jsonl(corpus), 1):
            folder = self.texts / f"{i // 1000:04d}"
            if i % 1000 == 0 or i == 1:
                folder.mkdir(parents=True, exist_ok=True)
            title = record.get("title", "")
            text = f"{title}\n\n{record['body']}" if title else record["body"]
            (folder / f"{i:07d}.txt").write_text(text, encoding="utf-8")
        write_s = time.perf_counter() - t0
        self.conf.mkdir(parents=True, exist_ok=True)
        (self.conf / "recoll.conf").write_text(RECOLL_CONF.format(files=self.texts))
        t1 = time.perf_counter()
        subprocess.run(
            ["recollindex", "-c", str(self.conf), "-z"],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        index_s = time.perf_counter() - t1
        return ImportTimes(
            n,
            searchable_s=index_s,
            parts_s={"write_files": round(write_s, 3), "recollindex": round(index_s, 3)},
            notes="searchable: recollindex over the releases already written as files (the "
            "writing is not counted)",
        )

    def open(self) -> None:
        recoll = _import_recoll()
        self.db = recoll.connect(confdir=str(self.conf))

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    @staticmethod
    def supports(q: BenchQuery) -> bool:
        return q.cls not in METADATA_CLASSES

    @staticmethod
    def text(q: BenchQuery) -> str:
        return _NOT.sub(" -", q.app.replace("~", ""))

    def query(self, q: BenchQuery) -> Answer:
        text = self.text(q)
        language = "russian" if _CYRILLIC_QUERY.search(text) else "english"
        query = self.db.query()
        try:
            total = query.execute(text, stemming=1, stemlang=language)
            rows: list[Row] = [
                (doc.url, doc.title, doc.mtime, query.makedocabstract(doc))
                for doc in query.fetchmany(TOP)
            ]
        except Exception as e:  # the module raises plain exceptions for a bad query
            return Answer(0, [], f"{type(e).__name__}: {e}")
        finally:
            query.close()
        return Answer(int(total), rows)

    def facets(self, q: BenchQuery) -> dict[str, Counter[str]]:
        return {}  # no fields to count

    def files(self) -> list[Path]:
        return [self.conf]

    def sizes(self) -> dict[str, float]:
        return {"index_mb": size_mb(self.conf / "xapiandb"), "store_mb": size_mb(self.texts)}


ENGINES: dict[
    str, type[AppEngine] | type[Fts5Engine] | type[NaiveWhooshEngine] | type[RecollEngine]
] = {
    "app": AppEngine,
    "fts5": Fts5Engine,
    "naive_whoosh": NaiveWhooshEngine,
    "recoll": RecollEngine,
}

"""Searching an archive: queries and filters over the index and SQLite, snippets, facets."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from archive_browser.core.archive.base import ArchiveBase
from archive_browser.core.archive.lineage import LineageManager
from archive_browser.core.index import (
    HighlightTerms,
    ParsedQuery,
    Snippet,
    contains_forms,
    make_snippet,
    match_spans,
)
from archive_browser.core.model import Release
from archive_browser.core.reports import SearchResults
from archive_browser.core.search import Filter, SearchSpec
from archive_browser.core.store.base import chunks

#: Snippets are cut from this many characters at the start of a release.
SNIPPET_SCAN = 20_000


class SearchManager:
    """Finds releases in one archive and says where the query's words are."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive

    def parse(self, text: str) -> ParsedQuery:
        """Parses a query; raises MalformedQueryError with a message for the user."""
        return self._archive._require_index().parse(text)

    def search(
        self,
        query: str | ParsedQuery,
        *,
        sort: str = "relevance",
        limit: int | None = 20,
        filters: Sequence[Filter] = (),
        first_versions: bool = False,
    ) -> SearchResults:
        """Releases matching `query` (all releases for an empty query) and every filter, in
        `sort` order: "relevance", "date" (oldest first) or "-date" (newest first);
        `first_versions` leaves out later versions of a release (counted out too)."""
        if first_versions:
            found = self.search(query, sort=sort, limit=None, filters=filters)
            kept = LineageManager(self._archive).first_versions(found.ids)
            kept_scores = found.scores
            if kept_scores:
                score_of = dict(zip(found.ids, kept_scores, strict=True))
                kept_scores = [score_of[i] for i in kept]
            total = len(kept)
            if limit:
                kept, kept_scores = kept[:limit], kept_scores[:limit]
            return SearchResults(found.query, total, kept, kept_scores)
        index = self._archive._require_index()
        store = self._archive.store
        parsed = query if isinstance(query, ParsedQuery) else index.parse(query)
        pairs = [(f.field, f.value) for f in filters]
        if parsed.is_everything:
            order = "date" if sort == "date" else "-date"
            ids = store.filter_ids(None, pairs, order) if pairs else store.ids(order)
            return SearchResults(parsed, len(ids), ids[:limit] if limit else ids, [])
        if not pairs and not parsed.exact:
            hits = index.search(parsed, sort=sort, limit=limit)
            return SearchResults(parsed, hits.total, hits.ids, hits.scores)
        hits = index.search(parsed, sort=sort, limit=None)
        kept = store.filter_ids(hits.ids, pairs) if pairs else hits.ids
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
            rows = self._archive.store.release_rows(chunk, columns)
            kept += [
                i for i in chunk if i in rows and contains_forms("\n".join(rows[i]), sequences)
            ]
        return kept

    def run(self, spec: SearchSpec, limit: int | None = None) -> SearchResults:
        """Runs a search spec: its query, filters and sort."""
        return self.search(
            spec.query,
            sort=spec.sort,
            limit=limit,
            filters=spec.filters,
            first_versions=spec.first_versions,
        )

    def sort_ids(self, ids: Sequence[int], order: str) -> list[int]:
        """Release ids by date: "date" oldest first, "-date" newest first; unknown dates last,
        ids of releases that do not exist left out."""
        rows = self._archive.store.release_rows(list(ids), ("date",))
        dates = {i: row[0] for i, row in rows.items()}
        known = sorted((i for i in dict.fromkeys(ids) if dates.get(i)), key=lambda i: (dates[i], i))
        if order == "-date":
            known.reverse()
        elif order != "date":
            raise ValueError(f"cannot sort by {order!r}")
        return known + [i for i in dict.fromkeys(ids) if i in dates and not dates[i]]

    def facets(self, ids: Sequence[int] | None = None) -> dict[str, list[tuple[str, int]]]:
        """Counts by tag, year, source, language and kind among `ids` (all when None)."""
        archive = self._archive
        db = archive.store.db
        # Releases another process stored (an import's child) are counted too.
        stamp = (archive.data_generation, db.execute("SELECT max(id) FROM releases").fetchone()[0])
        return archive.facet_counts.counts(db, stamp, ids)

    def highlight_terms(self, query: ParsedQuery) -> HighlightTerms:
        return self._archive._require_index().highlight_terms(query)

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
        # Without words to find, a snippet is the text's start (its first `width` characters
        # and whether more follow); only that much of each text is read.
        scan = SNIPPET_SCAN if terms else width + 1
        for release_id, summary, body in self._texts(ids, scan):
            text = (f"{summary}\n{body}" if summary else body)[:scan]
            out[release_id] = make_snippet(text, match_spans(text, terms), width)
        return out

    def _texts(self, ids: Sequence[int], chars: int) -> Iterator[tuple[int, str, str]]:
        """(id, summary, the first `chars` characters of the body) of each release: long
        transcripts are cut by SQLite, not carried whole into Python to be cut there."""
        db = self._archive.store.db
        for chunk in chunks(ids, 900):
            marks = ",".join("?" * len(chunk))
            yield from db.execute(
                f"SELECT id, summary, substr(body, 1, ?) FROM releases WHERE id IN ({marks})",
                [chars, *chunk],
            )

    def hit_spans(
        self, release: Release, query: ParsedQuery | HighlightTerms
    ) -> dict[str, list[tuple[int, int]]]:
        """Where the query's words are in a release's title, summary and body."""
        terms = query if isinstance(query, HighlightTerms) else self.highlight_terms(query)
        return {
            name: match_spans(getattr(release, name), terms)
            for name in ("title", "summary", "body")
        }

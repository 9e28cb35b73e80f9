"""The full-text index behind a narrow interface: the rest of the program sees `SearchIndex`,
`ParsedQuery`, `IndexHits` and `HighlightTerms`, never Whoosh itself."""

from archive_browser.core.index.engine import IndexHits, IndexUnavailable, IndexWriter, SearchIndex
from archive_browser.core.index.highlight import (
    HighlightTerms,
    Snippet,
    contains_forms,
    make_snippet,
    match_spans,
)
from archive_browser.core.index.query import ParsedQuery
from archive_browser.core.index.schema import INDEX_FORMAT

__all__ = [
    "INDEX_FORMAT",
    "HighlightTerms",
    "IndexHits",
    "IndexUnavailable",
    "IndexWriter",
    "ParsedQuery",
    "SearchIndex",
    "Snippet",
    "contains_forms",
    "make_snippet",
    "match_spans",
]

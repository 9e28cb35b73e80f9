"""Highlighting a query just searched reuses the words its patterns stood for in each segment;
the words marked are those that expanding the patterns again over the whole index gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run

QUERIES = [
    "ukrane~",
    "goverment~2/1",
    "presdent~ security",
    "pres*",
    "secur* AND treaty",
    "(secur* OR pres*) AND treaty",
    "ukrain* NOT russia",
    "secur* NOT pres*",
    "title:ukrain*",
    "tag:check* AND ukraine",
    "secur* date:[2022 to 2022]",
    "(secur* AND NOT treaty) OR peace",
    '"prime minister" AND secur*',
    "exact:Ukrainian secur*",
]


@pytest.fixture
def several_segments(archive: Archive, sample: Path, corpus: Path) -> Archive:
    run(archive.import_paths([corpus / "zelenskyy.csv"]))
    run(archive.import_paths([sample], ImportOptions(source="CSTO")))
    some = archive.search("ukraine", limit=40).ids
    archive.tag(some[::2], ["checked"])  # deleted documents in the older segments
    return archive


@pytest.mark.parametrize("sort", ["relevance", "-date"])
def test_highlight_after_a_search_marks_what_expanding_again_marks(
    several_segments: Archive, sort: str
) -> None:
    archive = several_segments
    index = archive._require_index()
    reused = 0
    for text in QUERIES:
        parsed = archive.parse(text)
        archive.search(parsed, sort=sort)
        kept = index._local.expansions[2]
        after_search = archive.highlight_terms(parsed)
        fresh = index.language._parse(text)  # another query object: nothing to reuse
        assert fresh is not parsed
        assert archive.highlight_terms(fresh) == after_search, text
        reused += bool(kept)
        if kept:
            assert after_search.stems, text
    assert reused >= len(QUERIES) - 3


def test_a_search_of_another_query_is_not_reused(several_segments: Archive) -> None:
    archive = several_segments
    first = archive.parse("ukrane~")
    archive.search(first)
    other = archive.parse("pres*")
    archive.search(other)
    assert archive.highlight_terms(first) == archive.highlight_terms(
        archive._require_index().language._parse("ukrane~")
    )
    assert "ukrain" in archive.highlight_terms(first).stems

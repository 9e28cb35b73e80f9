"""Parsed queries are kept and reused: a query parsed again is the same object, answers the
same as it did the first time (searching changes nothing in it), and a malformed query is
refused every time it is parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import MalformedQueryError, QueryTooBroadError
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run

QUERIES = [
    "security",
    "security council",
    '"collective security treaty organization"',
    '"of the"',
    "secur* NOT pres*",
    "(secur* AND NOT treaty) OR peace",
    '"security council"~3 OR ukrain*',
    "ukrane~",
    "president OR minister",
    "tag:csto AND security",
    "security date:[2013 to 2014]",
    "date:[2013 to 2013]",
    "exact:Security",
]


@pytest.fixture
def filled(archive: Archive, sample: Path) -> Archive:
    run(archive.import_paths([sample], ImportOptions(source="CSTO", tags=["CSTO"])))
    return archive


def _answer(archive: Archive, query: str, sort: str) -> tuple:
    results = archive.search(query, sort=sort, limit=None)
    snippets = archive.snippets(results.ids[:20], results.query)
    return (
        results.total,
        results.ids,
        results.scores,
        [snippets[i].marked() for i in results.ids[:20]],
    )


@pytest.mark.parametrize("sort", ["relevance", "-date"])
def test_a_query_parsed_again_is_reused_and_answers_the_same(filled: Archive, sort: str) -> None:
    first = {q: _answer(filled, q, sort) for q in QUERIES}
    assert sum(1 for total, *_ in first.values() if total) >= len(QUERIES) - 2
    for q in QUERIES:
        assert filled.searches.parse(q) is filled.searches.parse(q)
        assert _answer(filled, q, sort) == first[q], q


def test_a_malformed_query_is_refused_every_time(filled: Archive) -> None:
    for _ in range(3):
        with pytest.raises(MalformedQueryError):
            filled.search('"security council')
        with pytest.raises(MalformedQueryError):
            filled.search("nosuchfield:word")
        with pytest.raises(QueryTooBroadError):
            filled.search("**")


def test_queries_differing_only_in_spaces_or_case_are_parsed_apart(filled: Archive) -> None:
    a = filled.searches.parse("Security")
    b = filled.searches.parse("security")
    assert a is not b
    assert (a.text, b.text) == ("Security", "security")
    assert filled.search(a).ids == filled.search(b).ids

"""Queries evaluated as arrays (`core/index/arrays.py`) give what Whoosh's own matchers give:
the same matches, counts, scores and order, on a real archive with several segments and
deleted documents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import query as wq

from archive_browser.core.archive import Archive
from archive_browser.core.importers import ImportOptions
from archive_browser.core.index import arrays
from archive_browser.core.index import query as index_query
from archive_browser.core.index.query import ParsedQuery
from archive_browser.core.jobs import run
from tests.conftest import SAMPLE, copy_archive, shared_file

QUERIES = [
    "president",
    "ukraine",
    "security council",
    "president OR minister",
    "president^3 visit",
    "pres*",
    "secur* AND treaty",
    "(secur* OR pres*) AND treaty",
    "ukrane~",
    "goverment~2/1",
    "ukrain* NOT russia",
    "secur* NOT pres*",
    "title:security",
    "title:ukrain*",
    "tag:checked",
    "tag:checked AND ukraine",
    "peace date:[2022 to 2022]",
    "sovereignty date:2021",
    "noconsistentwordlikethis",
    '"prime minister" AND secur*',
    '"prime minister"',
    '"armed forces of ukraine"',
    '"of the"',
    '"ukraine ukraine"',
    'title:"prime minister"',
    '"security council" OR "prime minister"',
    '"nosuchword at all"',
    # Answered by Whoosh's matchers (a NOT inside OR, a phrase with slop), with the expanded
    # terms in them given as list matchers.
    "(secur* AND NOT treaty) OR peace",
    '"security council"~3 OR ukrain*',
]
WHOOSH_ONLY = QUERIES[-2:]


@pytest.fixture(scope="module")
def several_segments_folder(
    tmp_path_factory: pytest.TempPathFactory, zelenskyy_archive: Path
) -> Path:
    """The real releases of zelenskyy.csv, then the sample, then some of them re-indexed: built
    once for this module's tests, which only read it."""
    folder = copy_archive(zelenskyy_archive, tmp_path_factory.mktemp("segments") / "archive")
    with Archive.open(folder) as archive:
        run(archive.import_paths([shared_file(SAMPLE)], ImportOptions(source="CSTO")))
        # Re-indexed releases leave deleted documents in the older segments.
        some = archive.search("ukraine", limit=40).ids
        archive.tag(some[::2], ["checked"])
    return folder


@pytest.fixture
def several_segments(several_segments_folder: Path, tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(copy_archive(several_segments_folder, tmp_path / "segments")) as archive:
        yield archive


def _words_ored(q: wq.Query, reader: object) -> wq.Query:
    """`q` with each expanded term written out as the OR of the words it stands for.

    Whoosh scores a prefix or fuzzy term inside AND with BM25F, but alone it gives some or
    all of its matches a constant score (so that they come in import order); the arrays rank
    it by BM25F always, which is what Whoosh gives for the OR of its words."""
    if isinstance(q, index_query._ExpandedInBulk):
        return wq.Or([wq.Term(q.field(), w) for w in q.expanded_in_bulk(reader)], boost=q.boost)
    if q.is_leaf():
        return q
    return q.apply(lambda child: _words_ored(child, reader))


def _whoosh_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrays, "evaluate", lambda searcher, q: None)
    monkeypatch.setattr(
        index_query._ExpandedInBulk,
        "matcher",
        lambda self, searcher, context=None: super(index_query._ExpandedInBulk, self).matcher(
            searcher, context
        ),
    )


def test_array_evaluation_answers_as_whoosh_does(
    several_segments: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    index = several_segments._require_index()
    searcher = index._searcher()
    assert len(searcher.leaf_searchers()) > 1
    assert searcher.reader().has_deletions()
    evaluated = [q for q in QUERIES if arrays.evaluate(searcher, index.parse(q).query) is not None]
    assert len(evaluated) >= 20  # most of the list is answered by the arrays
    assert not set(WHOOSH_ONLY) & set(evaluated)
    runs = [
        (q, sort, limit) for q in QUERIES for sort in ("relevance", "date") for limit in (None, 20)
    ]
    fast = {run: index.search(index.parse(run[0]), sort=run[1], limit=run[2]) for run in runs}
    reader = searcher.reader()
    with monkeypatch.context() as m:
        _whoosh_only(m)
        slow = {}
        for text, sort, limit in runs:
            parsed = index.parse(text)
            written_out = ParsedQuery(text, _words_ored(parsed.query, reader), parsed.exact)
            slow[text, sort, limit] = index.search(written_out, sort=sort, limit=limit)
    assert fast["pres*", "relevance", None].total > 100
    assert fast["noconsistentwordlikethis", "relevance", None].total == 0
    for case in runs:
        a, b = fast[case], slow[case]
        assert a.total == b.total, case
        if case[1] != "relevance":
            assert a.ids == b.ids, case
            continue
        # The same scores in the same order; documents of equal score may change places
        # only among themselves.
        assert a.scores == pytest.approx(b.scores, rel=1e-12), case
        score_of = dict(zip(b.ids, b.scores, strict=True))
        assert [score_of.get(i) for i in a.ids] == pytest.approx(a.scores, rel=1e-12), case


def test_columns_read_as_arrays_are_whooshs_columns(several_segments: Archive) -> None:
    searcher = several_segments._require_index()._searcher()
    reader = searcher.reader()
    for field, translate in (("id", True), ("date", False), ("nodate", False)):
        expected = [int(v) for v in reader.column_reader(field, translate=translate)]
        assert arrays.column(searcher, field).tolist() == expected, field
    ids = arrays.column(searcher, "id").tolist()
    # Every stored release, and the older versions of the re-indexed ones (deleted).
    assert set(ids) == set(several_segments.store.ids())
    assert len(ids) > len(set(ids))

"""The index writer with the compact posting pool writes what Whoosh's own writer writes for the
same real releases: every term and posting (document, weight, positions), the terms'
statistics, every field length, stored field and column, and searches answer the same ids
with the same scores; also when it writes several segments, and through updates, deletions
and merges of segments."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import archive_browser.core.index.pool as pool_module
import archive_browser.core.index.postings as postings_module
import archive_browser.core.index.runs as runs_module
from archive_browser.core.archive import Archive
from archive_browser.core.index.engine import SearchIndex
from archive_browser.core.index.pool import CompactPool
from archive_browser.core.index.schema import CompactPositions
from archive_browser.core.jobs import run
from archive_browser.core.model import Release
from tests.conftest import CORPUS, SAMPLE, index_release, shared_file

QUERIES = [
    "president",
    "security council",
    '"the russian federation"',
    '"in the"',
    '"members of the security council"',
    "ukraine OR россия",
    "title:meeting",
    "source:kremlin",
    "tags:urgent",
    "notes:checked",
    "meet* -putin",
    "presdent~1",
    "date:2022-06",
    "lang:en",
]


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> list[Release]:
    """The shared corpus and sample as the store gives them after a real import, some with
    tags and notes, one very long (positions past 16 bits)."""
    folder = tmp_path_factory.mktemp("source") / "archive"
    archive = Archive.open(folder)
    try:
        run(archive.import_paths([shared_file(CORPUS), shared_file(SAMPLE)]))
        stored = list(archive.store.iter_releases())
    finally:
        archive.close()
    assert len(stored) > 1500
    out = []
    for r in stored:
        if r.id % 7 == 0:
            r = dataclasses.replace(r, tags=["urgent", f"batch {r.id % 3}"], notes="checked twice")
        out.append(r)
    long_body = " ".join(stored[0].body for _ in range(80))
    out.append(dataclasses.replace(stored[0], id=stored[-1].id + 1, body=long_body))
    return out


def _index(path: Path, batches: list[list[tuple[str, Any]]], whoosh: bool) -> SearchIndex:
    """An index made by one writer per batch of (what, release or id) steps."""
    index = SearchIndex.create(path)
    for batch in batches:
        with index.writer(bulk=True, whoosh=whoosh) as w:
            for what, item in batch:
                if what == "add":
                    w.add(item)
                elif what == "update":
                    w.update(item)
                else:
                    w.delete(item)
    return index


def _postings(reader: Any, field: str, text: bytes) -> list[tuple[int, float, bytes]]:
    m = reader.postings(field, text)
    out = []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def _term_stats(info: Any) -> tuple[Any, ...]:
    return (
        info.weight(),
        info.doc_frequency(),
        info.min_length(),
        info.max_length(),
        info.max_weight(),
        info.min_id(),
        info.max_id(),
    )


def _live_docs(reader: Any) -> list[int]:
    return [d for d in range(reader.doc_count_all()) if not reader.is_deleted(d)]


def assert_same_index(
    ours: SearchIndex, theirs: SearchIndex, *, segments_alike: bool = True
) -> None:
    """Every term, posting, statistic, field length, stored field and column of two indexes
    (by global document number), and the answers to QUERIES, are the same. Unless the
    segments are `alike`, a field length of none (a segment without the field) and 0 (a
    document without it) are taken as the same."""
    with ours._ix.searcher() as so, theirs._ix.searcher() as st:
        a, b = so.reader(), st.reader()
        assert _live_docs(a) == _live_docs(b)
        terms = list(a.all_terms())
        assert terms == list(b.all_terms())
        assert len(terms) > 10_000
        fields = {f for f, _ in terms}
        assert {"text", "pairs", "title", "tags", "notes", "id", "date"} <= fields
        for field, text in terms:
            assert _term_stats(a.term_info(field, text)) == _term_stats(b.term_info(field, text))
            assert _postings(a, field, text) == _postings(b, field, text), (field, text)
        docs = _live_docs(a)
        for field in ("text", "pairs", "title", "notes", "source", "place", "tags"):
            mine = [a.doc_field_length(d, field) for d in docs]
            other = [b.doc_field_length(d, field) for d in docs]
            if not segments_alike:
                mine, other = [n or 0 for n in mine], [n or 0 for n in other]
            assert mine == other, field
            assert a.field_length(field) == b.field_length(field)
            if segments_alike:  # Whoosh cannot tell it of a segment without the field
                assert a.max_field_length(field) == b.max_field_length(field)
        assert [a.stored_fields(d) for d in docs] == [b.stored_fields(d) for d in docs]
        for name in ("id", "date", "nodate"):
            ca = a.column_reader(name, translate=False)
            cb = b.column_reader(name, translate=False)
            assert [ca[d] for d in docs] == [cb[d] for d in docs]
    for text in QUERIES:
        parsed = ours.parse(text)
        for sort in ("relevance", "-date"):
            mine = ours.search(parsed, sort=sort, limit=None)
            other = theirs.search(parsed, sort=sort, limit=None)
            assert mine == other, text
    assert ours.search(ours.parse("president"), limit=None).total > 500


def _both(tmp_path: Path, batches: list[list[tuple[str, Any]]]) -> Iterator[SearchIndex]:
    yield _index(tmp_path / "ours", batches, whoosh=False)
    yield _index(tmp_path / "theirs", batches, whoosh=True)


@pytest.fixture(scope="module")
def whooshs(tmp_path_factory: pytest.TempPathFactory, releases: list[Release]) -> SearchIndex:
    """The releases indexed by Whoosh's own writer, in one writer."""
    path = tmp_path_factory.mktemp("whooshs") / "ix"
    return _index(path, [[("add", r) for r in releases]], whoosh=True)


def test_one_writer_writes_what_whooshs_writes(
    tmp_path: Path, releases: list[Release], whooshs: SearchIndex
) -> None:
    ours = _index(tmp_path / "ours", [[("add", r) for r in releases]], whoosh=False)
    assert len(ours._ix._segments()) == 1
    assert_same_index(ours, whooshs)


def test_a_pool_filled_many_times_writes_what_one_pool_does(
    tmp_path: Path,
    releases: list[Release],
    whooshs: SearchIndex,
    monkeypatch: pytest.MonkeyPatch,
    spilled: list[int],
) -> None:
    """With a pool of 2 MiB, the writer writes a run every few hundred releases and merges
    them at the end (a few hundred postings at a time): one segment, byte for byte the one
    Whoosh's writer makes when every block is compressed."""
    monkeypatch.setattr(pool_module, "POOL_LIMIT_MB", 2)
    monkeypatch.setattr(runs_module, "MERGE_TERMS", 1000)
    # Slices of a few postings (a term's at least) and values gathered a few bytes at a time.
    monkeypatch.setattr(runs_module, "MERGE_POSTINGS", 3000)
    monkeypatch.setattr(runs_module, "_GATHER_BYTES", 100)
    ours = _index(tmp_path / "ours", [[("add", r) for r in releases]], whoosh=False)
    assert len(spilled) >= 4
    assert len(ours._ix._segments()) == 1
    assert_same_index(ours, whooshs)
    monkeypatch.setattr(postings_module, "COMPRESS_FROM", 0)
    every = _index(tmp_path / "every", [[("add", r) for r in releases]], whoosh=False)
    assert _segment_files(every) == _segment_files(whooshs)


@pytest.mark.parametrize("pool_mb", [96, 1])
def test_updates_deletions_and_merges_as_whooshs(
    tmp_path: Path,
    releases: list[Release],
    pool_mb: int,
    monkeypatch: pytest.MonkeyPatch,
    spilled: list[int],
) -> None:
    """Many small commits, so that Whoosh's merge policy merges old segments into the new
    one (their postings come into the pool one by one), with updates and deletions; also
    with a pool so small that the merged segments' postings fill it (runs)."""
    monkeypatch.setattr(pool_module, "POOL_LIMIT_MB", pool_mb)
    head, rest = releases[:1200], releases[1200:]
    batches: list[list[tuple[str, Any]]] = [[("add", r) for r in head]]
    for start in range(0, len(rest), 60):
        batch: list[tuple[str, Any]] = [("add", r) for r in rest[start : start + 60]]
        changed = head[start // 10 : start // 10 + 5]
        batch += [("update", dataclasses.replace(r, title=r.title + " revised")) for r in changed]
        batch += [("delete", head[-1 - start // 60].id)]
        batches.append(batch)
    ours, theirs = _both(tmp_path, batches)
    assert bool(spilled) == (pool_mb == 1)
    assert len(ours._ix._segments()) == len(theirs._ix._segments())
    assert_same_index(ours, theirs)


def test_positions_are_encoded_as_the_format_encodes_each() -> None:
    fmt = CompactPositions()
    counts = np.array([1, 3, 2])
    for positions in (np.array([5, 0, 7, 9, 2, 4]), np.array([5, 0, 7, 70_000, 2, 4])):
        values, lengths = fmt.encode_grouped(counts, positions)
        expected = [fmt.encode(p.tolist()) for p in np.split(positions, [1, 4])]
        assert values == b"".join(expected)
        assert lengths.tolist() == [len(e) for e in expected]


def test_pool_sorts_postings_given_out_of_order() -> None:
    """Postings of a term whose documents come out of order (as from merged segments) are
    read back sorted by field, term and document, values (or none) kept with each."""
    pool = CompactPool()
    given = [
        ("text", b"b", 7, 1.0, b"\x01"),
        ("id", b"\x00\x01", 3, 1.0, None),
        ("text", b"a", 9, 2.5, b"xy"),
        ("text", b"b", 2, 3.0, b""),
        ("text", b"a", 1, 0.1, b"z"),
    ]
    for item in given:
        pool.add(item)
    pool.add_words("text", 4, ["b", "c", "b"], None, 1.0, 1.0, CompactPositions().encode_grouped)
    got = list(pool.iter_postings())
    assert [(f, t, d) for f, t, d, _, _ in got] == [
        ("id", b"\x00\x01", 3),
        ("text", b"a", 1),
        ("text", b"a", 9),
        ("text", b"b", 2),
        ("text", b"b", 4),
        ("text", b"b", 7),
        ("text", b"c", 4),
    ]
    by_key = {(f, t, d): (w, v) for f, t, d, w, v in got}
    assert by_key[("text", b"a", 1)] == (0.1, b"z")  # a weight that is not a float32
    assert by_key[("text", b"b", 2)] == (3.0, None)
    assert by_key[("text", b"b", 4)] == (2.0, CompactPositions().encode([0, 2]))
    assert by_key[("id", b"\x00\x01", 3)] == (1.0, None)


def test_a_long_release_alone(tmp_path: Path) -> None:
    body = "alpha beta " * 40_000 + "gamma delta"
    batches = [[("add", index_release(1, body)), ("add", index_release(2, "delta gamma"))]]
    ours, theirs = _both(tmp_path, batches)
    for index in (ours, theirs):
        assert index.search(index.parse('"gamma delta"')).ids == [1]
    with ours._ix.searcher() as so, theirs._ix.searcher() as st:
        a, b = so.reader(), st.reader()
        assert list(a.all_terms()) == list(b.all_terms())
        for field, text in a.all_terms():
            assert _postings(a, field, text) == _postings(b, field, text)


def _segment_files(index: SearchIndex) -> dict[str, bytes]:
    """The files inside the index's one segment, by their extension."""
    ix = index._ix
    [segment] = ix._segments()
    storage = segment.open_compound_file(ix.storage) if segment.is_compound() else ix.storage
    names = [n for n in storage.list() if n.startswith(segment.make_filename("."))]
    return {n.split(".", 1)[1]: storage.open_file(n).read() for n in names}


def test_postings_are_whooshs_bytes_but_small_blocks_left_uncompressed(
    tmp_path: Path, releases: list[Release], whooshs: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compressing every block, the postings and terms files are byte for byte those of
    Whoosh's writer; with blocks under COMPRESS_FROM bytes left as they are, the postings
    file is smaller and Whoosh's reader reads the same postings from it (see above)."""
    theirs = _segment_files(whooshs)
    monkeypatch.setattr(postings_module, "COMPRESS_FROM", 0)
    every = _segment_files(_index(tmp_path / "every", [[("add", r) for r in releases]], False))
    assert every.keys() == theirs.keys() and {"pst", "trm"} <= every.keys()
    for ext, data in every.items():
        assert data == theirs[ext], ext
    # Postings turned into lists 97 at a time (terms of more are cut across runs of lists).
    monkeypatch.setattr(postings_module, "_LIST_POSTINGS", 97)
    runs = _segment_files(_index(tmp_path / "runs", [[("add", r) for r in releases]], False))
    assert runs == every
    monkeypatch.undo()
    assert postings_module.COMPRESS_FROM > 0
    ours = _segment_files(_index(tmp_path / "ours", [[("add", r) for r in releases]], False))
    assert ours["trm"] != theirs["trm"]  # the terms' extents moved
    assert len(ours["pst"]) < 0.99 * len(theirs["pst"])
    assert {k: v for k, v in ours.items() if k not in ("pst", "trm")} == {
        k: v for k, v in theirs.items() if k not in ("pst", "trm")
    }


def test_long_releases_among_others_are_written_as_whooshs(
    tmp_path: Path, releases: list[Release], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words are grouped into postings many releases at a time: releases past 65,535 words
    (their postings of words seen only early stay 16-bit, the others 32-bit) among ordinary
    ones give the segment Whoosh's writer makes, with words grouped a few at a time too."""
    monkeypatch.setattr(pool_module, "_WORDS_CHUNK", 5000)
    words = releases[0].body.split()
    long_body = " ".join(words[i % len(words)] for i in range(70_000)) + " zebrafinch late"
    long_ones = [
        dataclasses.replace(releases[1], id=10_001, body="early aardvark " + long_body),
        dataclasses.replace(releases[2], id=10_002, body=long_body + " aardvark"),
    ]
    chosen = releases[:150] + long_ones + releases[150:300]
    monkeypatch.setattr(postings_module, "COMPRESS_FROM", 0)
    ours = _index(tmp_path / "ours", [[("add", r) for r in chosen]], whoosh=False)
    theirs = _index(tmp_path / "theirs", [[("add", r) for r in chosen]], whoosh=True)
    assert _segment_files(ours) == _segment_files(theirs)
    assert ours.search(ours.parse('"early aardvark"')).ids == [10_001]
    assert ours.search(ours.parse('"zebrafinch late"')).total == 2

"""The index's compact word positions: what is written is read back, phrases are found at
any place in a long text, and the postings match what Whoosh's own format makes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from whoosh import formats

from archive_browser.core.index.analysis import stemming_analyzer
from archive_browser.core.index.engine import SearchIndex
from archive_browser.core.index.schema import CompactPositions
from tests.conftest import index_release

positions = st.lists(st.integers(0, 2**32 - 1), unique=True).map(sorted)


@given(positions)
def test_positions_read_back_as_written(places: list[int]) -> None:
    fmt = CompactPositions()
    value = fmt.encode(places)
    assert fmt.decode_positions(value) == places
    assert fmt.decode_frequency(value) == len(places)


def test_postings_are_those_of_whooshs_positions_format() -> None:
    text = "The heads of state met; the Heads of STATE agreed. Главы государств встретились."
    analyzer = stemming_analyzer()
    ours = {
        w: (f, wt, CompactPositions().decode_positions(v))
        for w, f, wt, v in CompactPositions().word_values(text, analyzer)
    }
    plain = formats.Positions()
    theirs = {
        w: (f, wt, plain.decode_positions(v)) for w, f, wt, v in plain.word_values(text, analyzer)
    }
    assert ours == theirs
    assert ours["head"] == (2, 2.0, [1, 6])


def test_a_phrase_far_into_a_long_release_is_found(tmp_path: Path) -> None:
    index = SearchIndex.create(tmp_path / "ix")
    filler = "word " * 70_000  # past 65,535 words: positions need 32 bits
    with index.writer() as w:
        w.add(index_release(1, filler + "collective security treaty"))
        w.add(index_release(2, "security collective " + filler))
    hits = index.search(index.parse('"collective security"'))
    assert hits.ids == [1]
    assert index.search(index.parse('"security collective"')).ids == [2]

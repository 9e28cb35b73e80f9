"""The index trusts nothing read from its folder, and no query reads without bound."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from archive_browser.core.errors import IndexDamagedError, QueryTooBroadError
from archive_browser.core.index import IndexUnavailable, SearchIndex, budget, safe_pickle
from tests.conftest import index_release


class _WouldCreate:
    def __init__(self, path: Path) -> None:
        self.path = str(path)

    def __reduce__(self) -> tuple[object, ...]:
        return (open, (self.path, "w"))


def _words(n: int, prefix: str = "") -> list[str]:
    """n distinct made-up words (no stemmer changes them: letters only, no endings)."""
    letters = "bcdfghjklmnpqrstvwxz"
    out = []
    for i in range(n):
        word, k = "", i
        for _ in range(4):
            word += letters[k % 20]
            k //= 20
        out.append(prefix + "q" + word)
    return out


@pytest.fixture
def wide(tmp_path: Path) -> SearchIndex:
    """An index of 300 releases holding 3,000 distinct words, all beginning with q."""
    index = SearchIndex.create(tmp_path / "index")
    words = _words(3000)
    with index.writer() as w:
        for i in range(300):
            w.add(index_release(i + 1, " ".join(words[i * 10 : i * 10 + 10]) + " common"))
    yield index
    index.close()


def test_safe_unpickler_refuses_what_an_index_never_holds(tmp_path: Path) -> None:
    marker = tmp_path / "made"
    with pytest.raises(pickle.UnpicklingError, match=r"io\.open"):
        safe_pickle.loads(pickle.dumps(_WouldCreate(marker), 2))
    assert not marker.exists()
    # What Whoosh stores does load: numbers, bytes, sets, arrays.
    data = ((1, 2.5, b"\x00\xff"), {3}, frozenset({4}))
    assert safe_pickle.loads(pickle.dumps(data, 2)) == data


def test_crafted_toc_is_damage_and_never_runs(tmp_path: Path) -> None:
    from tests.e2e.test_damaged_index import _rewrite_toc

    index = SearchIndex.create(tmp_path / "index")
    with index.writer() as w:
        w.add(index_release(1, "hello"))
    index.close()
    marker = tmp_path / "made"
    toc = next((tmp_path / "index").glob("_MAIN_*.toc"))
    _rewrite_toc(toc, schema=pickle.dumps(_WouldCreate(marker), 2))
    with pytest.raises(IndexUnavailable) as raised:
        SearchIndex.open(tmp_path / "index", inside=tmp_path)
    assert raised.value.reason == "damaged" and "io.open" in str(raised.value)
    assert not marker.exists()


@pytest.mark.parametrize("name", ["..", "../elsewhere", "/tmp/index", "a/b", "link"])
def test_index_folder_must_be_a_plain_child(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    real = tmp_path / "elsewhere"
    SearchIndex.create(real).close()
    if name == "link":
        (archive / "link").symlink_to(real)
    with pytest.raises(IndexUnavailable) as raised:
        SearchIndex.open(archive / name, inside=archive)
    assert raised.value.reason == "damaged"


def test_index_folder_holding_a_link_is_damaged(tmp_path: Path) -> None:
    SearchIndex.create(tmp_path / "index").close()
    (tmp_path / "index" / "MAIN_WRITELOCK").unlink(missing_ok=True)
    (tmp_path / "index" / "MAIN_WRITELOCK").symlink_to(tmp_path / "anywhere")
    with pytest.raises(IndexUnavailable, match="symbolic links"):
        SearchIndex.open(tmp_path / "index", inside=tmp_path)


def test_failed_read_marks_the_index_damaged_for_the_next_opening(tmp_path: Path) -> None:
    index = SearchIndex.create(tmp_path / "index")
    with index.writer() as w:
        for i in range(20):
            w.add(index_release(i + 1, "security council"))
    index.close()
    seg = next((tmp_path / "index").glob("*.seg"))
    data = bytearray(seg.read_bytes())
    index = SearchIndex.open(tmp_path / "index", inside=tmp_path)
    # Garble every posting of the segment but its headers: the search meets it.
    reader = index._searcher().leaf_searchers()[0][0].reader()
    info = reader._terms.term_info("text", b"secur")
    start = int(reader._storage.a._dir[reader._segment.make_filename(".pst")]["offset"])
    at = start + int(info._offset)
    data[at : at + 4] = b"XXXX"
    index.close()
    seg.write_bytes(bytes(data))
    index = SearchIndex.open(tmp_path / "index", inside=tmp_path)
    with pytest.raises(IndexDamagedError, match="being rebuilt"):
        index.search(index.parse("security"))
    assert index.damaged and "Block tag error" in index.damaged
    index.close()
    with pytest.raises(IndexUnavailable) as raised:
        SearchIndex.open(tmp_path / "index", inside=tmp_path)
    assert raised.value.reason == "damaged"


def test_verify_reads_every_posting(tmp_path: Path) -> None:
    index = SearchIndex.create(tmp_path / "index")
    with index.writer() as w:
        for i in range(50):
            w.add(index_release(i + 1, f"word{i} shared text"))
    assert list(index.verify())[-1] == (1, 1)
    assert index.damaged is None
    index.close()


@pytest.mark.parametrize("query", ["**", "?*", "*?*", "title:**"])
def test_pattern_of_wildcards_only_is_refused_on_parsing(wide: SearchIndex, query: str) -> None:
    with pytest.raises(QueryTooBroadError, match="every word; add letters"):
        wide.parse(query)


@pytest.mark.parametrize(
    ("query", "culprit"),
    [
        ("[a TO z]", "the range [a TO z] covers"),
        ("q*", "`q*` matches"),
        ("*b*", "`*b*` matches"),
        ("qb* OR qc* OR qd* OR qf* OR qg* OR qh* OR qj* OR qk* OR ql*", "with the query's other"),
    ],
)
def test_broad_expansion_is_refused_with_its_reason(
    wide: SearchIndex, query: str, culprit: str
) -> None:
    spent = budget.QueryBudget(max_words=1000)
    with pytest.raises(QueryTooBroadError, match="too broad") as raised, budget.bounded(spent):
        wide.search(wide.parse(query))
    assert culprit in str(raised.value)
    # Refused as soon as the cap was passed: no more words were expanded.
    assert spent.words == 1001


def test_wide_range_is_refused_at_the_default_limit(wide: SearchIndex) -> None:
    assert budget.MAX_WORDS < 3000
    with pytest.raises(QueryTooBroadError, match="covers more than"):
        wide.search(wide.parse("[qb TO qz]"))
    with pytest.raises(QueryTooBroadError):
        wide.highlight_terms(wide.parse("q*"))


def test_postings_read_are_bounded(wide: SearchIndex) -> None:
    spent = budget.QueryBudget(max_cost=200)
    with pytest.raises(QueryTooBroadError, match="too broad") as raised, budget.bounded(spent):
        wide.search(wide.parse("common"))  # one word, in all 300 releases
    assert "`common`" in str(raised.value)
    assert spent.cost == 300


def test_narrow_patterns_and_ranges_still_answer(wide: SearchIndex) -> None:
    word = _words(3000)[0]
    assert wide.search(wide.parse(f"{word[:4]}*")).total >= 1
    assert wide.search(wide.parse(f"[{word} TO {word}z]")).total >= 1
    assert wide.search(wide.parse("common")).total == 300
    assert wide.search(wide.parse(f"{word[:3]}?{word[4:]}")).total >= 1

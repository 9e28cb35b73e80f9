"""Fuzzing the query language: whatever a user types, parsing gives a query or a clear
`MalformedQueryError`; a query that parses can be searched and its hits cut into snippets,
quickly. Runs on a real archive (SQLite and Whoosh) holding the shared sample."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from archive_browser.core.archive import Archive
from archive_browser.core.errors import MalformedQueryError
from archive_browser.core.index.query import (
    MAX_FUZZY_DISTANCE,
    MAX_NESTING,
    MAX_PATTERN_TERMS,
    MAX_QUERY_CHARS,
    QUERY_FIELDS,
)
from archive_browser.core.jobs import run
from tests.conftest import SAMPLE, shared_file

#: Odd characters: controls, bidirectional marks, combining marks, zero-width and
#: non-characters, lone surrogates, emoji with joiners, typographic quotes and dashes.
ODD = [
    "\x00", "\x07", "\x1b", "\x1f", "\x7f", "\x85", "\u00a0", "\u200b", "\u200d", "\u200e",
    "\u202e", "\u2066", "\u0301", "\u0336", "\u2028", "\ufeff", "\ufffd", "\uffff", "\ud800",
    "\udcff", "\U0010ffff", "😀", "👨\u200d👩\u200d👧", "«", "»", "“", "”", "—", "ё", "İ", "ß",
    "ﬁ", "Ⅻ", "١٢٣", "𝕏", "\t", "\n", "\r",
]  # fmt: skip
odd_characters = st.one_of(st.characters(), st.sampled_from(ODD))
WORDS = [
    "security", "securty", "CSTO", "Moscow", "ministers", "meet", "summit", "the", "a", "s",
    "совет", "Москва", "заседание", "безопасность", "علم", "שלום", "中国", "2013", "28",
]  # fmt: skip
SYNTAX = [
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "and", "or", "not", "(", ")", "[",
    "]", "{", "}", '"', "'", "*", "?", "~", "~1", "~2", "~3", "~9", "~2/1", "^", "^2", "^0.5",
    "^1e400", ":", "to", "TO", "<", ">", "<=", ">=", "-", "+", "\\", "/", ",", ";", ".", "!",
]  # fmt: skip
DATES = ["2013", "2013-05", "2013-05-28", "2013-02-30", "2013-13", "99999", "1", "0000", "today"]


def field_names() -> st.SearchStrategy[str]:
    known = sorted(QUERY_FIELDS)
    return st.sampled_from([*known, *(f.upper() for f in known), "nope", "x-y", "dаte"])


@st.composite
def grammar_queries(draw: st.DrawFn) -> str:
    """Queries built from the pieces of the syntax, often in the wrong order."""
    token = st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(SYNTAX),
        st.sampled_from(ODD),
        st.sampled_from(DATES),
        st.text(max_size=6),
        st.builds(lambda f, v: f"{f}:{v}", field_names(), st.sampled_from(WORDS + DATES + [""])),
        st.builds(
            lambda f, a, b, o, c: f"{f}:{o}{a} to {b}{c}",
            field_names(),
            st.sampled_from([*DATES, ""]),
            st.sampled_from([*DATES, ""]),
            st.sampled_from("[{"),
            st.sampled_from("]}"),
        ),
        st.builds(lambda w, op: f"{w}{op}", st.sampled_from(WORDS), st.sampled_from(SYNTAX)),
        st.builds(lambda w: f'"{w}"', st.text(max_size=20)),
        st.builds(
            lambda f, a, b: f'{f}:"{a} {b}"',
            field_names(),
            st.sampled_from(WORDS),
            st.sampled_from(WORDS + ODD),
        ),
    )
    parts = draw(st.lists(token, max_size=30))
    separators = draw(st.lists(st.sampled_from([" ", "", "  ", "\t"]), min_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, separators, strict=False))


@st.composite
def pathological_queries(draw: st.DrawFn) -> str:
    """Queries that are slow to parse or to search unless the parser limits them."""
    n = draw(st.integers(1, 1200))
    word = draw(st.sampled_from(WORDS))
    shapes = [
        "(" * n + word + ")" * n,
        "(" * n + word,
        f"{word}~{draw(st.integers(0, 99))}",
        " ".join(f"{w}~{draw(st.integers(1, 3))}" for w in WORDS[: draw(st.integers(1, 19))]),
        " ".join(f"*{w}*" for w in WORDS[: draw(st.integers(1, 19))]),
        word * n,
        "x" * (n * 20),
        " ".join([word] * n),
        "NOT " * n + word,
        f"{word} AND " * n + word,
        '"' + " ".join([word] * n) + '"',
        f'"{word} {word}"~{n}',
        "title:" * n + word,
        f"{word}^{n}" * draw(st.integers(1, 50)),
    ]
    return draw(st.sampled_from(shapes))


@pytest.fixture(scope="module")
def searchable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    """One archive holding the shared sample, searched by every example of this module."""
    folder = tmp_path_factory.mktemp("fuzz-query") / "archive"
    archive = Archive.open(folder)
    report = run(archive.import_paths([shared_file(SAMPLE)]))
    assert report is not None and report.imported_ids
    archive.search("security", limit=5)  # opens the searcher before the first timed example
    yield archive
    archive.close()
    shutil.rmtree(folder, ignore_errors=True)


def parses_or_fails_clearly(archive: Archive, text: str) -> None:
    """The property: a query, searched and cut into snippets, or a clear error."""
    try:
        parsed = archive.parse(text)
    except MalformedQueryError as e:
        message = str(e)
        assert message.strip(), f"empty message for {text!r}"
        assert len(message) < 400, message
        message.encode("utf-8")  # printable as it is, by the CLI and the GUI
        return
    results = archive.search(parsed, limit=5)
    assert len(results.ids) <= 5 and results.total >= len(results.ids)
    assert set(results.ids) <= set(archive.store.ids("date"))
    snippets = archive.snippets(results.ids, parsed)
    assert set(snippets) == set(results.ids)
    # The same text searched directly gives the same releases.
    assert archive.search(text, limit=5).ids == results.ids


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(st.text(), st.lists(odd_characters, max_size=80).map("".join)))
@example(text="\ud800")
@example(text="\x00\x1f")
@example(text="NOT NOT a")  # whoosh's IndexError, once shown as "list index out of range"
@example(text="x NOT NOT NOT a")
@example(text="security~9")  # 8 seconds of search before the distance was limited
@example(text="(" * 1000 + "a" + ")" * 1000)  # RecursionError before nesting was limited
@example(text="a" * 20_000)  # 3 seconds of parsing before the length was limited
def test_any_text_parses_or_fails_clearly(searchable: Archive, text: str) -> None:
    parses_or_fails_clearly(searchable, text)


@settings(max_examples=700, deadline=None)
@given(text=grammar_queries())
@example(text="tag:(x y")
@example(text="date:[2013 to 2014}")
@example(text="date:<=2013-02-30")
@example(text='"unclosed phrase')
@example(text="title:~")
@example(text="[ to ]")
@example(text='"0\x1f0"')  # a phrase on tags, which keep no positions: Whoosh's QueryError
@example(text='kind:"press release"')
@example(text="security ANDNOT ANDNOT security")  # whoosh's AssertionError
@example(text="\ud800*")  # UnicodeEncodeError when the wildcard was expanded
def test_query_syntax_parses_or_fails_clearly(searchable: Archive, text: str) -> None:
    parses_or_fails_clearly(searchable, text)


@settings(max_examples=200, deadline=None)
@given(text=pathological_queries())
def test_no_query_takes_long(searchable: Archive, text: str) -> None:
    """Deep nesting, long words, many words, long phrases, wide fuzzy distances and many
    wildcard or fuzzy terms are searched within the parser's limits or refused: what makes a
    query slow is bounded by counts (the run's timeout is only a guard against a hang)."""
    parses_or_fails_clearly(searchable, text)
    try:
        parsed = searchable.parse(text)
    except MalformedQueryError:
        return
    assert len(text.strip()) <= MAX_QUERY_CHARS
    depth, patterns, distances = query_shape(parsed.query)
    assert depth <= 2 * MAX_NESTING + 4, (text[:80], depth)
    assert len(patterns) <= MAX_PATTERN_TERMS, (text[:80], patterns)
    assert max(distances, default=0) <= MAX_FUZZY_DISTANCE, (text[:80], distances)


def query_shape(q: wq.Query, depth: int = 1) -> tuple[int, set[tuple[str, str]], list[int]]:
    """How deep the query tree is, its distinct wildcard, prefix and fuzzy terms, and the
    distances of its fuzzy terms: what a search's work grows with."""
    patterns: set[tuple[str, str]] = set()
    distances: list[int] = []
    if isinstance(q, wq.FuzzyTerm):
        patterns.add(("~", str(q.text)))
        distances.append(q.maxdist)
    elif isinstance(q, wq.Wildcard | wq.Prefix):
        patterns.add(("*", str(q.text)))
    deepest = depth
    for child in q.children():
        child_depth, child_patterns, child_distances = query_shape(child, depth + 1)
        deepest = max(deepest, child_depth)
        patterns |= child_patterns
        distances += child_distances
    return deepest, patterns, distances


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (MAX_QUERY_CHARS + 1), "The query is too long"),
        ("(" * (MAX_NESTING + 1) + "a" + ")" * (MAX_NESTING + 1), "nested too deeply"),
        (f"security~{MAX_FUZZY_DISTANCE + 1}", f"at most {MAX_FUZZY_DISTANCE} letters"),
        (" ".join(f"w{i}*" for i in range(MAX_PATTERN_TERMS + 1)), "wildcard or fuzzy terms"),
        ("NOT NOT a", "has no word to apply to"),
    ],
)
def test_limits_are_explained(searchable: Archive, text: str, message: str) -> None:
    with pytest.raises(MalformedQueryError, match=message):
        searchable.parse(text)


def test_queries_at_the_limits_are_searched(searchable: Archive) -> None:
    nested = "(" * MAX_NESTING + "security" + ")" * MAX_NESTING
    assert searchable.search(nested, limit=5).ids == searchable.search("security", limit=5).ids
    assert searchable.search("securty~2").total > 0
    patterns = " OR ".join(f"secur{'i' * i}*" for i in range(MAX_PATTERN_TERMS))
    assert searchable.search(patterns).total > 0
    long_query = ("security " * (MAX_QUERY_CHARS // 9))[:MAX_QUERY_CHARS]
    assert searchable.search(long_query).total > 0


def test_a_long_word_is_refused_before_it_is_parsed(searchable: Archive) -> None:
    """The limit is on what the parser sees: typographic spaces and quotes are normalised
    first, surrounding white space does not count."""
    parsed = searchable.parse("  " + "x" * MAX_QUERY_CHARS + "\u00a0\n")
    assert not parsed.is_everything and searchable.search(parsed).total == 0
    with pytest.raises(MalformedQueryError, match=f"{MAX_QUERY_CHARS + 1:,} characters"):
        searchable.parse("x" * (MAX_QUERY_CHARS + 1))

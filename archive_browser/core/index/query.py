"""The query language: Whoosh's syntax, with field names, folding and clear error messages.

A bare word searches the `text` field (title, summary, body, notes, source, place and tags),
stemmed; the title is in it twice, so that title hits rank higher. Prefixes (`secur*`,
`securit*`) and fuzzy terms (`Bordyuzha~`) are matched against stems too: a prefix that runs
past the stem of the words it begins (`securit*`, stem "secur") also finds those words.
`exact:` asks for word forms as written; the index holds stems only, so `exact:` terms are
searched by their stems and the releases found are then checked for the forms as written
(see `ParsedQuery.exact`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from whoosh import query as wq
from whoosh.matching import IntersectionMatcher, NullMatcher, WrappingMatcher
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
)
from whoosh.qparser.plugins import PrefixPlugin, WildcardPlugin
from whoosh.query.spans import Span, SpanWrappingMatcher
from whoosh.util import make_binary_tree

import archive_browser.core.index.budget as budget
from archive_browser.core.errors import MalformedQueryError, QueryTooBroadError
from archive_browser.core.index.analysis import iter_words
from archive_browser.core.index.arrays import phrase_units, union_matcher
from archive_browser.core.textnorm import normalize_punctuation

DEFAULT_FIELDS = ("text",)
#: Fields whose terms are stems.
STEMMED_FIELDS = frozenset({"text", "title", "notes", "source", "place"})
FIELD_ALIASES = {
    "text": ["body", "all"],
    "tags": ["tag"],
    "lang": ["language"],
    "place": ["location"],
}
#: Names a user may write before a colon.
QUERY_FIELDS = frozenset(
    {"title", "text", "notes", "source", "place", "exact", "tags", "lang", "kind", "date", "id"}
    | {alias for aliases in FIELD_ALIASES.values() for alias in aliases}
)
#: A prefix query also finds stems this much shorter than its text, down to this length.
STEM_PREFIX_SLACK = 3
STEM_PREFIX_MIN = 4
#: Leading letters a fuzzy term shares with what it matches, unless the query says (`~2/0`):
#: without it, every term of the index is compared, which takes seconds.
DEFAULT_FUZZY_PREFIX = 2

#: Parsed queries kept by a QueryLanguage, the last used.
PARSED_QUERIES = 256

#: Longest query, in characters: parsing a word takes time that grows with the square of its
#: length (2.7 seconds for one of 20,000 letters), and a long query searches slowly.
MAX_QUERY_CHARS = 2000
#: Deepest nesting of brackets; the parser reaches Python's recursion limit at a few hundred.
MAX_NESTING = 20
#: Largest edit distance of a fuzzy term: `security~5` matches most words of the index and
#: takes seconds, `~9` tens of seconds.
MAX_FUZZY_DISTANCE = 2
#: Most wildcard, prefix and fuzzy terms in one query: each is expanded to all the words it
#: matches, which may be thousands.
MAX_PATTERN_TERMS = 10

_SURROGATE = re.compile(r"[\ud800-\udfff]")
_FIELD_PREFIX = re.compile(r"(?<![\w\"'])([^\W\d_][\w-]*):(?=[^\s:])")


_EXACT = re.compile(r'(?<![\w"\'])exact:(?:"([^"]*)"|([^\s()\[\]{}"]+))', re.IGNORECASE)
_NOT_AND = re.compile(r"\b(?:OR|NOT|ANDNOT|ANDMAYBE)\b|[()]")


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query as the user wrote it and as the index understands it. `exact` holds the word
    sequences (folded) that `exact:` asked for: every release found must contain each as
    written."""

    text: str
    query: wq.Query
    exact: tuple[tuple[str, ...], ...] = field(default=())

    @property
    def is_everything(self) -> bool:
        return isinstance(self.query, wq.Every)


class _ExpandedInBulk:
    """For a term that expands to many words: their postings read and scored as arrays
    (see `arrays`), not stepped through by Whoosh's union matcher. Every word it expands to
    (and every word examined to find them) is charged to the query's budget."""

    def label(self) -> str:
        """The term as the user wrote it, for messages."""
        q: Any = self
        return f"`{_field_label(q.fieldname)}{q.text}`"

    def _candidates(self, ixreader: Any) -> Iterator[bytes]:
        q: Any = super()
        return iter(q._btexts(ixreader))

    def _btexts(self, ixreader: Any) -> Iterator[bytes]:
        spend = budget.current()
        what = self.label()
        for btext in self._candidates(ixreader):
            spend.expanded(what)
            yield btext

    def expanded_in_bulk(self, reader: Any) -> list[Any]:
        """The words of the index this term stands for."""
        return list(dict.fromkeys(w for w in self._btexts(reader) if w))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        q: Any = self
        words = self.expanded_in_bulk(searcher.reader())
        if len(words) > 1:
            m = union_matcher(searcher, q.field(), words, q.boost)
            if m is not None:
                return m
        return super().matcher(searcher, context)  # type: ignore[misc]


def _field_label(fieldname: str) -> str:
    return "" if fieldname in DEFAULT_FIELDS else f"{fieldname}:"


class StemPrefix(_ExpandedInBulk, wq.Prefix):
    """A prefix query over stems that also finds stems a little shorter than its text: the
    stem of "security" is "secur", which `securit*` should find."""

    def label(self) -> str:
        return f"`{_field_label(self.fieldname)}{self.text}*`"

    def _candidates(self, ixreader: Any) -> Iterator[bytes]:
        spend = budget.current()
        what = self.label()
        for btext in ixreader.expand_prefix(self.fieldname, self.text):
            spend.scanned(what)
            yield btext
        text = str(self.text)
        for end in range(
            len(text) - 1, max(STEM_PREFIX_MIN, len(text) - STEM_PREFIX_SLACK) - 1, -1
        ):
            if (self.fieldname, text[:end]) in ixreader:
                yield text[:end].encode("utf-8")


class _StemPrefixNode(PrefixPlugin.PrefixNode):
    qclass = StemPrefix


class BulkWildcard(_ExpandedInBulk, wq.Wildcard):
    """A wildcard term; the words examined to find its matches are charged too (all the words
    of the index when it begins with a wildcard)."""

    def _candidates(self, ixreader: Any) -> Iterator[bytes]:
        field = ixreader.schema[self.fieldname]
        pattern = re.compile(self._get_pattern())
        prefix = self._find_prefix(self.text)
        if prefix:
            candidates = ixreader.expand_prefix(self.fieldname, prefix)
        else:
            candidates = ixreader.lexicon(self.fieldname)
        spend = budget.current()
        what = self.label()
        from_bytes = field.from_bytes
        for btext in candidates:
            spend.scanned(what)
            if pattern.match(from_bytes(btext)):
                yield btext


class _WildcardNode(WildcardPlugin.WildcardNode):
    qclass = BulkWildcard


class BulkFuzzyTerm(_ExpandedInBulk, wq.FuzzyTerm):
    def label(self) -> str:
        return f"`{_field_label(self.fieldname)}{self.text}~{self.maxdist}`"


class BulkTermRange(_ExpandedInBulk, wq.TermRange):
    """A range of words (`[a TO c]`), expanded and read as arrays like a pattern."""

    def label(self) -> str:
        start = self.start if self.start is not None else ""
        end = self.end if self.end is not None else ""
        return f"the range {_field_label(self.fieldname)}[{start} TO {end}]"


def _bulk_ranges(q: wq.Query) -> wq.Query:
    """`q` with each range of words made a BulkTermRange."""
    if type(q) is wq.TermRange:
        return BulkTermRange(
            q.fieldname,
            q.start,
            q.end,
            startexcl=q.startexcl,
            endexcl=q.endexcl,
            boost=q.boost,
            constantscore=q.constantscore,
        )
    if q.is_leaf():
        return q
    return q.apply(_bulk_ranges)


_OUR_NODES = {PrefixPlugin.PrefixNode: _StemPrefixNode, WildcardPlugin.WildcardNode: _WildcardNode}


class _WildcardPlugin(WildcardPlugin):
    def do_wildcards(self, parser: Any, group: Any) -> Any:
        group = super().do_wildcards(parser, group)
        for i, node in enumerate(group):
            if type(node) in _OUR_NODES:
                new = _OUR_NODES[type(node)](node.text)
                new.startchar, new.endchar = node.startchar, node.endchar
                group[i] = new
        return group


def auto_fuzziness(word: str) -> int:
    """Edit distance of a fuzzy term written without one (`word~`): one letter in a short word,
    two in a longer one (as Elasticsearch's AUTO does), since a stem is itself a few letters
    short of most words."""
    return 1 if len(word) <= 5 else 2


class _FuzzyTermNode(FuzzyTermPlugin.FuzzyTermNode):
    qclass = BulkFuzzyTerm

    def __init__(self, wordnode: Any, maxdist: int | None, prefixlength: int) -> None:
        if maxdist is None:
            maxdist = auto_fuzziness(wordnode.text)
        # Whoosh fails on a shared prefix longer than the word.
        prefixlength = min(prefixlength, max(0, len(wordnode.text) - 1))
        super().__init__(wordnode, maxdist, prefixlength)


class _FuzzyPlugin(FuzzyTermPlugin):
    FuzzyTermNode = _FuzzyTermNode

    def create(self, parser: Any, match: Any) -> Any:
        node = super().create(parser, match)
        if match.group("maxdist") is None:
            node.maxdist = None  # decided by the word's length, in _FuzzyTermNode
        if match.group("prefix") is None:
            node.prefixlength = DEFAULT_FUZZY_PREFIX
        return node


class QueryLanguage:
    """Parses query strings for one schema."""

    def __init__(self, schema: Any) -> None:
        parser = MultifieldParser(list(DEFAULT_FIELDS), schema, group=AndGroup)
        parser.remove_plugin_class(WildcardPlugin)
        parser.add_plugin(_WildcardPlugin())
        parser.add_plugin(_FuzzyPlugin())
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        parser.add_plugin(GtLtPlugin())
        self._parser = parser
        self._parsed = lru_cache(maxsize=PARSED_QUERIES)(self._parse)

    def parse(self, text: str) -> ParsedQuery:
        """Parses `text`; an empty query means every release. Raises MalformedQueryError.

        The queries parsed last are kept: one search parses its text several times (its
        results, their facets, the window's list when sorted again), and Whoosh's parser
        takes 0.1-0.2 ms, as long as answering a date range does. A parsed query is not
        changed by searching, and depends on the schema only, not on what the index holds."""
        return self._parsed(text)

    def _parse(self, text: str) -> ParsedQuery:
        # A lone surrogate (pasted from a broken source) cannot be encoded to look it up.
        clean = _SURROGATE.sub("\ufffd", normalize_punctuation(text)).strip()
        if not clean or clean == "*":
            return ParsedQuery(text, wq.Every())
        if len(clean) > MAX_QUERY_CHARS:
            raise MalformedQueryError(
                f"The query is too long ({len(clean):,} characters; at most {MAX_QUERY_CHARS:,})."
            )
        _check_balance(clean)
        _check_fields(clean)
        clean, exact = _take_exact(clean)
        try:
            raw = self._parser.parse(clean, normalize=False)
        except (ValueError, TypeError, OverflowError) as e:
            raise MalformedQueryError(_message(e)) from None
        except (IndexError, AssertionError):
            # Whoosh's operator nodes take their operands without looking ("NOT NOT a"), or
            # assert that there are two ("a ANDNOT ANDNOT b").
            raise MalformedQueryError(
                "An AND, OR or NOT has no word to apply to; put a word, a phrase or a "
                "bracketed group after NOT and on both sides of AND and OR."
            ) from None
        error = _first_error(raw)
        if error is not None:
            raise MalformedQueryError(_message(error))
        _check_patterns(raw)
        q = _bulk_ranges(_phrases_as_words(raw, self._parser.schema).normalize())
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            q = wq.NullQuery
        return ParsedQuery(text, q, exact)


def _take_exact(text: str) -> tuple[str, tuple[tuple[str, ...], ...]]:
    """The query with each `exact:word` or `exact:"a phrase"` replaced by its plain form
    (searched by stems), and the word sequences to check as written."""
    found: list[tuple[str, ...]] = []

    def plain(m: re.Match[str]) -> str:
        words = m.group(1) if m.group(1) is not None else m.group(2)
        sequence = tuple(w for _, _, w in iter_words(words))
        if sequence:
            found.append(sequence)
        return f'"{words}"' if m.group(1) is not None else words

    rest = _EXACT.sub(plain, text)
    if found and _NOT_AND.search(_outside_quotes(rest)):
        raise MalformedQueryError(
            "exact: can be combined with other words by AND only (no OR, NOT or brackets)."
        )
    return rest, tuple(dict.fromkeys(found))


def _message(error: object) -> str:
    return str(error).strip() or "The query cannot be understood."


def _first_error(q: wq.Query) -> object | None:
    if getattr(q, "error", None):
        return q.error
    for child in q.children():
        found = _first_error(child)
        if found is not None:
            return found
    return None


def _outside_quotes(text: str) -> str:
    """`text` with every quoted phrase blanked out, so that brackets inside phrases are text."""
    return re.sub(r'"[^"]*"', lambda m: " " * len(m.group()), text)


def _check_balance(text: str) -> None:
    if text.count('"') % 2:
        raise MalformedQueryError('A quotation mark (") is not closed.')
    rest = _outside_quotes(text)
    pairs = {")": "(", "]": "[", "}": "{"}
    # A range may mix brackets: [2013 to 2014} excludes its end.
    stack: list[str] = []
    for ch in rest:
        if ch in "([{":
            stack.append(ch)
            if len(stack) > MAX_NESTING:
                raise MalformedQueryError(
                    f"Brackets are nested too deeply (more than {MAX_NESTING} levels)."
                )
        elif ch in ")]}":
            if not stack:
                raise MalformedQueryError(f"The bracket {ch!r} closes nothing.")
            opener = stack.pop()
            if (ch == ")" and opener != "(") or (ch != ")" and opener == "("):
                raise MalformedQueryError(
                    f"The bracket {ch!r} does not match {pairs.get(ch, ch)!r}."
                )
    if stack:
        raise MalformedQueryError(f"The bracket {stack[-1]!r} is not closed.")


def _check_fields(text: str) -> None:
    for m in _FIELD_PREFIX.finditer(_outside_quotes(text)):
        name = m.group(1).lower()
        if name not in QUERY_FIELDS:
            known = ", ".join(sorted(QUERY_FIELDS - {"location", "language"}))
            raise MalformedQueryError(
                f"Unknown field {m.group(1)!r}. Fields are: {known}. "
                'Put text with a colon in quotes ("10:30").'
            )


def _check_patterns(q: wq.Query) -> None:
    """Refuses fuzzy terms that may differ too much, and too many terms that expand."""
    patterns: set[tuple[str, str]] = set()
    for leaf in _leaves(q):
        if isinstance(leaf, wq.FuzzyTerm):
            if leaf.maxdist > MAX_FUZZY_DISTANCE:
                raise MalformedQueryError(
                    f"A fuzzy term may differ by at most {MAX_FUZZY_DISTANCE} letters: "
                    f"write {leaf.text}~{MAX_FUZZY_DISTANCE} rather than "
                    f"{leaf.text}~{leaf.maxdist}."
                )
            patterns.add(("~", str(leaf.text)))
        elif isinstance(leaf, wq.Wildcard | wq.Prefix):
            if not str(leaf.text).strip("*?"):
                field = _field_label(leaf.fieldname)
                raise QueryTooBroadError(
                    f"`{field}{leaf.text}` matches every word; add letters to it."
                    if "?" not in str(leaf.text)
                    else f"`{field}{leaf.text}` matches almost every word; add letters to it."
                )
            patterns.add(("*", str(leaf.text)))
    if len(patterns) > MAX_PATTERN_TERMS:
        raise MalformedQueryError(
            f"The query has {len(patterns)} wildcard or fuzzy terms; at most "
            f"{MAX_PATTERN_TERMS} can be searched at once."
        )


def _leaves(q: wq.Query) -> list[wq.Query]:
    if q.is_leaf():
        return [q]
    return [leaf for child in q.children() for leaf in _leaves(child)]


class _PhraseMatcher(SpanWrappingMatcher):
    """Matches documents where the phrase's parts (words, or pairs of words: see
    `arrays.phrase_units`) stand at their places, checked with sets of positions (Whoosh's
    span machinery makes an object per position and took four times as long)."""

    def __init__(
        self, ms: list[Any], offsets: list[int], length: int, order: list[int] | None = None
    ) -> None:
        self.ms = ms
        self.offsets = offsets
        self.length = length
        # The parts' positions are compared rarest first: a document where the rare parts do
        # not stand in place is dropped before the positions of "of" are decoded.
        self.order = order or list(range(len(ms)))
        super().__init__(make_binary_tree(IntersectionMatcher, ms))

    def copy(self) -> _PhraseMatcher:
        return self.__class__([m.copy() for m in self.ms], self.offsets, self.length, self.order)

    def replace(self, minquality: float = 0) -> Any:
        return self if self.is_active() else NullMatcher()

    def _get_spans(self) -> list[Span]:
        first, *rest = self.order
        at = self.offsets
        starts = {p - at[first] for p in self.ms[first].value_as("positions")}
        for k in rest:
            if not starts:
                break
            starts &= {p - at[k] for p in self.ms[k].value_as("positions")}
        last = self.length - 1
        return [Span(p, p + last) for p in sorted(starts) if p >= 0]


class AdjacentPhrase(wq.Phrase):
    """A phrase whose words must stand side by side (slop 1), matched quickly: by its pairs
    of words where it has pair words (see `arrays.phrase_units`), as the arrays do."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        units = phrase_units(self.fieldname, [str(w) for w in self.words], searcher.schema)
        matchers = []
        frequencies = []
        for fieldname, word, _ in units:
            term = searcher.schema[fieldname].to_bytes(word)
            if (fieldname, term) not in reader:
                return NullMatcher()
            matchers.append(wq.Term(fieldname, term).matcher(searcher, context))
            frequencies.append(reader.doc_frequency(fieldname, term))
        if len(matchers) == 1:
            m: Any = matchers[0]
        else:
            order = sorted(range(len(matchers)), key=frequencies.__getitem__)
            m = _PhraseMatcher(matchers, [u[2] for u in units], len(self.words), order)
        return WrappingMatcher(m, boost=self.boost) if self.boost != 1.0 else m


def _phrases_as_words(q: wq.Query, schema: Any) -> wq.Query:
    """`q` with each phrase on a field that keeps no word positions (kind, lang, tags) turned
    into all of its words, which is what such a field can tell (Whoosh refuses to search it),
    and each phrase of adjacent words made an AdjacentPhrase."""
    if isinstance(q, wq.Phrase):
        if q.fieldname not in schema:
            return q
        if schema[q.fieldname].self_parsing():
            raise MalformedQueryError(
                f"{q.fieldname}: takes one value, not words in quotes "
                f"(for example {q.fieldname}:2013)."
                if q.fieldname == "date"
                else f"{q.fieldname}: takes one value, not words in quotes."
            )
        fmt = schema[q.fieldname].format
        if fmt is None or not fmt.supports("positions"):
            return wq.And([wq.Term(q.fieldname, word, boost=q.boost) for word in q.words])
        if q.slop == 1 and len(q.words) > 1:
            return AdjacentPhrase(q.fieldname, q.words, slop=1, boost=q.boost)
        return q
    if q.is_leaf():
        return q
    return q.apply(lambda child: _phrases_as_words(child, schema))

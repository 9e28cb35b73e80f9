"""The query language: Whoosh's syntax, with field names, folding and clear error messages.

A bare word searches title, body, tags, source, place and notes (stemmed); `exact:` searches word
forms as written; wildcards (`secur*`) and fuzzy terms (`securty~`) are matched against word
forms as written too, since a prefix or a misspelling of a word is rarely a prefix or a
misspelling of its stem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq
from whoosh.qparser import (
    AndGroup,
    FieldAliasPlugin,
    FuzzyTermPlugin,
    GtLtPlugin,
    MultifieldParser,
)
from whoosh.qparser.plugins import PrefixPlugin, WildcardPlugin

from archive_browser.core.errors import MalformedQueryError
from archive_browser.core.textnorm import normalize_punctuation

DEFAULT_FIELDS = ("title", "body", "tags", "source", "place", "notes")
#: Fields whose terms are stems; wildcard and fuzzy terms on them go to `exact` instead.
STEMMED_FIELDS = frozenset({"title", "body", "notes", "source", "place"})
FIELD_ALIASES = {
    "tags": ["tag"],
    "lang": ["language"],
    "place": ["location"],
}
#: Names a user may write before a colon.
QUERY_FIELDS = frozenset(
    {"title", "body", "notes", "source", "place", "exact", "tags", "lang", "kind", "date", "id"}
    | {alias for aliases in FIELD_ALIASES.values() for alias in aliases}
)

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


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    """A query as the user wrote it and as the index understands it."""

    text: str
    query: wq.Query

    @property
    def is_everything(self) -> bool:
        return isinstance(self.query, wq.Every)


class _ExactFormsNode:
    """Moves a wildcard, prefix or fuzzy term from a stemmed field to `exact`."""

    fieldname: str | None

    def query(self, parser: Any) -> Any:  # whoosh's node API
        if self.fieldname in STEMMED_FIELDS:
            self.fieldname = "exact"
        return super().query(parser)  # type: ignore[misc]


class _ExactWildcardNode(_ExactFormsNode, WildcardPlugin.WildcardNode):
    pass


class _ExactPrefixNode(_ExactFormsNode, PrefixPlugin.PrefixNode):
    pass


class _ExactFuzzyNode(_ExactFormsNode, FuzzyTermPlugin.FuzzyTermNode):
    pass


class _ExactWildcardPlugin(WildcardPlugin):
    WildcardNode = _ExactWildcardNode
    nodetype = _ExactWildcardNode

    def do_wildcards(self, parser: Any, group: Any) -> Any:
        group = super().do_wildcards(parser, group)
        for i, node in enumerate(group):
            if type(node) is PrefixPlugin.PrefixNode:
                new = _ExactPrefixNode(node.text)
                new.startchar, new.endchar = node.startchar, node.endchar
                group[i] = new
        return group


class _ExactFuzzyPlugin(FuzzyTermPlugin):
    FuzzyTermNode = _ExactFuzzyNode


class QueryLanguage:
    """Parses query strings for one schema."""

    def __init__(self, schema: Any) -> None:
        parser = MultifieldParser(list(DEFAULT_FIELDS), schema, group=AndGroup)
        parser.remove_plugin_class(WildcardPlugin)
        parser.add_plugin(_ExactWildcardPlugin())
        parser.add_plugin(_ExactFuzzyPlugin())
        parser.add_plugin(FieldAliasPlugin(FIELD_ALIASES))
        parser.add_plugin(GtLtPlugin())
        self._parser = parser

    def parse(self, text: str) -> ParsedQuery:
        """Parses `text`; an empty query means every release. Raises MalformedQueryError."""
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
        q = _phrases_as_words(raw, self._parser.schema).normalize()
        if q is wq.NullQuery or isinstance(q, type(wq.NullQuery)):
            q = wq.NullQuery
        return ParsedQuery(text, q)


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


def _phrases_as_words(q: wq.Query, schema: Any) -> wq.Query:
    """`q` with each phrase on a field that keeps no word positions (kind, lang, tags) turned
    into all of its words, which is what such a field can tell; Whoosh refuses to search it."""
    if isinstance(q, wq.Phrase):
        if q.fieldname not in schema:
            return q
        fmt = schema[q.fieldname].format
        if fmt is None or not fmt.supports("positions"):
            return wq.And([wq.Term(q.fieldname, word, boost=q.boost) for word in q.words])
        return q
    if q.is_leaf():
        return q
    return q.apply(lambda child: _phrases_as_words(child, schema))

"""How much of the index one query may read: a budget, counted across the whole query.

A wildcard, prefix, fuzzy term or range of words stands for every word of the index it
matches, and each of those words costs a look-up and the reading of its postings; a pattern
that begins with a wildcard also reads every word of the index to find them. `**` read every
posting of the index (6.5 s on 1,800 releases). Counting patterns bounds none of that, so
a query is charged, as it is answered, for

- each word of the index it examined while expanding a pattern (`SCAN_COST`),
- each word a pattern expanded to, in each segment (`WORD_COST`, and at most `MAX_WORDS`),
- each posting read (one unit),

and stops with a QueryTooBroadError naming the part that was too broad once the total passes
`MAX_COST`. The weights are the measured relative costs (reading a word's postings costs
about as much as a hundred of its postings); `MAX_COST` is about a second of work.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from archive_browser.core.errors import QueryTooBroadError

#: Units for each word examined while expanding a pattern (a step through the word list).
SCAN_COST = 2
#: Units for each word a pattern expands to, per segment (a look-up and a matcher).
WORD_COST = 300
#: Most words all of a query's patterns may expand to, counted per segment.
MAX_WORDS = 2_500
#: Most units one query may spend: about a second.
MAX_COST = 1_000_000


@dataclass
class QueryBudget:
    """What one query has spent so far, and on what."""

    max_cost: int = MAX_COST
    max_words: int = MAX_WORDS
    cost: int = 0
    words: int = 0
    spent: dict[str, int] = field(default_factory=dict)
    word_counts: dict[str, int] = field(default_factory=dict)
    #: The words of the index each pattern of the query stood for (in any segment), by the
    #: pattern's id: highlighting the same query takes them rather than expanding again.
    patterns: dict[int, set[Any]] = field(default_factory=dict)

    def _charge(self, what: str, units: int) -> None:
        self.cost += units
        self.spent[what] = self.spent.get(what, 0) + units
        if self.cost > self.max_cost:
            worst = max(self.spent, key=self.spent.__getitem__)
            raise QueryTooBroadError(
                f"The query is too broad: answering it would read too much of the index "
                f"(most of it for {worst}). Add words, or letters to its wildcards, to "
                "narrow it."
            )

    def scanned(self, what: str, count: int = 1) -> None:
        """`count` words of the index were examined for the pattern `what`."""
        self._charge(what, SCAN_COST * count)

    def expanded(self, what: str, count: int = 1) -> None:
        """The pattern `what` stands for `count` more words."""
        self.words += count
        mine = self.word_counts[what] = self.word_counts.get(what, 0) + count
        if self.words > self.max_words:
            verb, advice = (
                ("covers", "narrow it")
                if what.startswith("the range")
                else ("matches", "add letters to it")
            )
            others = "" if mine == self.words else " with the query's other patterns"
            raise QueryTooBroadError(
                f"The query is too broad: {what} {verb} more than {self.max_words:,} words of "
                f"the index{others}; {advice}."
            )
        self._charge(what, WORD_COST * count)

    def read(self, what: str, postings: int) -> None:
        """`postings` postings of the word(s) `what` are about to be read."""
        self._charge(what, postings)


_current: contextvars.ContextVar[QueryBudget | None] = contextvars.ContextVar(
    "archive_browser_query_budget", default=None
)


def current() -> QueryBudget:
    """The budget of the query being answered on this thread; a fresh one outside any."""
    found = _current.get()
    return found if found is not None else QueryBudget()


@contextlib.contextmanager
def bounded(budget: QueryBudget | None = None) -> Iterator[QueryBudget]:
    """Answers what runs inside within one budget: the one given, else the one already in
    force (a query inside a query spends from the same), else a new one."""
    budget = budget or _current.get() or QueryBudget()
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)

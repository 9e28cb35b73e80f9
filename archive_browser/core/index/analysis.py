"""Text analysis for the index: tokenising, folding and stemming English and Russian.

Words are split on Unicode word characters, case-folded with ё treated as е, then stemmed with
the Snowball stemmer of their script (Cyrillic words: Russian, Latin words: English) through
PyStemmer, which is written in C. One analyzer therefore serves mixed-language text without
knowing the language of the release. Wildcard and fuzzy query terms are never stemmed.

The classes here are pickled into the Whoosh index with its schema; changing what they produce
requires raising `ANALYZER_VERSION` so that older indexes are rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import Stemmer
from whoosh.analysis import Filter, RegexTokenizer, Token

from archive_browser.core.textnorm import fold

#: Raised whenever tokenising, folding or stemming changes what is indexed.
ANALYZER_VERSION = 1

WORD_PATTERN = r"\w+"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_WILDCARD = re.compile(r"[*?]")


@lru_cache(maxsize=1)
def _stemmers() -> tuple[Stemmer.Stemmer, Stemmer.Stemmer]:
    return Stemmer.Stemmer("english", 100_000), Stemmer.Stemmer("russian", 100_000)


def stem(word: str) -> str:
    """The stem of one folded word, by the stemmer of its script."""
    english, russian = _stemmers()
    if _CYRILLIC.search(word):
        return russian.stemWord(word)
    if _LATIN.search(word):
        return english.stemWord(word)
    return word


class FoldFilter(Filter):
    """Case-folds tokens and treats ё as е."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


class MixedStemFilter(Filter):
    """Stems each token with the Snowball stemmer of its script; leaves wildcards alone."""

    is_morph = True

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped and not _WILDCARD.search(t.text):
                t.text = stem(t.text)
            yield t


def stemming_analyzer() -> Any:
    """Analyzer of the text fields: words, folded and stemmed."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter() | MixedStemFilter()


def exact_analyzer() -> Any:
    """Analyzer of the `exact` field: words, folded, as written (no stemming)."""
    return RegexTokenizer(WORD_PATTERN) | FoldFilter()


def keyword_analyzer() -> Any:
    """Analyzer of tag lists: one token per tag, folded."""
    return RegexTokenizer(r"[^\x1f]+") | FoldFilter()


TAG_SEPARATOR = "\x1f"


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yields (start, end, folded word) for every word of `text`, as the index sees them."""
    for m in re.finditer(WORD_PATTERN, text):
        yield m.start(), m.end(), fold(m.group())

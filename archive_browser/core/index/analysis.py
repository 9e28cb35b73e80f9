"""Text analysis for the index: tokenising, folding and stemming English and Russian.

Words are split on Unicode word characters, case-folded with ё treated as е, then stemmed with
the Snowball stemmer of their script (Cyrillic words: Russian, Latin words: English) through
PyStemmer, which is written in C. One analyzer therefore serves mixed-language text without
knowing the language of the release. Wildcard query terms are never stemmed.

The tokenizer does its work on a whole text at once (one regular-expression pass, the distinct
words stemmed in one call) rather than word by word through a chain of filters: indexing
spends a third of its time here.

The classes here are pickled into the Whoosh index with its schema; changing what they produce
requires raising `ANALYZER_VERSION` so that older indexes are rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

import Stemmer
from whoosh.analysis import Token, Tokenizer

from archive_browser.core.textnorm import fold

#: Raised whenever tokenising, folding or stemming changes what is indexed.
ANALYZER_VERSION = 3

WORD_PATTERN = r"\w+"
_WORD = re.compile(WORD_PATTERN)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-zA-Z\u00c0-\u024f]")
_WILDCARD = re.compile(r"[*?]")
TAG_SEPARATOR = "\x1f"


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


#: Words and their stems seen in this process: most words of a new release were seen before,
#: and deciding each word's script costs more than stemming it.
_known_stems: dict[str, str] = {}
KNOWN_STEMS_MAX = 500_000


def _stem_new(words: Iterable[str]) -> dict[str, str]:
    """The stems of folded words, stemmed in one call per language."""
    english, russian = _stemmers()
    cyrillic: list[str] = []
    latin: list[str] = []
    out: dict[str, str] = {}
    for word in words:
        if _CYRILLIC.search(word):
            cyrillic.append(word)
        elif _LATIN.search(word):
            latin.append(word)
        else:
            out[word] = word
    out.update(zip(latin, english.stemWords(latin), strict=True))
    out.update(zip(cyrillic, russian.stemWords(cyrillic), strict=True))
    return out


def stem_all(words: list[str]) -> list[str]:
    """The stems of folded words, in their order."""
    global _known_stems
    known = _known_stems
    new = {w for w in words if w not in known}
    if new:
        if len(known) + len(new) > KNOWN_STEMS_MAX:
            # A new dictionary rather than clear(): a thread stemming meanwhile keeps its own.
            known = _known_stems = {}
        known.update(_stem_new(new))
    return [known[w] for w in words]


def stems(words: Iterable[str]) -> dict[str, str]:
    """The stems of many folded words, by word."""
    distinct = list(set(words))
    return dict(zip(distinct, stem_all(distinct), strict=True))


class StemmingTokenizer(Tokenizer):
    """Words of a text, folded and (unless `stemming` is off) stemmed, as Whoosh tokens."""

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming

    def __call__(  # whoosh's tokenizer interface
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            # A whole query term (a wildcard, a fuzzy or prefix term): folded; stemmed unless
            # it holds wildcard characters.
            text = fold(value)
            if self.stemming and not _WILDCARD.search(text):
                text = stem(text)
            t.original = t.text = text
            t.boost = 1.0
            if positions:
                t.pos = start_pos
            if chars:
                t.startchar, t.endchar = start_char, start_char + len(value)
            yield t
            return
        matches = list(_WORD.finditer(value)) if chars else None
        words = [fold(m.group()) for m in matches] if matches is not None else folded_words(value)
        if self.stemming:
            words = stem_all(words)
        for i, word in enumerate(words):
            t.text = word
            t.boost = 1.0
            if keeporiginal:
                t.original = word
            t.stopped = False
            if positions:
                t.pos = start_pos + i
            if matches is not None:
                t.startchar = start_char + matches[i].start()
                t.endchar = start_char + matches[i].end()
            yield t

    def words(self, value: str) -> list[str]:
        """The words of `value` as tokens would give them, in order, without making a token
        for each (what an index format that reads the analyzer directly uses).

        The last text's words are kept: the pair field and the text field of a document
        index the same text, one after the other."""
        global _last_words
        last = _last_words
        if last is not None and last[0] is value and last[1] == self.stemming:
            return last[2]
        words = folded_words(value)
        if self.stemming:
            words = stem_all(words)
        _last_words = (value, self.stemming, words)
        return words


_last_words: tuple[str, bool, list[str]] | None = None

#: Words (as stems) whose pairs with their neighbours are indexed, so that a phrase holding
#: them is found by look-ups of pairs ("in the", "of ukraine") rather than by comparing the
#: places of words that stand many times in nearly every release. The most common words
#: only: on 5,000 releases the index held 11.2 MiB without pairs, 19.1 with these, 28.6 with
#: the 60 most common words and 33.0 with 200. Changing the list changes the index: raise
#: ANALYZER_VERSION.
_PAIR_WORDS_EN = "the of and to in a"
_PAIR_WORDS_RU = "и в на не с что"
PAIR_SEPARATOR = " "


@lru_cache(maxsize=1)
def pair_words() -> frozenset[str]:
    """The stems whose pairs are indexed (see _PAIR_WORDS_EN)."""
    listed = f"{_PAIR_WORDS_EN} {_PAIR_WORDS_RU}".split()
    return frozenset(stem_all([fold(w) for w in listed]))


def word_pairs(words: list[str]) -> list[tuple[int, str]]:
    """(place of the first word, "first second") for each pair of adjacent words of which
    at least one is a pair word: the terms of the pair field."""
    common = pair_words()
    flags = [w in common for w in words]
    return [
        (i, words[i] + PAIR_SEPARATOR + words[i + 1])
        for i in range(len(words) - 1)
        if flags[i] or flags[i + 1]
    ]


def pair_indexed(first: str, second: str) -> bool:
    """True when the pair of adjacent stems is a term of the pair field."""
    common = pair_words()
    return first in common or second in common


class TagTokenizer(Tokenizer):
    """One token per tag of a tag list (tags separated by TAG_SEPARATOR), folded."""

    def __call__(  # whoosh's tokenizer interface
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        t = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        parts = value.split(TAG_SEPARATOR) if tokenize else [value]
        offset = 0
        for i, part in enumerate(parts):
            text = fold(part.strip())
            if text:
                t.text = text
                t.boost = 1.0
                t.stopped = False
                if keeporiginal:
                    t.original = text
                if positions:
                    t.pos = start_pos + i
                if chars:
                    t.startchar, t.endchar = start_char + offset, start_char + offset + len(part)
                yield t
            offset += len(part) + 1


def stemming_analyzer() -> Any:
    """Analyzer of the text fields: words, folded and stemmed."""
    return StemmingTokenizer()


def keyword_analyzer() -> Any:
    """Analyzer of tag lists: one token per tag, folded."""
    return TagTokenizer()


#: The one character that folds to a single character of another kind: U+0345 (a combining
#: mark, not part of a word) folds to "ι" (a letter). See `folded_words`.
_FOLDS_INTO_A_LETTER = "\u0345"


def folded_words(text: str) -> list[str]:
    """The words of `text`, folded, as the index sees them (without their places)."""
    if text.isascii():  # folding word by word or the whole text is the same here
        return _WORD.findall(text.lower())
    # Folding is character by character. When every character folds to one character (the
    # length is kept: none folds to nothing) and none changes whether it belongs to a word
    # (true of every code point but U+0345), the folded text holds the folded words at the
    # same places: one pass instead of a fold per word (6 million calls in 20,000 releases).
    folded = fold(text)
    if len(folded) == len(text) and _FOLDS_INTO_A_LETTER not in text:
        return _WORD.findall(folded)
    return [fold(w) for w in _WORD.findall(text)]


def iter_words(text: str) -> Iterator[tuple[int, int, str]]:
    """Yields (start, end, folded word) for every word of `text`, as the index sees them."""
    for m in _WORD.finditer(text):
        yield m.start(), m.end(), fold(m.group())

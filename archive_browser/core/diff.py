"""Word-level differences between two texts: what one has that the other lacks.

Made for versions and re-issues of the same release: words are compared as the index compares
them (case-folded, ё as е), so a change of case or of quote style is not a difference.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from archive_browser.core.textnorm import fold, normalize_punctuation

Span = tuple[int, int]
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class WordDiff:
    """Spans of words only in the left text and only in the right one, and the share of
    words the two have in common (0 to 1)."""

    only_left: list[Span]
    only_right: list[Span]
    similarity: float


def _words(text: str) -> list[tuple[int, int, str]]:
    return [
        (m.start(), m.end(), fold(normalize_punctuation(m.group()))) for m in _WORD.finditer(text)
    ]


def _merge(text: str, spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for s, e in spans:
        if merged and not text[merged[-1][1] : s].strip(" \t,.;:-"):
            merged[-1] = (merged[-1][0], e)
        else:
            merged.append((s, e))
    return merged


def word_diff(left: str, right: str) -> WordDiff:
    """The words each text has that the other lacks, as character spans."""
    a, b = _words(left), _words(right)
    matcher = difflib.SequenceMatcher(None, [w for *_, w in a], [w for *_, w in b], autojunk=False)
    only_left: list[Span] = []
    only_right: list[Span] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        only_left += [(s, e) for s, e, _ in a[i1:i2]]
        only_right += [(s, e) for s, e, _ in b[j1:j2]]
    return WordDiff(_merge(left, only_left), _merge(right, only_right), matcher.ratio())

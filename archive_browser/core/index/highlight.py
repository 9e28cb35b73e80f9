"""Finding the words a query matched in a text, and cutting snippets around them.

Works on the text from SQLite (the index stores no text), by comparing each word of the text
the way the index would see it: folded, and stemmed for the stemmed fields.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import lru_cache

from archive_browser.core.index.analysis import WORD_PATTERN, folded_words, iter_words
from archive_browser.core.index.analysis import stems as stems_of
from archive_browser.core.textnorm import fold

Span = tuple[int, int]
_WORD = re.compile(WORD_PATTERN)


@dataclass(frozen=True, slots=True)
class HighlightTerms:
    """What to mark: single words and phrases, as stems (compared with stemmed words) or as
    word forms (compared with words as written)."""

    stems: frozenset[str] = frozenset()
    forms: frozenset[str] = frozenset()
    stem_phrases: frozenset[tuple[str, ...]] = frozenset()
    form_phrases: frozenset[tuple[str, ...]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.stems or self.forms or self.stem_phrases or self.form_phrases)


def match_spans(text: str, terms: HighlightTerms) -> list[Span]:
    """Character spans of every word of `text` the terms match, in order. Words of a phrase
    are marked only where the whole phrase stands."""
    if not terms:
        return []
    if terms.stem_phrases or terms.form_phrases:
        folded = fold(text)
        if len(folded) == len(text):  # one folded character per character: offsets agree
            return _phrase_spans(text, folded, terms)
    return _join(text, _word_spans(text, terms))


def _word_spans(text: str, terms: HighlightTerms) -> list[Span]:
    """The spans of the words the terms match, comparing every word (or every candidate
    word, when the terms hold no phrase) in sequence."""
    words = _candidate_words(text, terms)
    need_stems = bool(terms.stems or terms.stem_phrases)
    if need_stems:
        stem_of = stems_of(w for _, _, w in words)
        stems = [stem_of[w] for _, _, w in words]
    else:
        stems = []
    marked = [False] * len(words)
    for i, (_, _, word) in enumerate(words):
        if word in terms.forms or (terms.stems and stems[i] in terms.stems):
            marked[i] = True
    for phrases, seq in ((terms.stem_phrases, stems), (terms.form_phrases, [w[2] for w in words])):
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(seq) - n + 1):
                if seq[i] == phrase[0] and tuple(seq[i : i + n]) == phrase:
                    marked[i : i + n] = [True] * n
    return [(s, e) for (s, e, _), m in zip(words, marked, strict=True) if m]


def _phrase_spans(text: str, folded: str, terms: HighlightTerms) -> list[Span]:
    """The spans of matched words, with phrases found by one regular expression each over
    the folded text (word starts as the candidates of single words, separated by non-word
    characters), then checked word by word: only candidates are stemmed, not every word of
    the text."""
    marked: set[Span] = set()
    if terms.stems or terms.forms:
        singles = HighlightTerms(terms.stems, terms.forms)
        marked.update(_word_spans(text, singles))
    for phrases, stemmed in ((terms.stem_phrases, True), (terms.form_phrases, False)):
        for phrase in phrases:
            for m in _phrase_pattern(phrase, stemmed).finditer(folded):
                base = m.start()
                found = folded[base : m.end(1)]
                words = [(w.start(), w.end(), w.group()) for w in _WORD.finditer(found)]
                forms = [w for _, _, w in words]
                if stemmed:
                    stem_of = stems_of(forms)
                    forms = [stem_of[w] for w in forms]
                if tuple(forms) == phrase:
                    marked.update((base + s, base + e) for s, e, _ in words)
    return _join(text, sorted(marked))


@lru_cache(maxsize=64)
def _phrase_pattern(phrase: tuple[str, ...], stemmed: bool) -> re.Pattern[str]:
    """Every place (overlapping ones too) where words that may be the phrase's stand side by
    side: a stem less its last two letters begins each (as for single words), or, for word
    forms, each is the form. A match is the start of the first word (`_word_start`); group 1
    runs from its end to the end of the phrase."""
    if stemmed:
        starts = [w[: max(1, len(w) - 2)] for w in phrase]
        parts = [re.escape(w) + r"\w*" for w in starts[1:]]
        first_end = r"\w*"
    else:
        starts = list(phrase)
        parts = [re.escape(w) + r"(?!\w)" for w in starts[1:]]
        first_end = r"(?!\w)"
    rest = r"\W+".join([first_end, *parts]) if parts else first_end
    return re.compile(_word_start(starts[0]) + "(?=(" + rest + "))")


def _word_start(start: str) -> str:
    """A pattern of `start` at the start of a word. The check that no word character stands
    before it comes after the letters, not before: a pattern that begins with letters is
    looked for by the regular expression engine's fast literal search, one that begins with
    a look-behind is tried at every character (30 times slower over a release's text)."""
    escaped = re.escape(start)
    return rf"{escaped}(?<!\w{escaped})"


def _join(text: str, marked: list[Span]) -> list[Span]:
    """Spans of marked words, in order, words separated by white space only made one."""
    spans: list[Span] = []
    for s, e in marked:
        if spans and not text[spans[-1][1] : s].strip():
            spans[-1] = (spans[-1][0], e)  # words of one phrase make one hit
        else:
            spans.append((s, e))
    return spans


def _candidate_words(text: str, terms: HighlightTerms) -> list[tuple[int, int, str]]:
    """(start, end, folded word) of the words of `text` that may match: all words when the
    terms hold phrases (their words are compared in sequence), else only the words that
    regular expressions find (a C scan instead of folding and stemming every word in Python)."""
    patterns = _candidate_patterns(terms)
    folded = fold(text)
    if len(folded) != len(text):  # offsets of the folded text would not be the text's
        return list(iter_words(text))
    if patterns is None:
        return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(folded)]
    if len(patterns) == 1:
        return [(m.start(), m.end(), m.group()) for m in patterns[0].finditer(folded)]
    # Each match is a whole word (from a word's start to its end), so the words the patterns
    # find apart, without repeats and in order, are those one pattern of all would find.
    found = {
        m.start(): (m.start(), m.end(), m.group()) for p in patterns for m in p.finditer(folded)
    }
    return [found[k] for k in sorted(found)]


#: Up to this many starts, each is looked for by a pattern of its own (a fast literal search
#: each); more are one pattern of alternatives.
_SEPARATE_STARTS = 6


@lru_cache(maxsize=64)
def _candidate_patterns(terms: HighlightTerms) -> tuple[re.Pattern[str], ...] | None:
    """Whole folded words starting like a term: a word form itself, or a stem less its last
    two letters (a stemmer may rewrite a word's ending: "happy" gives "happi"). None when the
    terms hold phrases, or nothing to look for."""
    if terms.stem_phrases or terms.form_phrases:
        return None
    starts = set(terms.forms) | {s[: max(1, len(s) - 2)] for s in terms.stems}
    if not starts:
        return None
    ordered = sorted(starts, key=lambda s: (-len(s), s))
    if len(ordered) <= _SEPARATE_STARTS:
        return tuple(re.compile(_word_start(s) + r"\w*") for s in ordered)
    alternatives = "|".join(_word_start(s) for s in ordered)
    return (re.compile(rf"(?:{alternatives})\w*"),)  # a word is \w+, as in the index


@dataclass(frozen=True, slots=True)
class Snippet:
    """A short piece of text with the spans of matched words in it."""

    text: str
    spans: list[Span] = field(default_factory=list)

    def marked(self, before: str = "**", after: str = "**") -> str:
        """The text with every matched word wrapped in `before` and `after`."""
        out, pos = [], 0
        for s, e in self.spans:
            out += [self.text[pos:s], before, self.text[s:e], after]
            pos = e
        out.append(self.text[pos:])
        return "".join(out)

    def html(self, before: str = "<b>", after: str = "</b>") -> str:
        """The text as HTML, with matched words wrapped in tags."""
        out, pos = [], 0
        for s, e in self.spans:
            out += [html.escape(self.text[pos:s]), before, html.escape(self.text[s:e]), after]
            pos = e
        out.append(html.escape(self.text[pos:]))
        return "".join(out)


def make_snippet(text: str, spans: list[Span], width: int = 220) -> Snippet:
    """The `width` characters of `text` that hold the most matched words, cut at word
    boundaries, with "…" where text was cut."""
    flat = text.replace("\n", " ")
    if len(flat) <= width:
        return Snippet(flat, list(spans))
    start = 0
    if spans:
        best, best_count, j = 0, 0, 0
        for i, (s, _) in enumerate(spans):
            while j < len(spans) and spans[j][1] <= s + width:
                j += 1
            if j - i > best_count:
                best, best_count = i, j - i
        # Give the first hit a little context before it.
        start = max(0, spans[best][0] - width // 5)
    end = min(len(flat), start + width)
    if end == len(flat):
        start = max(0, end - width)
    if start > 0:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    piece = flat[start:end].strip()
    offset = start + (len(flat[start:end]) - len(flat[start:end].lstrip()))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(flat) else ""
    shift = len(prefix) - offset
    inside = [(s + shift, e + shift) for s, e in spans if s >= offset and e <= offset + len(piece)]
    return Snippet(prefix + piece + suffix, inside)


def contains_forms(text: str, sequences: tuple[tuple[str, ...], ...]) -> bool:
    """True when `text` holds every word sequence (folded words as written), each somewhere."""
    words = folded_words(text)
    present = set(words)
    for sequence in sequences:
        if not set(sequence) <= present:
            return False
        n = len(sequence)
        if n > 1 and not any(
            tuple(words[i : i + n]) == sequence
            for i in range(len(words) - n + 1)
            if words[i] == sequence[0]
        ):
            return False
    return True

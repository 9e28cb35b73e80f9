"""Breaking text into lines of a given width, keeping the character offsets of every line.

The PDF export lays out text itself (rather than through fpdf2's multi_cell) so that it knows
where each character of the original text lands: highlights are drawn behind exact words,
paragraphs are kept from leaving single lines at a page's top or bottom, and each line is one
piece of text in the PDF, which keeps the text extractable exactly as stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

Span = tuple[int, int]

_WORD = re.compile(r"[^ \n]+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
#: Where a word too long for a line is best broken: after these characters.
_BREAK_AFTER = "/-_.?&=#,;:"


def paragraph_spans(text: str) -> list[Span]:
    """(start, end) of each paragraph of `text` (separated by blank lines), without the white
    space around it."""
    spans: list[Span] = []
    pos = 0
    for match in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = match.start() if match else len(text)
        piece = text[pos:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append((pos + lead, pos + len(piece.rstrip())))
        if match:
            pos = match.end()
    return spans


def printable(text: str, covered: Callable[[int], bool], replacement: str = "\ufffd") -> str:
    """`text` with every character a font cannot draw replaced, one for one (so offsets stay
    valid): invisible format characters by a zero-width space when the font has one, others
    by `replacement`. Line breaks and tabs become spaces except "\\n"."""
    if all(covered(ord(c)) or c == "\n" for c in text):
        return text
    out = []
    for c in text:
        if c == "\n" or covered(ord(c)):
            out.append(c)
        elif c.isspace():
            out.append(" ")
        elif unicodedata.category(c) in ("Cf", "Mn", "Me") and covered(0x200B):
            out.append("\u200b")
        else:
            out.append(replacement)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Measure:
    """Widths of strings in one font at one size."""

    widths: Callable[[str], float]
    space: float

    @classmethod
    def cached(cls, width: Callable[[str], float]) -> Measure:
        """A measure that remembers the widths of words it has seen (words repeat a lot)."""
        cache: dict[str, float] = {}

        def measure(word: str) -> float:
            w = cache.get(word)
            if w is None:
                w = cache[word] = width(word)
            return w

        return cls(measure, width(" "))


def wrap(text: str, start: int, end: int, measure: Measure, width: float) -> list[Span]:
    """Lines of text[start:end] no wider than `width`, as (start, end) offsets into `text`.
    Words break at spaces; a newline forces a line break; a word wider than a line is cut,
    after punctuation where it can be."""
    lines: list[Span] = []
    line_start = line_end = -1
    line_width = 0.0
    for hard in _hard_lines(text, start, end):
        for ws, we in _words(text, hard[0], hard[1]):
            w = measure.widths(text[ws:we])
            if line_start >= 0 and line_width + measure.space + w <= width:
                line_end, line_width = we, line_width + measure.space + w
                continue
            if line_start >= 0:
                lines.append((line_start, line_end))
                line_start = -1
            if w <= width:
                line_start, line_end, line_width = ws, we, w
                continue
            pieces = _cut(text, ws, we, measure, width)
            lines.extend(pieces[:-1])
            line_start, line_end = pieces[-1]
            line_width = measure.widths(text[line_start:line_end])
        if line_start >= 0:
            lines.append((line_start, line_end))
            line_start = -1
    return lines


def _hard_lines(text: str, start: int, end: int) -> Iterator[Span]:
    pos = start
    while pos <= end:
        nl = text.find("\n", pos, end)
        if nl < 0:
            yield pos, end
            return
        yield pos, nl
        pos = nl + 1


def _words(text: str, start: int, end: int) -> Iterator[Span]:
    for match in _WORD.finditer(text, start, end):
        yield match.span()


def _cut(text: str, start: int, end: int, measure: Measure, width: float) -> list[Span]:
    """Pieces of one long word, each fitting `width` (at least one character each)."""
    pieces: list[Span] = []
    pos = start
    while pos < end:
        fit = pos + 1
        total = measure.widths(text[pos])
        while fit < end:
            w = measure.widths(text[fit])
            if total + w > width:
                break
            total += w
            fit += 1
        if fit < end:
            # Prefer to break after punctuation in the last third of the piece.
            for i in range(fit - 1, pos + (fit - pos) * 2 // 3, -1):
                if text[i] in _BREAK_AFTER:
                    fit = i + 1
                    break
        pieces.append((pos, fit))
        pos = fit
    return pieces

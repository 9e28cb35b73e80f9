"""Paragraphs as the archive compares them across releases: split, normalised and hashed.

A paragraph is a block of a stored body between blank lines. Bodies imported flattened to one
line (as many CSV exports of press sites are) have no blank lines: a block longer than
`LONG_BLOCK` characters is then split into its sentences, so that a reused talking point is
still found in them. Normalised: case-folded (ё as е), typographic quotes and dashes made
plain, punctuation dropped and white space collapsed; digits are kept (a paragraph with
another figure is another paragraph).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from archive_browser.core.textnorm import fold, normalize_punctuation

Span = tuple[int, int]

#: A paragraph with fewer words than this is not compared ("Thank you.", "* * *",
#: "Colleagues, friends,"): short lines repeat by chance, not as reused talking points.
MIN_WORDS = 8
#: Nor one with fewer letters and digits than this.
MIN_CHARS = 40
#: A block without blank lines longer than this is split into sentences (a flattened body).
LONG_BLOCK = 1200
#: A paragraph held by at least this many releases, and by at least `BOILERPLATE_SHARE` of
#: the archive, is boilerplate (a sign-off, an office's address, a standing disclaimer), not
#: a reused talking point. In the 1,796 real releases of the shared corpus the most widely
#: repeated sentence is in 10 releases (145 of 45,991 recur at all); sign-offs of an office
#: are in most of its releases (thousands in a large archive). 50 keeps every talking point
#: of a small archive counted; the share keeps a large archive's campaign lines (hundreds of
#: releases of 100,000) counted.
BOILERPLATE_MIN = 50
BOILERPLATE_SHARE = 0.005

#: A paragraph break: a line break after a character that is not white space, then a line
#: of spaces and tabs at most, then a line break. The pattern begins with a literal, which
#: the regular-expression engine finds quickly, and `_breaks` checks the character before;
#: a lookbehind in the pattern made it try every character (6 times as slow). A break found
#: after white space is passed over: no break the lookbehind would find starts inside it.
_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')»”]*\s+(?=[\"'(«“*]*[\w])")
#: The words of a paragraph as compared: runs of letters and digits (any script).
_WORDS = re.compile(r"[^\W_]+")
#: For ASCII text, the same in one bytes.translate: letters lower-cased, digits kept, every
#: other byte a space.
_ASCII_WORDS = bytes(
    c + 32 if 65 <= c <= 90 else c if 97 <= c <= 122 or 48 <= c <= 57 else 32 for c in range(256)
)


def _breaks(body: str) -> list[Span]:
    """The paragraph breaks of a body (see _BREAK)."""
    return [
        (m.start(), m.end())
        for m in _BREAK.finditer(body)
        if m.start() and not body[m.start() - 1].isspace()
    ]


def split_paragraphs(body: str) -> list[Span]:
    """The paragraphs of a body as (start, end) character spans, in order: the blocks between
    blank lines (without the white space around them), a block longer than LONG_BLOCK cut
    into its sentences."""
    spans: list[Span] = []
    start = 0
    # One search for breaks, at line ends only, where a pattern of the blocks themselves
    # tried every character (a third of the paragraph hashing of an import).
    for stop, after in [*_breaks(body), (len(body), 0)]:
        piece = body[start:stop]
        text = piece.strip()
        if text:
            first = start + len(piece) - len(piece.lstrip())
            end = first + len(text)
            if end - first <= LONG_BLOCK:
                spans.append((first, end))
            else:
                last = first
                for s in _SENTENCE_END.finditer(body, first, end):
                    if body[last : s.start()].strip():
                        spans.append((last, s.start()))
                    last = s.end()
                if body[last:end].strip():
                    spans.append((last, end))
        start = after
    return spans


def normalize_paragraph(text: str) -> str:
    """The form in which two paragraphs are the same: see the module's docstring."""
    if not text.isascii():
        text = normalize_punctuation(text)  # typographic quotes and dashes: often all there is
        if not text.isascii():
            return " ".join(_WORDS.findall(fold(text)))
    # Nothing to fold but case, nothing to make plain: a table does it all (three times as
    # quick as the pattern).
    return " ".join(text.encode("ascii").translate(_ASCII_WORDS).decode("ascii").split())


def countable(normalized: str) -> bool:
    """True for a paragraph long enough to count as reused (see MIN_WORDS, MIN_CHARS)."""
    return (
        len(normalized) - normalized.count(" ") >= MIN_CHARS
        and normalized.count(" ") + 1 >= MIN_WORDS
    )


def paragraph_hash(normalized: str) -> int:
    """A 64-bit hash of a normalised paragraph, as a signed integer (SQLite's INTEGER)."""
    digest = hashlib.blake2b(normalized.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


@dataclass(frozen=True, slots=True)
class HashedParagraph:
    """One countable paragraph of a body: its place among the body's paragraphs, its span."""

    position: int
    start: int
    end: int
    hash: int


def hashed_paragraphs(body: str) -> list[HashedParagraph]:
    """The countable paragraphs of a body with their hashes (a paragraph repeated inside one
    body is kept once, at its first place)."""
    out: list[HashedParagraph] = []
    seen: set[int] = set()
    for position, (start, end) in enumerate(split_paragraphs(body)):
        norm = normalize_paragraph(body[start:end])
        if not countable(norm):
            continue
        digest = paragraph_hash(norm)
        if digest in seen:
            continue
        seen.add(digest)
        out.append(HashedParagraph(position, start, end, digest))
    return out


def is_boilerplate(holders: int, releases: int) -> bool:
    """True when a paragraph held by `holders` of `releases` releases is boilerplate."""
    return holders >= BOILERPLATE_MIN and holders >= BOILERPLATE_SHARE * releases


@dataclass(frozen=True, slots=True)
class ParagraphReuse:
    """A paragraph of a release and the other releases that have it too.

    `first_date` and `first_id` name the earliest release that has it (this one included;
    undated releases last, then by id); `ids` are the others, earliest first."""

    position: int
    start: int
    end: int
    text: str
    ids: list[int] = field(default_factory=list)
    first_id: int = 0
    first_date: str | None = None
    boilerplate: bool = False

    @property
    def count(self) -> int:
        """How many other releases have this paragraph."""
        return len(self.ids)

    def describe(self) -> str:
        """ "This paragraph also appears in 14 releases, first on 2013-05-28"."""
        n = self.count
        where = f"{n:,} other release{'s' if n != 1 else ''}"
        first = f"first on {self.first_date}" if self.first_date else f"first in #{self.first_id}"
        text = f"This paragraph also appears in {where}, {first}"
        return text + " (boilerplate)" if self.boilerplate else text

    def to_json(self) -> dict[str, object]:
        return {
            "position": self.position,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "count": self.count,
            "first_id": self.first_id,
            "first_date": self.first_date,
            "boilerplate": self.boilerplate,
            "ids": self.ids,
        }

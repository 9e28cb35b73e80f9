"""Plain text files, and splitting a file that holds several releases into one item each.

Archivists often copy releases from a website into one text file, one after another, with no
markup: a headline line, paragraphs separated by blank lines, and more blank lines (or just a
new headline) between releases. The automatic strategy reads those cues:

* a headline (a short line that does not end like a sentence) starts a new release, unless the
  current one has no body yet (a headline and its subtitle belong together);
* two or more blank lines start a new release, unless the next paragraph plainly continues the
  text before it (it opens with a quotation mark, a dash or a small letter, or the paragraph
  before it stopped mid-sentence).

The split is a proposal: the GUI shows it for correction before anything is stored.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

SPLIT_STRATEGIES = ("auto", "file", "blank", "heading")

_TERMINAL = tuple(".!?…:;\"'”»)")
_CONTINUATION_START = tuple("\"'“”„«—–-(")
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”»]?\s+(?=[\"“«(]?[A-ZА-ЯЁ0-9])")


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph of a text file, with the number of blank lines before it."""

    text: str
    gap: int
    heading: bool = False  # a Markdown heading, whatever its length


def read_paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of a text. Lines are joined into paragraphs when the text is hard-wrapped;
    in a text that puts every paragraph on one line, each line is a paragraph."""
    out: list[Paragraph] = []
    blank = 0
    block: list[str] = []

    def flush() -> None:
        nonlocal blank
        if not block:
            return
        for i, para in enumerate(_block_paragraphs(block)):
            heading = bool(_MD_HEADING.match(para))
            if heading:
                para = _MD_HEADING.sub("", para).strip()
            out.append(Paragraph(para, blank if i == 0 else 0, heading))
        block.clear()
        blank = 0

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped:
            block.append(stripped)
        else:
            if block:
                flush()
            blank += 1
    flush()
    if out and not out[0].text:
        out.pop(0)
    return out


def _block_paragraphs(lines: list[str]) -> list[str]:
    if len(lines) == 1:
        return lines
    # In hard-wrapped prose some lines stop mid-sentence and the next starts with a small
    # letter; when every line ends a sentence or is a headline, each line is a paragraph.
    long_lines = sum(1 for line in lines if len(line) > 100)
    whole = all(
        line.endswith(_TERMINAL) or is_headline(line) or _MD_HEADING.match(line)
        for line in lines[:-1]
    ) and not any(line[:1].islower() for line in lines[1:])
    if long_lines > len(lines) / 2 or whole:
        return lines
    return [" ".join(lines)]


def is_headline(text: str) -> bool:
    """A short single line that does not end like a sentence, starting with a capital."""
    if "\n" in text or len(text) > 250:
        return False
    words = text.split()
    if not 2 <= len(words) <= 30:
        return False
    if text.endswith(_TERMINAL) and not text.endswith("?"):
        return False
    first = text.lstrip("\"'“«„(")[:1]
    return first.isupper() or first.isdigit()


def _is_headline(p: Paragraph) -> bool:
    return p.heading or is_headline(p.text)


def _continues(prev: Paragraph, p: Paragraph) -> bool:
    first = p.text[:1]
    return (
        p.text.startswith(_CONTINUATION_START)
        or first.islower()
        or not prev.text.endswith(_TERMINAL)
    )


def propose_starts(paragraphs: list[Paragraph], strategy: str = "auto") -> list[int]:
    """Indices of the paragraphs that start a release (always 0 when there are paragraphs)."""
    if strategy not in SPLIT_STRATEGIES:
        raise ValueError(f"split strategy must be one of {', '.join(SPLIT_STRATEGIES)}")
    if not paragraphs:
        return []
    starts = [0]
    has_body = not _is_headline(paragraphs[0])
    for i in range(1, len(paragraphs)):
        p, prev = paragraphs[i], paragraphs[i - 1]
        headline = _is_headline(p)
        if strategy == "file":
            boundary = False
        elif strategy == "blank":
            boundary = p.gap >= 2
        elif strategy == "heading":
            boundary = headline and has_body
        elif headline:
            boundary = has_body
        else:
            boundary = p.gap >= 2 and has_body and not _continues(prev, p)
        if boundary:
            starts.append(i)
            has_body = not headline
        elif not headline:
            has_body = True
    return starts


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of a text, shortened at a word boundary to `limit` characters."""
    sentence = _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, limit)
    return sentence[: cut if cut > limit // 2 else limit].rstrip(",;:-– ") + "…"


def build_items(paragraphs: list[Paragraph], starts: list[int]) -> list[tuple[str, str]]:
    """(title, body) of each release. A release that opens with a headline takes it as its
    title; otherwise the title is its first sentence and the body keeps it."""
    items = []
    bounds = [*starts, len(paragraphs)]
    for a, b in itertools.pairwise(bounds):
        part = paragraphs[a:b]
        if not part:
            continue
        if _is_headline(part[0]) and len(part) > 1:
            title, body_paras = part[0].text, part[1:]
        else:
            title, body_paras = first_sentence(part[0].text), part
        items.append((title, "\n\n".join(p.text for p in body_paras)))
    return items


def split_text(text: str, strategy: str = "auto") -> list[tuple[str, str]]:
    """(title, body) of each release in a text file, split by `strategy`."""
    paragraphs = read_paragraphs(text)
    return build_items(paragraphs, propose_starts(paragraphs, strategy))

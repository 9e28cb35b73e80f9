"""Text normalisation shared by importers, the index analyzer and duplicate detection."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_PUNCT_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2033": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\ufeff": "",
        "\u00ad": "",
    }
)
_PUNCT = re.compile("[" + "".join(chr(c) for c in _PUNCT_MAP) + "]")
#: Runs of spaces and tabs that are not a single space already.
_SPACES = re.compile(r"[ \t\f\v]{2,}|[\t\f\v]")
_BLANK_LINES = re.compile(r"\n{3,}")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalize_punctuation(text: str) -> str:
    """Replaces typographic quotes, dashes and odd spaces by their plain ASCII forms."""
    # Only where there is one: str.translate looks every character up in a dictionary,
    # which took half of an import's storing time.
    return _PUNCT.sub(lambda m: _PUNCT_MAP[ord(m.group())], text)


def fold(text: str) -> str:
    """Case-folds and treats ё as е: the form in which words are compared."""
    # Same result as mapping ё/Ё to е before case-folding (checked over every code point),
    # without str.translate's per-character dictionary look-ups: 15x faster.
    return text.casefold().replace("ё", "е")


def clean_text(text: str) -> str:
    """Normalises a release text for storage: NFC, Unix newlines, no control characters,
    no trailing spaces, at most two consecutive blank lines kept as paragraph breaks."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).replace("\ufeff", "")
    # A regular-expression pass per line (or one over the whole text, replacing each space
    # by itself) cost a third of an import's reading time: the passes run only when needed.
    if "\t" in text or "  " in text:  # \f and \v went with the control characters
        text = _SPACES.sub(" ", text)
    text = "\n".join([line.strip() for line in text.split("\n")])
    if "\n\n\n" in text:
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def one_line(text: str) -> str:
    """Collapses all white space to single spaces (titles, places, sources)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def checksum(body: str) -> str:
    """A checksum of the normalised text, equal for re-imports of the same release however its
    white space, quotes, dashes, case or Unicode composition differ."""
    norm = unicodedata.normalize("NFKC", body)
    norm = " ".join(fold(normalize_punctuation(norm)).split())
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def record_checksum(
    body: str,
    title: str,
    date: str | None,
    url: str,
    source: str,
    *,
    text_checksum: str | None = None,
) -> str:
    """A checksum of a release as imported: its text (as `checksum` compares it) with its
    title, date, URL and source. Two releases with the same text but another headline, date,
    address or source are different releases (possible duplicates), not copies. A caller
    that has `checksum(body)` already passes it as `text_checksum` (not computed twice)."""
    fields = [text_checksum if text_checksum is not None else checksum(body)]
    for value in (title, date or "", url, source):
        fields.append(" ".join(fold(normalize_punctuation(value)).split()))
    return hashlib.sha256("\x1f".join(fields).encode("utf-8")).hexdigest()


def paragraphs(body: str) -> list[str]:
    """The paragraphs of a stored body (separated by blank lines)."""
    return [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]

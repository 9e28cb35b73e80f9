"""The Whoosh schema of the index and how a release becomes an index document."""

from __future__ import annotations

import re
import struct
from array import array
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
from whoosh import fields, formats
from whoosh import query as wq
from whoosh.util.times import datetime_to_long

from archive_browser.core.index.analysis import (
    ANALYZER_VERSION,
    PAIR_SEPARATOR,
    TAG_SEPARATOR,
    keyword_analyzer,
    pair_words,
    stemming_analyzer,
    word_pairs,
)
from archive_browser.core.model import Release

#: Raised whenever the fields below change; with ANALYZER_VERSION it names the index format.
SCHEMA_VERSION = 5
#: The field of word pairs (see `PairPositions`).
PAIR_FIELD = "pairs"
INDEX_FORMAT = f"{SCHEMA_VERSION}.{ANALYZER_VERSION}"

_DATE_LITERAL = re.compile(r"^\d{4}(-?\d{2}(-?\d{2})?)?$")


class DateField(fields.DATETIME):
    """A DATETIME field whose query values are 2013, 2013-05 or 2013-05-28, with a clear
    message for anything else."""

    def _parse_datestring(self, qstring: str) -> Any:
        value = qstring.strip()
        if not _DATE_LITERAL.match(value):
            raise ValueError(
                f"{value!r} is not a date: write a year (2013), a month (2013-05) "
                "or a day (2013-05-28)"
            )
        try:
            return super()._parse_datestring(value)
        except Exception as e:  # whoosh raises bare Exception for impossible dates
            raise ValueError(f"{value!r} is not a valid date") from e

    def parse_range(
        self,
        fieldname: str,
        start: str | None,
        end: str | None,
        startexcl: bool,
        endexcl: bool,
        boost: float = 1.0,
    ) -> Any:
        """A range from the first to the last microsecond of its bounds (`[2025-04 to 2025-05]`
        is April and May), or strictly after / before them (`>2025-04`, `{2025-04 to}`):
        Whoosh's own ignores the exclusions, so that `>2025-04` included April."""
        if start is None and end is None:
            return wq.Every(fieldname, boost=boost)
        lo = hi = None
        if start is not None:
            bound = self._parse_datestring(start)
            lo = (
                datetime_to_long(bound.ceil()) + 1 if startexcl else datetime_to_long(bound.floor())
            )
        if end is not None:
            bound = self._parse_datestring(end)
            hi = datetime_to_long(bound.floor()) - 1 if endexcl else datetime_to_long(bound.ceil())
        return wq.NumericRange(fieldname, lo, hi, boost=boost, constantscore=True)


_COUNT = struct.Struct("!I")
#: The first place a posting's value keeps in 32 bits (places under it take 16).
WIDE_PLACE = 65536


class CompactPositions(formats.Positions):
    """Word positions stored as a count and an array of 16- or 32-bit numbers (Whoosh's own
    format pickles a list of gaps for every word of every document): written without a pickle
    call per posting, and read for a phrase with one array conversion. The numbers are in the
    machine's byte order: an index is rebuilt from SQLite, never carried to another machine.

    With an analyzer that can list its words at once (`StemmingTokenizer.words`), the
    postings of a text are made from that list, without a token object per word."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        words_of = getattr(analyzer, "words", None)
        if words_of is None or not isinstance(value, str):
            yield from super().word_values(value, analyzer, **kwargs)
            return
        places: dict[str, list[int]] = {}
        for i, word in enumerate(words_of(value)):
            found = places.get(word)
            if found is None:
                places[word] = [i]
            else:
                found.append(i)
        boost = self.field_boost
        encode = self.encode
        for word, positions in places.items():
            yield word, len(positions), len(positions) * boost, encode(positions)

    def word_places(self, value: Any, analyzer: Any) -> tuple[list[str], np.ndarray | None] | None:
        """The terms of `value` in order, with their places (None: 0, 1, 2...), for an index
        writer that groups them itself (`pool.CompactPool.add_words`); None when the value
        must go through `word_values`."""
        words_of = getattr(analyzer, "words", None)
        if words_of is None or not isinstance(value, str):
            return None
        return words_of(value), None

    def encode_grouped(self, counts: np.ndarray, positions: np.ndarray) -> tuple[bytes, np.ndarray]:
        """The values of many postings at once, as `encode` writes each: `positions` holds
        the postings' positions one posting after the other (`counts` of each, ascending).
        Returns the values as one buffer, and the length of each."""
        if len(positions) and int(positions.max()) >= WIDE_PLACE:
            ends = np.cumsum(counts).tolist()
            parts = [
                self.encode(positions[end - count : end].tolist())
                for count, end in zip(counts.tolist(), ends, strict=True)
            ]
            return b"".join(parts), np.array([len(p) for p in parts], dtype=np.uint32)
        n = len(counts)
        # In 16-bit units: each posting's count (two units, big-endian) and then its positions.
        units = np.empty(2 * n + len(positions), dtype=np.uint16)
        starts = np.cumsum(counts) - counts
        heads = 2 * np.arange(n) + starts
        header = counts.astype(">u4").view(np.uint16)
        units[heads] = header[0::2]
        units[heads + 1] = header[1::2]
        owner = np.repeat(np.arange(n), counts)
        units[2 * (owner + 1) + np.arange(len(positions))] = positions
        return units.tobytes(), (4 + 2 * counts).astype(np.uint32)

    def encode(self, poslist: list[int]) -> bytes:
        code = "H" if not poslist or poslist[-1] < WIDE_PLACE else "I"
        return _COUNT.pack(len(poslist)) + array(code, poslist).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        (count,) = _COUNT.unpack_from(valuestring)
        code = "H" if len(valuestring) - 4 == 2 * count else "I"
        return array(code, valuestring[4:]).tolist()

    def decode_frequency(self, valuestring: bytes) -> int:
        return int(_COUNT.unpack_from(valuestring)[0])

    def combine(self, vs: Any) -> bytes:
        merged: set[int] = set()
        for v in vs:
            merged.update(self.decode_positions(v))
        return self.encode(sorted(merged))


class PairPositions(CompactPositions):
    """The pair field's postings: each pair of adjacent words of which one is a pair word
    (`analysis.pair_words`: "the", "of", "in"...) as one term, "the unit", at the place of
    its first word, in the compact format. A phrase becomes a look-up of its
    pairs (and of its other words), whose postings are a small part of those of "the"."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterator[Any]:
        if not isinstance(value, str):
            return
        places: dict[str, list[int]] = {}
        for i, pair in word_pairs(analyzer.words(value)):
            found = places.get(pair)
            if found is None:
                places[pair] = [i]
            else:
                found.append(i)
        boost = self.field_boost
        encode = self.encode
        for pair, positions in places.items():
            yield pair, len(positions), len(positions) * boost, encode(positions)

    def word_places(self, value: Any, analyzer: Any) -> tuple[list[str], np.ndarray | None] | None:
        """The pairs of `value` in order with the places of their first words (see
        `CompactPositions.word_places`): the terms `word_values` gives."""
        if not isinstance(value, str):
            return [], None
        words = analyzer.words(value)
        if len(words) < 2:
            return [], None
        common = pair_words()
        flags = np.fromiter(map(common.__contains__, words), dtype=bool, count=len(words))
        places = np.flatnonzero(flags[:-1] | flags[1:])
        pairs = [words[i] + PAIR_SEPARATOR + words[i + 1] for i in places.tolist()]
        return pairs, places


def _pairs() -> fields.TEXT:
    """The word-pair field (of the text field's words), with places; searched by phrases
    only, never by a name in a query."""
    field = fields.TEXT(analyzer=stemming_analyzer(), multitoken_query="phrase")
    field.format = PairPositions(field_boost=field.format.field_boost)
    return field


def _text(**kwargs: Any) -> fields.TEXT:
    """A stemmed text field that keeps word positions, in the compact format."""
    field = fields.TEXT(analyzer=stemming_analyzer(), multitoken_query="phrase", **kwargs)
    field.format = CompactPositions(field_boost=field.format.field_boost)
    return field


def make_schema() -> fields.Schema:
    """The fields of the index.

    `text` holds everything a bare word searches (title, summary, body, notes, source, place
    and tags), stemmed, with positions for phrases: one field, so that a word costs one look-up
    and a release one set of postings; indexing the fields apart cost twice the time and
    space. `pairs` holds the text's pairs of adjacent words with a very common word, for
    phrases (see `PairPositions`). `title` is also indexed alone, for `title:`; source, place
    and notes alone (without positions) for their fields."""
    stemmed = stemming_analyzer()
    return fields.Schema(
        id=fields.NUMERIC(int, bits=64, signed=False, unique=True, stored=True, sortable=True),
        rev=fields.STORED(),
        text=_text(),
        pairs=_pairs(),
        title=_text(),
        notes=fields.TEXT(analyzer=stemmed, phrase=False, multitoken_query="and"),
        source=fields.TEXT(analyzer=stemmed, phrase=False, multitoken_query="and"),
        place=fields.TEXT(analyzer=stemmed, phrase=False, multitoken_query="and"),
        tags=fields.TEXT(analyzer=keyword_analyzer(), phrase=False),
        lang=fields.KEYWORD(lowercase=True),
        kind=fields.KEYWORD(lowercase=True),
        date=DateField(sortable=True),
        nodate=fields.NUMERIC(int, bits=8, sortable=True),
    )


def document_for(release: Release) -> dict[str, Any]:
    """The index document of a stored release."""
    # The title twice: title words weigh more in the ranking, at no cost when searching (a
    # separate title field in every bare-word query cost a second look-up and a union).
    parts = (
        release.title,
        release.title,
        release.summary,
        release.body,
        release.notes,
        release.source,
        release.place,
        " ".join(release.tags),
    )
    text = "\n".join(p for p in parts if p)
    doc: dict[str, Any] = {
        "id": release.id,
        "rev": release.rev,
        # The same string: the pair field reuses the text field's words (see
        # `StemmingTokenizer.words`).
        "text": text,
        PAIR_FIELD: text,
        "title": release.title,
        "notes": release.notes,
        "source": release.source,
        "place": release.place,
        "tags": TAG_SEPARATOR.join(release.tags),
        "lang": release.language or "",
        "kind": release.kind or "",
        "nodate": 0 if release.date else 1,
    }
    if release.date:
        doc["date"] = datetime.strptime(release.date, "%Y-%m-%d")
    return doc

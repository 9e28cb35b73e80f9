"""Finding the date of a release in metadata values or in its text, in English and Russian.

Recognised: ISO dates and timestamps ("2013-05-28", "2022-06-24T17:30:00Z"), "28 May 2013",
"28th of May, 2013", "May 28, 2013", "May 28th 2013", "28 мая 2013 г.", "28.05.2013",
and e-mail style dates ("Tue, 28 May 2013 10:00:00 +0000"). Relative dates ("May 28th this
year") are not guessed.
"""

from __future__ import annotations

import re
from datetime import date
from email.utils import parsedate_to_datetime

_EN_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
# Russian month names in the nominative and genitive cases, and their common abbreviations.
_RU_MONTHS = {
    "январь": 1, "января": 1, "янв": 1, "февраль": 2, "февраля": 2, "фев": 2, "март": 3,
    "марта": 3, "мар": 3, "апрель": 4, "апреля": 4, "апр": 4, "май": 5, "мая": 5, "июнь": 6,
    "июня": 6, "июн": 6, "июль": 7, "июля": 7, "июл": 7, "август": 8, "августа": 8, "авг": 8,
    "сентябрь": 9, "сентября": 9, "сен": 9, "сент": 9, "октябрь": 10, "октября": 10,
    "окт": 10, "ноябрь": 11, "ноября": 11, "ноя": 11, "нояб": 11, "декабрь": 12,
    "декабря": 12, "дек": 12,
}  # fmt: skip
_MONTHS = {**_EN_MONTHS, **_RU_MONTHS}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|2[01])\d\d)"

_PATTERNS = [
    # 2013-05-28, 2013-05-28T10:00:00Z
    re.compile(r"(?<!\d)(?P<year>(?:1[89]|2[01])\d\d)-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?!\d)"),
    # 28 May 2013, 28th of May, 2013, 28 мая 2013 г., «28» мая 2013
    re.compile(
        rf"(?<![\w.]){_DAY}[\"»']?\s+(?:of\s+)?(?P<month>{_MONTH})\.?,?\s+{_YEAR}(?!\d)",
        re.IGNORECASE,
    ),
    # May 28, 2013; May 28th 2013
    re.compile(rf"(?<!\w)(?P<month>{_MONTH})\.?\s+{_DAY},?\s+{_YEAR}(?!\d)", re.IGNORECASE),
    # 28.05.2013 (day first, as written in Russia and most of Europe)
    re.compile(
        r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.(?P<year>(?:1[89]|2[01])\d\d)(?!\d)"
    ),
]


def _to_iso(year: str, month: str, day: str) -> str | None:
    m = int(month) if month.isdigit() else _MONTHS.get(month.lower().rstrip("."))
    if m is None:
        return None
    try:
        return date(int(year), m, int(day)).isoformat()
    except ValueError:
        return None


def find_dates(text: str) -> list[tuple[int, str]]:
    """Every valid date in `text`, as (position, ISO date), in order of position."""
    found: dict[int, str] = {}
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            iso = _to_iso(m.group("year"), m.group("month"), m.group("day"))
            if iso and not any(abs(m.start() - p) < 3 for p in found):
                found[m.start()] = iso
    return sorted(found.items())


def find_date(text: str) -> str | None:
    """The first date written in `text`, as an ISO date, or None."""
    dates = find_dates(text)
    return dates[0][1] if dates else None


#: A value that starts with an ISO date, alone or before a time: what find_date would find
#: first (at its start, by the first of _PATTERNS) when it is a valid date.
_ISO_VALUE = re.compile(r"((?:1[89]|2[01])\d\d)-([01]?\d)-([0-3]?\d)(?:[T ]|\Z)")


def parse_date_value(value: object) -> str | None:
    """A date from a metadata value (a CSV cell, a JSON field, an HTML meta tag)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text or text.lower() in {"na", "n/a", "none", "null", "-", "nan"}:
        return None
    iso = _ISO_VALUE.match(text)
    if iso is not None:
        # Most exports write ISO dates: one match instead of every pattern over the value.
        early = _to_iso(iso.group(1), iso.group(2), iso.group(3))
        if early is not None:
            return early
    found = find_date(text)
    if found:
        return found
    try:
        return parsedate_to_datetime(text).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):  # e.g. year 99999999999
        return None

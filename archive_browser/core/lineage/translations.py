"""Signals that two releases in different languages are one release translated.

A translation keeps what words cannot change: figures, dates, the names of people and places
(written in another script: Лукашенко / Lukashenko) and often its address (kremlin.ru/events/
president/news/68700 and en.kremlin.ru/events/president/news/68700). Each release is reduced
to those (`signals`); two are compared by `score`. Names are transliterated to Latin letters
by anyascii (ISC licence, no dependencies, every script; unidecode is GPL, transliterate is
unmaintained since 2018) and reduced to a consonant skeleton, so that spellings of one name
meet (Zelenskyy / Зеленський / Зеленского, Mirziyoyev / Мирзиёев).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from anyascii import anyascii

#: Candidates are releases dated at most this many days apart.
WINDOW_DAYS = 3
#: Below this score a release is not proposed as a translation.
MIN_SCORE = 0.1

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan января январь січня січень",
        "february feb февраля февраль лютого лютий",
        "march mar марта март березня березень",
        "april apr апреля апрель квітня квітень",
        "may мая май травня травень",
        "june jun июня июнь червня червень",
        "july jul июля июль липня липень",
        "august aug августа август серпня серпень",
        "september sep sept сентября сентябрь вересня вересень",
        "october oct октября октябрь жовтня жовтень",
        "november nov ноября ноябрь листопада листопад",
        "december dec декабря декабрь грудня грудень",
    ),
    start=1,
):
    for _name in _names.split():
        _MONTHS[_name] = _number

_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b([0-3]?\d)(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_WORD})\b", re.I)
_MONTH_DAY = re.compile(rf"\b({_MONTH_WORD})\.?\s+([0-3]?\d)(?:st|nd|rd|th)?\b", re.I)
#: Figures with thousands separated by a comma, point or (thin, no-break) space; decimals.
_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:[,.\u00a0\u202f\u2009 ]\d{3})+(?![\d])|\d+(?:[.,]\d+)?")
_NAME = re.compile(r"\b[A-ZА-ЯЁІЇЄҐ][\w'’-]{3,}")
#: Capitalised words of English prose that are no names (sentence openings, titles).
_NOT_NAMES = frozenset(
    """
    this that these those there their they then when what which where while with from into
    over under after before during about today also however here have been were will would
    could should shall must such some many more most other each every both either neither
    only even just very well first second third last next president minister prime deputy
    foreign affairs head chairman secretary general state states government federation
    republic national council ministry office january february march april june july
    august september october november december monday tuesday wednesday thursday friday
    saturday sunday dear colleagues friends ladies gentlemen thank thanks good afternoon
    morning evening
    """.split()  # noqa: SIM905 (a list of words, read as prose)
)
_RU_ENDINGS = re.compile(
    r"(ого|его|ому|ему|ыми|ими|ами|ями|ой|ей|ом|ем|ым|им|ых|их|ий|ый|ая|яя|ую|юю|ов|ев|"
    r"а|я|у|ю|е|ы|и)$"
)
_LANG_SEGMENTS = frozenset({"en", "eng", "ru", "rus", "uk", "ua", "ukr", "www"})
_URL_ID = re.compile(r"\d{3,}")
_UKRAINIAN = re.compile("[іїєґІЇЄҐ]")
_CYRILLIC = re.compile("[а-яёА-ЯЁіїєґІЇЄҐ]")
_LATIN = re.compile("[a-zA-Z]")


def name_key(word: str) -> str:
    """A spelling-independent key of a name: Latin letters, consonants only, the first
    four (Russian case endings dropped first: Путина, Путиным -> Putin)."""
    word = word.strip("'’-")
    if _CYRILLIC.match(word) and len(word) > 5:
        word = _RU_ENDINGS.sub("", word.lower())
    latin = re.sub("[^a-z]", "", anyascii(word).lower())
    for a, b in (("sch", "sh"), ("kh", "h"), ("ck", "k"), ("tz", "s"), ("ts", "s")):
        latin = latin.replace(a, b)
    latin = latin.translate(str.maketrans("cwzqjy", "kvskii"))
    if not latin:
        return ""
    skeleton = latin[0] + re.sub("[aeiou]", "", latin[1:])
    skeleton = re.sub(r"(.)\1+", r"\1", skeleton)
    return skeleton[:4]


def _number_key(text: str) -> str:
    text = re.sub(r"[\u00a0\u202f\u2009 ]", "", text)
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", text):
        return text.replace(",", "").replace(".", "")
    return text.replace(",", ".")


@dataclass(frozen=True, slots=True)
class Signals:
    """What of a release a translation keeps."""

    numbers: frozenset[str] = field(default_factory=frozenset)
    dates: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    names: frozenset[str] = field(default_factory=frozenset)
    url_key: tuple[str, str] | None = None


def url_key(url: str) -> tuple[str, str] | None:
    """(site, number) of an address whose path ends in a number, the language left out
    (en.kremlin.ru/events/president/news/68700 -> ("kremlin.ru", "68700")); else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    labels = [x for x in host.split(".") if x]
    while len(labels) > 2 and labels[0] in _LANG_SEGMENTS:
        labels = labels[1:]
    numbers = _URL_ID.findall(parts.path)
    if not labels or not numbers:
        return None
    return ".".join(labels), numbers[-1]


def signals(title: str, body: str, url: str, year: int | None = None) -> Signals:
    """The figures, dates, names and address of a release."""
    text = f"{title}\n{body}"
    dates = {(_MONTHS[m.group(2).lower()], int(m.group(1))) for m in _DAY_MONTH.finditer(text)}
    dates |= {(_MONTHS[m.group(1).lower()], int(m.group(2))) for m in _MONTH_DAY.finditer(text)}
    dates = {(mo, d) for mo, d in dates if 1 <= d <= 31}
    numbers = set()
    for m in _NUMBER.finditer(text):
        key = _number_key(m.group())
        try:
            value = float(key)
        except ValueError:
            continue
        # Days of the month and the years around the release are in every release of the week.
        if value <= 31 or (year is not None and abs(value - year) <= 1):
            continue
        numbers.add(key)
    names = set()
    for m in _NAME.finditer(text):
        word = m.group()
        if word.lower() in _NOT_NAMES:
            continue
        key = name_key(word)
        if len(key) >= 3:
            names.add(key)
    return Signals(frozenset(numbers), frozenset(dates), frozenset(names), url_key(url))


def script_language(text: str, declared: str = "") -> str:
    """The release's language as stored, else guessed from its letters: "uk" (Cyrillic with
    і, ї, є or ґ), "ru" (other Cyrillic), "en" (Latin), "" (neither)."""
    if declared:
        return declared.lower()[:2]
    sample = text[:4000]
    cyrillic, latin = len(_CYRILLIC.findall(sample)), len(_LATIN.findall(sample))
    if cyrillic > latin:
        return "uk" if len(_UKRAINIAN.findall(sample)) > cyrillic * 0.01 else "ru"
    return "en" if latin else ""


def _dice(a: frozenset[Any], b: frozenset[Any]) -> float:
    """Twice the items shared over the items of both (0 when either has none)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True, slots=True)
class Score:
    """How likely two releases are one translated, 0 to 1, and why."""

    value: float
    reasons: tuple[str, ...]


def score(a: Signals, b: Signals, days_apart: int) -> Score:
    """Weighs the signals two releases share: the same address number counts most, then
    names, figures and dates (each as a Dice coefficient: a long release that names much
    does not match every short one that names a little of it); the farther apart their
    dates, the less. Weights chosen on the labelled set of tests/translation_pairs.py."""
    reasons: list[str] = []
    same_url = a.url_key is not None and a.url_key == b.url_key
    if same_url:
        reasons.append("same address number")
    shared_numbers = len(a.numbers & b.numbers)
    shared_names = len(a.names & b.names)
    if shared_numbers:
        reasons.append(f"{shared_numbers} figure{'s' if shared_numbers != 1 else ''} in common")
    if shared_names:
        reasons.append(f"{shared_names} name{'s' if shared_names != 1 else ''} in common")
    if a.dates & b.dates:
        reasons.append("dates in common")
    value = (
        0.5 * same_url
        + 0.3 * _dice(a.numbers, b.numbers)
        + 0.5 * _dice(a.names, b.names)
        + 0.2 * _dice(a.dates, b.dates)
    )
    value *= 1.0 - 0.12 * min(abs(days_apart), WINDOW_DAYS)
    return Score(round(min(1.0, value), 4), tuple(reasons))


def days_between(a: str | None, b: str | None) -> int | None:
    """Days between two ISO dates, None when either is unknown."""
    if not a or not b:
        return None
    try:
        return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)
    except ValueError:
        return None

"""The text normalisation stored releases and their checksums depend on: the fast forms must
give exactly what the plain definitions give, or re-imports would no longer be recognised
as duplicates of what an archive already holds."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from archive_browser.core.textnorm import (
    checksum,
    clean_text,
    normalize_punctuation,
    one_line,
)

#: The typographic characters replaced by their plain forms, written out here rather than
#: taken from the module: a character dropped from (or added to) its table shows.
PUNCTUATION = {
    "\u2018": "'",  # left single quotation mark
    "\u2019": "'",  # right single quotation mark, apostrophe
    "\u201a": "'",  # single low-9 quotation mark
    "\u201b": "'",  # single high-reversed-9 quotation mark
    "\u2032": "'",  # prime
    "\u201c": '"',  # left double quotation mark
    "\u201d": '"',  # right double quotation mark
    "\u201e": '"',  # double low-9 quotation mark
    "\u201f": '"',  # double high-reversed-9 quotation mark
    "\u00ab": '"',  # «
    "\u00bb": '"',  # »
    "\u2033": '"',  # double prime
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash
    "\u2014": "-",  # em dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2009": " ",  # thin space
    "\u200b": "",  # zero width space
    "\ufeff": "",  # byte order mark
    "\u00ad": "",  # soft hyphen
}
PUNCTUATION_TABLE = str.maketrans(PUNCTUATION)

EVERY_CODE_POINT = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
#: Characters the functions treat specially, mixed into generated text far more often than
#: chance would.
_AWKWARD = (
    " \t\n\r\f\v\x00\x07\x0b\x1c\x1f\x7f\x85\xa0\u2028\u2029\u3000\ufeff"
    + "".join(PUNCTUATION)
    + "aZ9ёЁß."
)
#: Lone surrogates are left out: importers replace them before anything is stored.
texts = st.text(
    alphabet=st.one_of(st.sampled_from(_AWKWARD), st.characters(exclude_categories=("Cs",)))
)


def _clean_by_definition(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text).replace("\ufeff", "")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _checksum_by_definition(body: str) -> str:
    norm = unicodedata.normalize("NFKC", body)
    # Compared case-folded, with ё as е.
    norm = norm.translate(PUNCTUATION_TABLE).replace("ё", "е").replace("Ё", "е").casefold()
    norm = re.sub(r"\s+", " ", norm).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


def test_punctuation_agrees_on_every_code_point() -> None:
    assert normalize_punctuation(EVERY_CODE_POINT) == EVERY_CODE_POINT.translate(PUNCTUATION_TABLE)
    assert normalize_punctuation("«Да» — “yes”\u00a0'n\u2019t\u200b") == '"Да" - "yes" \'n\'t'


@given(texts)
def test_clean_text_is_each_line_stripped(text: str) -> None:
    assert clean_text(text) == _clean_by_definition(text)


def test_clean_text_keeps_paragraphs_and_drops_edges() -> None:
    raw = "  Title \t\r\n\r\n\r\n\r\n first\u00a0 line \u2028\n\x07second  \n\n"
    assert clean_text(raw) == "Title\n\nfirst\u00a0 line\nsecond"
    assert clean_text(raw) == _clean_by_definition(raw)


@given(texts)
def test_checksum_is_the_normalised_texts_hash(text: str) -> None:
    assert checksum(text) == _checksum_by_definition(text)


def test_checksum_ignores_spacing_quotes_dashes_and_case() -> None:
    a = "The “Treaty” — signed\u00a0in  MOSCOW.\n\n"
    b = ' the "treaty" - signed in moscow. '
    assert checksum(a) == checksum(b)
    assert checksum(a) != checksum("The Treaty was not signed in Moscow.")
    assert checksum(EVERY_CODE_POINT) == _checksum_by_definition(EVERY_CODE_POINT)


@given(texts)
def test_one_line_collapses_white_space(text: str) -> None:
    expected = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    assert one_line(text) == expected

"""Reading text in any encoding, refusing what is not text, and telling the language."""

from __future__ import annotations

import os

import pytest

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.decode import decode
from archive_browser.core.importers.language import detect_language

RU = (
    "Заседание Совета коллективной безопасности ОДКБ прошло 28 мая 2013 года в Бишкеке. "
    "Президенты обсудили ситуацию в Афганистане и решили помочь афганским властям."
)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r", "utf-8", "utf-8-sig", "utf-16"])
def test_russian_text_is_decoded_in_its_encoding(encoding: str) -> None:
    text, _ = decode(RU.encode(encoding))
    assert text == RU


def test_short_windows_1251_text() -> None:
    assert decode("Короткий текст о ёлке".encode("cp1251"))[0] == "Короткий текст о ёлке"


def test_binary_and_empty_files_are_refused() -> None:
    with pytest.raises(UnreadableInputError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + os.urandom(64))
    with pytest.raises(UnreadableInputError, match="empty"):
        decode(b"  \n\n ")
    with pytest.raises(UnreadableInputError):
        decode(bytes(range(128, 256)) * 40)


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Heads of the CSTO member states of the Central Asian region met in Bishkek", "en"),
        (RU, "ru"),
        ("Засідання Ради колективної безпеки відбулося у Бішкеку, президенти обговорили", "uk"),
        ("Привет", "ru"),
        ("1234 5678", ""),
    ],
)
def test_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang

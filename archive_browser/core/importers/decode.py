"""Reading text files whatever their encoding, and refusing files that are not text."""

from __future__ import annotations

import codecs
from pathlib import Path

import charset_normalizer

from archive_browser.core.errors import UnreadableInputError

#: Encodings tried first when a file is not UTF-8: the ones Russian and Western European
#: archives are found in. Other encodings are still detected, after these.
PREFERRED_ENCODINGS = [
    "cp1251",
    "koi8_r",
    "cp1252",
    "iso8859_5",
    "cp866",
    "mac_cyrillic",
    "latin_1",
]

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_bytes(path: Path, limit_mb: int) -> bytes:
    """The file's bytes, or a clear error when it cannot be read or is too large."""
    try:
        size = path.stat().st_size
        if size > limit_mb * 1024 * 1024:
            raise UnreadableInputError(
                f"the file is too large ({size / 1024 / 1024:.0f} MB; "
                f"the limit for this kind of file is {limit_mb} MB)"
            )
        return path.read_bytes()
    except OSError as e:
        raise UnreadableInputError(f"cannot read the file: {e.strerror or e}") from None


def decode(data: bytes) -> tuple[str, str]:
    """Decodes bytes of text; returns (text, encoding). Raises UnreadableInputError for
    binary data or text in no encoding that can be told."""
    if not data.strip():
        raise UnreadableInputError("the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:8192]:
        raise UnreadableInputError("this is a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    for isolation in (PREFERRED_ENCODINGS, None):
        best = charset_normalizer.from_bytes(data, cp_isolation=isolation).best()
        if best is not None and best.chaos < 0.2:
            return str(best), best.encoding
    raise UnreadableInputError("cannot tell the text encoding of this file (is it text?)")

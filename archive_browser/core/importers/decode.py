"""Reading text files whatever their encoding, and refusing files that are not text."""

from __future__ import annotations

import codecs
import errno
import os
import stat
from collections.abc import Iterator
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


def file_problem(path: Path) -> str | None:
    """Why `path` cannot be read as a file (it loops, is a named pipe, a device, ...), or None
    for a regular file or a folder. Never opens the path: opening a named pipe waits forever."""
    try:
        mode = os.stat(path).st_mode
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "the symbolic link leads back to itself (a loop)"
        if e.errno == errno.ENOENT:
            if os.path.islink(path):
                return "the symbolic link points to nothing that exists"
            return "no such file or folder"
        if e.errno in (errno.EACCES, errno.EPERM):
            return "permission denied"
        return f"cannot be read: {e.strerror or e}"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe, not a file (reading it would wait for ever)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not a file"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file"
    return "not a regular file"


def check_streamable(path: Path, limit_mb: int) -> None:
    """Raises a clear error unless `path` is a regular file within the size limit: for
    readers that stream a file (mailboxes, web archives) instead of reading it whole."""
    problem = file_problem(path)
    if problem is not None:
        raise UnreadableInputError(problem)
    size = path.stat().st_size
    if size > limit_mb * 1024 * 1024:
        raise UnreadableInputError(
            f"the file is too large ({size / 1024 / 1024:.0f} MB; the limit for this kind of "
            f"file is {limit_mb} MB)"
        )


def read_bytes(path: Path, limit_mb: int) -> bytes:
    """The file's bytes, or a clear error when it cannot be read, is not a regular file or is
    too large."""
    problem = file_problem(path)
    if problem is None and os.path.isdir(path):
        problem = "a folder, not a file"
    if problem is not None:
        raise UnreadableInputError(problem)
    limit = limit_mb * 1024 * 1024
    try:
        # Non-blocking, so that a file swapped for a named pipe since the check cannot hang.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with open(fd, "rb", closefd=True) as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise UnreadableInputError("not a regular file")
            if info.st_size > limit:
                raise UnreadableInputError(
                    f"the file is too large ({info.st_size / 1024 / 1024:.0f} MB; "
                    f"the limit for this kind of file is {limit_mb} MB)"
                )
            # At most one byte more than the limit, however much the file grew since.
            data = f.read(limit + 1)
    except OSError as e:
        raise UnreadableInputError(f"cannot read the file: {e.strerror or e}") from None
    if len(data) > limit:
        raise UnreadableInputError(
            f"the file is too large (over {limit_mb} MB, the limit for this kind of file)"
        )
    return data


def decode(data: bytes) -> tuple[str, str]:
    """Decodes bytes of text; returns (text, encoding). Raises UnreadableInputError for
    binary data or text in no encoding that can be told."""
    if not data or data.isspace():  # not data.strip(), which copies all of a large file
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
    except UnicodeDecodeError as e:
        bad_byte = e.start
    for isolation in (PREFERRED_ENCODINGS, None):
        best = charset_normalizer.from_bytes(data, cp_isolation=isolation).best()
        if best is not None and best.chaos < 0.2:
            return str(best), best.encoding
    raise UnreadableInputError(
        f"cannot tell the text encoding of this file (is it text?): byte {bad_byte + 1:,} is "
        "not valid UTF-8, and no other encoding fits"
    )


#: Files at least this large are read line by line when they are UTF-8 (CSV, JSON Lines):
#: decoded whole, a 500 MB file would take 1.3 GB (its bytes and a string of 2 bytes per
#: character for Cyrillic) for as long as its rows are imported.
STREAM_FROM_BYTES = 16 * 1024 * 1024
_CHUNK = 1024 * 1024


def utf8_lines(path: Path, limit_mb: int, newline: str) -> Iterator[str] | None:
    """The lines of a large UTF-8 file (a UTF-8 byte order mark allowed), read one at a time,
    with `newline` as for `open()`; None when the file is small or not UTF-8 from end to end
    (the caller then reads it whole with `decode()`). The whole file is checked first, in
    chunks, so that a bad byte near its end cannot stop an import half way."""
    problem = file_problem(path)
    if problem is not None or os.path.isdir(path):
        return None  # read_bytes() reports it
    try:
        size = os.stat(path).st_size
    except OSError:
        return None
    if size < STREAM_FROM_BYTES or size > limit_mb * 1024 * 1024:
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with open(path, "rb") as f:
            head = f.read(_CHUNK)
            if b"\x00" in head[:8192] or any(
                head.startswith(bom) for bom, name in _BOMS if name != "utf-8-sig"
            ):
                return None
            chunk = head
            while chunk:
                decoder.decode(chunk)
                chunk = f.read(_CHUNK)
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        return None
    return _read_lines(path, newline)


def _read_lines(path: Path, newline: str) -> Iterator[str]:
    try:
        with open(path, encoding="utf-8-sig", newline=newline) as f:
            yield from f
    except OSError as e:
        raise UnreadableInputError(f"cannot read the file: {e.strerror or e}") from None

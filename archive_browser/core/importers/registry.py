"""The formats the importers read, one record each: adding a format is one new module that
makes an `ImportFormat` and one `register()` call (see `builtin.py`).

The file dialog's filter (`file_filter()`), the command line's help, the walk of folders and
`read_file()` all look formats up here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from archive_browser.core.importers.decode import decode, read_bytes, utf8_lines
from archive_browser.core.importers.options import ImportOptions
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.model import ReleaseDraft


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What a format's reader gets: the file, the user's options, and the size limit."""

    path: Path
    options: ImportOptions
    limit_mb: int

    def text(self) -> str:
        """The whole file decoded (UTF-8, or the encoding it is found to be in)."""
        return decode(read_bytes(self.path, self.limit_mb))[0]

    def text_or_lines(self, newline: str = "\n") -> str | Iterator[str]:
        """A large UTF-8 file a line at a time (as `open(newline=...)` splits it); any other
        file decoded whole."""
        lines = utf8_lines(self.path, self.limit_mb, newline=newline)
        return self.text() if lines is None else lines


Reader = Callable[[ReadContext], Iterable[ReleaseDraft | RowError]]


@dataclass(frozen=True, slots=True)
class ImportFormat:
    """One format the importers read."""

    #: Stored with each release as the format it came from (`orig_format`).
    name: str
    #: What a person calls it, e.g. in the README's table.
    label: str
    #: File endings, lower case with the dot, e.g. (".txt", ".text").
    extensions: tuple[str, ...]
    #: Largest file read, in MB (a reader may hold the whole file in memory).
    size_limit_mb: int
    #: Turns one file into drafts (completed afterwards by `finish()`) and errors of rows.
    read: Reader
    #: The import options this format reads beyond tags, source and kind.
    options: tuple[str, ...] = ()
    #: One file may hold several releases one after another, split as the user corrects.
    splittable: bool = False


_FORMATS: dict[str, ImportFormat] = {}
_BY_EXTENSION: dict[str, ImportFormat] = {}


def register(fmt: ImportFormat) -> None:
    """Adds a format; its name and endings must be new."""
    if fmt.name in _FORMATS:
        raise ValueError(f"a format named {fmt.name!r} is already registered")
    taken = [e for e in fmt.extensions if e.lower() in _BY_EXTENSION]
    if taken or not fmt.extensions:
        raise ValueError(f"{fmt.name}: endings already read by another format: {taken}")
    _FORMATS[fmt.name] = fmt
    for ext in fmt.extensions:
        _BY_EXTENSION[ext.lower()] = fmt


def unregister(name: str) -> None:
    """Removes a format (for plug-ins and tests)."""
    fmt = _FORMATS.pop(name)
    for ext in fmt.extensions:
        _BY_EXTENSION.pop(ext.lower(), None)


def formats() -> list[ImportFormat]:
    """Every registered format, in the order registered."""
    return list(_FORMATS.values())


def get(name: str) -> ImportFormat:
    return _FORMATS[name]


def format_for(path: Path) -> ImportFormat | None:
    """The format of a file, from its ending (the longest: `.warc.gz` before `.gz`); None
    when no format reads it."""
    suffixes = [s.lower() for s in path.suffixes[-2:]]
    if len(suffixes) == 2 and suffixes[0] + suffixes[1] in _BY_EXTENSION:
        return _BY_EXTENSION[suffixes[0] + suffixes[1]]
    return _BY_EXTENSION.get(path.suffix.lower())


def extensions() -> list[str]:
    """Every ending read, in the order of the formats."""
    return [ext for fmt in _FORMATS.values() for ext in fmt.extensions]


def file_filter() -> str:
    """The filter of a file dialog for choosing files to import (Qt's syntax)."""
    patterns = " ".join(f"*{ext}" for ext in extensions())
    return f"Releases ({patterns});;All files (*)"


class _ExtensionView(Mapping[str, str]):
    """File ending -> format name, as the registry has it now."""

    def __getitem__(self, ext: str) -> str:
        return _BY_EXTENSION[ext].name

    def __iter__(self) -> Iterator[str]:
        return iter(list(_BY_EXTENSION))

    def __len__(self) -> int:
        return len(_BY_EXTENSION)


class _LimitView(Mapping[str, int]):
    """Format name -> size limit in MB, as the registry has it now."""

    def __getitem__(self, name: str) -> int:
        return _FORMATS[name].size_limit_mb

    def __iter__(self) -> Iterator[str]:
        return iter(list(_FORMATS))

    def __len__(self) -> int:
        return len(_FORMATS)


#: File ending -> format name (a view of the registry).
FORMATS: Mapping[str, str] = _ExtensionView()
#: Largest file read of each format, in MB (a view of the registry).
SIZE_LIMITS_MB: Mapping[str, int] = _LimitView()

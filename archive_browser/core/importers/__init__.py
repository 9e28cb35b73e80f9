"""Reading releases from files: plain text, Markdown, HTML, CSV/TSV, JSON and JSON Lines.

`discover()` turns the paths a user gave into files; `read_file()` turns one file into release
drafts (or per-row errors), completed by `finish()` with what the file did not say: a title,
a date found in the text, the language, the kind, the source.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import (
    bagged,
    builtin,  # noqa: F401  (registers the formats)
    registry,
)
from archive_browser.core.importers.bagged import is_bag_folder
from archive_browser.core.importers.dates import find_date
from archive_browser.core.importers.decode import decode, file_problem, read_bytes
from archive_browser.core.importers.kinds import guess_kind
from archive_browser.core.importers.language import SAMPLE_CHARS, detect_language
from archive_browser.core.importers.limits import MAX_RELEASE_CHARS, MAX_ROW_ERRORS
from archive_browser.core.importers.options import ImportOptions
from archive_browser.core.importers.registry import (
    FORMATS,
    SIZE_LIMITS_MB,
    ImportFormat,
    ReadContext,
    extensions,
    file_filter,
    format_for,
    formats,
    register,
)
from archive_browser.core.importers.tabular import MAPPABLE_FIELDS, RowError
from archive_browser.core.importers.text import (
    SPLIT_STRATEGIES,
    Paragraph,
    build_items,
    first_sentence,
    propose_starts,
    read_paragraphs,
)
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.tagnames import clean_tag, tag_key
from archive_browser.core.textnorm import clean_text, one_line

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "MAX_RELEASE_CHARS",
    "SIZE_LIMITS_MB",
    "SPLIT_STRATEGIES",
    "ImportFormat",
    "ImportOptions",
    "Paragraph",
    "ReadContext",
    "RowError",
    "build_items",
    "discover",
    "extensions",
    "file_filter",
    "finish",
    "format_for",
    "formats",
    "is_text_file",
    "preview_split",
    "read_file",
    "register",
    "split_strategy",
]

# Control characters (C0 and C1) other than the ones that are white space, and UTF-16
# surrogates: a JSON string may hold a lone one ("\\ud800"), which no UTF-8 text can store.
# A terminal escape sequence (ESC [ ... m, pasted from a coloured terminal) goes whole: its
# ESC alone removed would leave "[31m" in the text.
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Fields of a draft that are indexed as text, and how an error names them.
_LONG_FIELDS = (
    ("body", "the release text is"),
    ("summary", "the summary is"),
    ("notes", "the notes are"),
    ("title", "the title is"),
    ("source", "the source is"),
    ("place", "the place is"),
)


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to import under `paths` (folders are walked, hidden files skipped), and the
    paths that could not be used, with the reason: missing, a symbolic link loop, a named pipe,
    a device, a folder that cannot be opened."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path in paths:
        path = Path(path)
        problem = file_problem(path)
        if problem is not None:
            problems.append((path, problem))
            continue
        if path.is_dir() and is_bag_folder(path):
            found = [path]  # a BagIt bag is read as one
        elif path.is_dir():
            found, folder_problems = _walk(path)
            problems.extend(folder_problems)
            if not found and not folder_problems:
                problems.append((path, "the folder holds no files of a known type"))
        else:
            found = [path]
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    return files, problems


def _walk(folder: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files of known types under `folder`, and the ones (or the folders) that cannot be
    read. Symbolic links to folders are not followed, so a link loop cannot trap the walk."""
    found: list[Path] = []
    problems: list[tuple[Path, str]] = []

    def unreadable(e: OSError) -> None:
        problems.append((Path(e.filename or folder), f"cannot open the folder: {e.strerror or e}"))

    for root, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        bags = [d for d in dirs if is_bag_folder(Path(root, d))]
        found.extend(Path(root, d) for d in bags)  # each read as one, not walked into
        dirs[:] = [d for d in dirs if d not in bags]
        for name in names:
            p = Path(root, name)
            if name.startswith(".") or format_for(p) is None:
                continue
            problem = file_problem(p)
            if problem is None and p.is_dir():
                continue  # a link to a folder
            if problem is None:
                found.append(p)
            else:
                problems.append((p, problem))
    return sorted(found), problems


def is_text_file(path: Path) -> bool:
    """True for the formats that may hold several releases one after another (text files,
    and PDFs when a split is chosen: see `split_strategy`)."""
    fmt = format_for(path)
    return fmt is not None and fmt.splittable


def split_strategy(path: Path, options: ImportOptions) -> str:
    """The split strategy `options` give for the file `path`: a PDF's own (one release per
    file unless the user chose a split), a text file's."""
    fmt = format_for(path)
    return options.pdf_split if fmt is not None and fmt.name == "pdf" else options.split


def preview_split(path: Path, strategy: str = "auto") -> tuple[list[Paragraph], list[int]]:
    """The paragraphs of a text file (or of a PDF's text) and the ones proposed to start a
    release, for a user to correct before importing."""
    fmt = format_for(path)
    limit = fmt.size_limit_mb if fmt is not None else SIZE_LIMITS_MB["text"]
    if fmt is not None and fmt.name == "pdf":
        from archive_browser.core.importers.pdf import pdf_paragraphs

        paragraphs = pdf_paragraphs(path, limit)
    else:
        text, _encoding = decode(read_bytes(path, limit))
        paragraphs = read_paragraphs(text)
    return paragraphs, propose_starts(paragraphs, strategy)


def read_file(path: Path, options: ImportOptions) -> Iterator[ReleaseDraft | RowError]:
    """The releases in one file, completed by `finish()`, and errors of single rows. Raises
    UnreadableInputError when the file as a whole cannot be read."""
    fmt = format_for(path)
    if is_bag_folder(path) or (fmt is not None and fmt.name == "zip" and _holds_bag(path)):
        fmt = registry.get("bag")  # a BagIt bag, as a folder or zipped: read as the bag
    if fmt is None:
        known = ", ".join(sorted(extensions()))
        raise UnreadableInputError(f"not a file type this program reads ({known})")
    drafts = fmt.read(ReadContext(path, options, fmt.size_limit_mb))
    # A bag holds releases as the archive kept them: nothing is guessed for them again.
    exact = fmt.name == "bag"
    errors = releases = 0
    origin = str(path.resolve())
    for draft in drafts:
        if not isinstance(draft, RowError):
            try:
                yield finish(draft, origin, fmt.name, options, guess=not exact)
                releases += 1
                continue
            except ValueError as e:
                draft = RowError(_one_line(draft.title[:60]) or "a release", str(e))
        errors += 1
        if errors <= MAX_ROW_ERRORS:
            yield draft
        elif not releases:
            raise UnreadableInputError(
                f"gave up after {MAX_ROW_ERRORS} rows (or items) that could not be read, "
                "and not one release"
            )
    if not releases and not errors:
        raise UnreadableInputError("the file holds no releases (no rows or items with text)")
    if errors > MAX_ROW_ERRORS:
        more = errors - MAX_ROW_ERRORS
        yield RowError(
            f"after the first {MAX_ROW_ERRORS} errors",
            f"{more:,} more rows (or items) could not be read",
        )


def finish(
    draft: ReleaseDraft, origin: str, fmt: str, options: ImportOptions, *, guess: bool = True
) -> ReleaseDraft:
    """Completes a draft read from the file `origin` (an absolute path): clean text, a title,
    a date found in the text, language, kind, source, and the import's tags. Raises
    ValueError when there is no text or too much. Without `guess` (a release read back from
    a bag), nothing the draft leaves empty is filled in: only the import's tags are added."""
    # Checked before cleaning, which would take long on such a text.
    for name, what in _LONG_FIELDS:
        size = len(getattr(draft, name))
        if size > MAX_RELEASE_CHARS:
            raise ValueError(f"{what} longer than {MAX_RELEASE_CHARS:,} characters ({size:,})")
    draft.body = clean_text(_storable(draft.body))
    if not draft.body:
        raise ValueError("the release text is empty")
    if not any(ch.isalnum() for ch in draft.body):
        # Invisible or punctuation only: nothing to read, and no word for the index to find.
        raise ValueError("the release text has no letters or digits")
    draft.summary = clean_text(_storable(draft.summary)) if draft.summary else ""
    draft.notes = clean_text(_storable(draft.notes)) if draft.notes else ""
    for name in ("title", "source", "url", "language", "place", "kind", "record", "part_of"):
        setattr(draft, name, _one_line(getattr(draft, name)))
    draft.orig_path, draft.orig_format = _storable(draft.orig_path), _storable(draft.orig_format)
    if not guess:
        draft.tags = _tags([*draft.tags, *options.tags])
        return draft
    draft.title = draft.title or _one_line(first_sentence(draft.body))
    if not draft.date:
        draft.date = find_date(f"{draft.title}\n{draft.summary}\n{draft.body[:3000]}")
    if not draft.language:
        # Only the start is read (see language.SAMPLE_CHARS): the rest is not joined.
        lead = f"{draft.title}\n{draft.summary}\n{draft.body[:SAMPLE_CHARS]}"
        draft.language = detect_language(lead)
    draft.kind = draft.kind or options.kind or guess_kind(draft.title, draft.body)
    draft.source = draft.source or options.source or _host(draft.url)
    draft.tags = _tags([*draft.tags, *options.tags])
    draft.orig_path = draft.orig_path or shown_name(origin)
    draft.orig_format = draft.orig_format or fmt
    return draft


def _tags(tags: list[str]) -> list[str]:
    """Tags cleaned, each once (compared as the archive compares them)."""
    seen: dict[str, str] = {}
    for tag in tags:
        try:
            name = clean_tag(_one_line(tag))
        except ValueError:
            continue
        seen.setdefault(tag_key(name), name)
    return list(seen.values())


def _holds_bag(path: Path) -> bool:
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            return bagged.bag_prefix(z.namelist()) is not None
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def shown_name(name: str | Path) -> str:
    """A file name as stored and shown: bytes that are not UTF-8 (which Python keeps as
    surrogates) written as backslash escapes, e.g. `caf\\xe9.txt`."""
    text = str(name)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return _storable(text)


def _storable(text: str) -> str:
    """`text` with lone surrogates replaced, so that it can be stored as UTF-8."""
    if text.isascii():  # (a flag of the string: no pass over it)
        return text
    try:
        text.encode("utf-8")  # quicker than the pattern's search, and fails on a surrogate
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def _one_line(text: str) -> str:
    """A one-line field as stored: no control characters, no surrogates, single spaces."""
    if not text:  # most of a draft's one-line fields are empty
        return ""
    return one_line(_CONTROL.sub("", _storable(text)))


def _host(url: str) -> str:
    try:
        return urlparse(url).netloc
    except ValueError:  # e.g. "http://[" is not an address
        return ""

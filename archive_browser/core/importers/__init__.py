"""Reading releases from files: plain text, Markdown, HTML, CSV/TSV, JSON and JSON Lines.

`discover()` turns the paths a user gave into files; `read_file()` turns one file into release
drafts (or per-row errors), completed by `finish()` with what the file did not say: a title,
a date found in the text, the language, the kind, the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import find_date
from archive_browser.core.importers.decode import decode, read_bytes
from archive_browser.core.importers.kinds import guess_kind
from archive_browser.core.importers.language import detect_language
from archive_browser.core.importers.tabular import (
    MAPPABLE_FIELDS,
    RowError,
    parse_csv,
    parse_json,
    parse_json_lines,
)
from archive_browser.core.importers.text import (
    SPLIT_STRATEGIES,
    Paragraph,
    build_items,
    first_sentence,
    propose_starts,
    read_paragraphs,
)
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.store import clean_tag, tag_key
from archive_browser.core.textnorm import clean_text, one_line

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "SPLIT_STRATEGIES",
    "ImportOptions",
    "Paragraph",
    "RowError",
    "build_items",
    "discover",
    "finish",
    "is_text_file",
    "preview_split",
    "read_file",
]

#: File ending -> format name.
FORMATS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".csv": "csv",
    ".tsv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
#: Largest file read of each format, in MB (the whole file is held in memory).
SIZE_LIMITS_MB = {"text": 64, "markdown": 64, "html": 64, "csv": 1024, "json": 512, "jsonl": 1024}


@dataclass(slots=True)
class ImportOptions:
    """How to import: the split strategy for text files, column mapping, and what to add."""

    split: str = "auto"
    mapping: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    source: str = ""  # for releases whose file names none
    kind: str = ""  # for releases whose file names none (otherwise guessed)
    #: Splits the user corrected: text file (resolved path) -> paragraphs starting a release.
    splits: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.split not in SPLIT_STRATEGIES:
            raise ValueError(f"split must be one of {', '.join(SPLIT_STRATEGIES)}")
        self.tags = [clean_tag(t) for t in self.tags]


def discover(paths: Iterable[Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to import under `paths` (folders are walked, hidden files skipped), and the
    paths that could not be used, with the reason."""
    files: list[Path] = []
    problems: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path in paths:
        path = Path(path)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and p.suffix.lower() in FORMATS
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                problems.append((path, "the folder holds no files of a known type"))
        elif path.exists():
            found = [path]
        else:
            problems.append((path, "no such file or folder"))
            continue
        for p in found:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    return files, problems


def is_text_file(path: Path) -> bool:
    """True for the formats that may hold several releases one after another."""
    return FORMATS.get(path.suffix.lower()) in ("text", "markdown")


def preview_split(path: Path, strategy: str = "auto") -> tuple[list[Paragraph], list[int]]:
    """The paragraphs of a text file and the ones proposed to start a release, for a user to
    correct before importing."""
    fmt = FORMATS.get(path.suffix.lower(), "text")
    text, _encoding = decode(read_bytes(path, SIZE_LIMITS_MB.get(fmt, 64)))
    paragraphs = read_paragraphs(text)
    return paragraphs, propose_starts(paragraphs, strategy)


def read_file(path: Path, options: ImportOptions) -> Iterator[ReleaseDraft | RowError]:
    """The releases in one file, completed by `finish()`, and errors of single rows. Raises
    UnreadableInputError when the file as a whole cannot be read."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(set(FORMATS)))
        raise UnreadableInputError(f"not a file type this program reads ({known})")
    text, _encoding = decode(read_bytes(path, SIZE_LIMITS_MB[fmt]))
    drafts: Iterable[ReleaseDraft | RowError]
    if fmt in ("text", "markdown"):
        paragraphs = read_paragraphs(text)
        starts = options.splits.get(str(path.resolve())) or propose_starts(
            paragraphs, options.split
        )
        items = build_items(paragraphs, starts)
        if not items:
            raise UnreadableInputError("the file holds no text")
        drafts = [ReleaseDraft(title=title, body=body) for title, body in items]
    elif fmt == "html":
        from archive_browser.core.importers.html import parse_html

        drafts = [parse_html(text)]
    elif fmt == "csv":
        delimiter = "\t" if path.suffix.lower() == ".tsv" else None
        drafts = parse_csv(text, delimiter=delimiter, explicit=options.mapping)
    elif fmt == "json":
        drafts = parse_json(text, explicit=options.mapping)
    else:
        drafts = parse_json_lines(text, explicit=options.mapping)
    for draft in drafts:
        if isinstance(draft, RowError):
            yield draft
            continue
        try:
            yield finish(draft, path, fmt, options)
        except ValueError as e:
            yield RowError(draft.title[:60] or "a release", str(e))


def finish(draft: ReleaseDraft, path: Path, fmt: str, options: ImportOptions) -> ReleaseDraft:
    """Completes a draft: clean text, a title, a date found in the text, language, kind,
    source, and the import's tags. Raises ValueError when there is no text."""
    draft.body = clean_text(draft.body)
    if not draft.body:
        raise ValueError("the release text is empty")
    draft.summary = clean_text(draft.summary)
    draft.title = one_line(draft.title) or first_sentence(draft.body)
    if not draft.date:
        draft.date = find_date(f"{draft.title}\n{draft.summary}\n{draft.body[:3000]}")
    if not draft.language:
        draft.language = detect_language(f"{draft.title}\n{draft.summary}\n{draft.body}")
    draft.kind = draft.kind or options.kind or guess_kind(draft.title, draft.body)
    draft.source = draft.source or options.source or urlparse(draft.url).netloc
    seen: dict[str, str] = {}
    for tag in [*draft.tags, *options.tags]:
        try:
            name = clean_tag(tag)
        except ValueError:
            continue
        seen.setdefault(tag_key(name), name)
    draft.tags = list(seen.values())
    draft.orig_path = draft.orig_path or str(path.resolve())
    draft.orig_format = draft.orig_format or fmt
    return draft

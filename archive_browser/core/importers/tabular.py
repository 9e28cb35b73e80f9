"""CSV, JSON and JSON Lines files: one release per row or object.

Columns (or keys) are mapped to release fields by their names: `headline` or `title` for the
title, `date` or `published` for the date, `body`, `text` or `content` for the text, and so on
(see FIELD_NAMES). An explicit mapping (`--map body=article_text`) wins over the automatic one.

Each release records its place in the file as the errors name it: "row 12" (the row as a
spreadsheet numbers it, the header being row 1; a cell may span lines), "item 4" (of a JSON
list, from 1), "line 4" (of a JSON Lines file).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import parse_date_value
from archive_browser.core.importers.limits import MAX_CSV_CELL_CHARS
from archive_browser.core.model import EXCHANGE_FIELDS, EXPORT_FIELDS, ReleaseDraft
from archive_browser.core.spreadsheet import spreadsheet_restore
from archive_browser.core.textnorm import one_line

#: Release field -> names a column may have for it (compared without case, spaces, _ - .).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline", "heading", "name", "subject", "заголовок", "название"),
    "date": (
        "date", "published", "pubdate", "publishdate", "publicationdate", "datepublished",
        "publishedat", "publishedon", "created", "createdat", "datetime", "timestamp", "time",
        "дата",
    ),
    "body": (
        "body", "text", "content", "fulltext", "article", "articlebody", "bodytext", "message",
        "maintext", "текст", "содержание",
    ),
    "summary": (
        "summary", "lead", "lede", "description", "abstract", "subtitle", "excerpt", "teaser",
        "аннотация", "анонс",
    ),
    "url": ("url", "link", "href", "permalink", "sourceurl", "address", "ссылка"),
    "place": ("place", "location", "city", "dateline", "venue", "место"),
    "source": (
        "source", "publisher", "organisation", "organization", "org", "site", "sitename",
        "outlet", "источник",
    ),
    "language": ("language", "lang", "locale", "язык"),
    "kind": ("kind", "type", "category", "genre", "doctype", "тип"),
    "tags": ("tags", "tag", "keywords", "labels", "topics", "subjects", "теги"),
    "notes": ("notes", "note", "comment", "comments", "remarks", "примечание"),
    "orig_path": ("origpath", "originalpath"),
    "orig_format": ("origformat", "originalformat"),
}  # fmt: skip
MAPPABLE_FIELDS = tuple(FIELD_NAMES)
_MISSING = {"", "na", "n/a", "none", "null", "nan", "-"}
_TAG_SPLIT = re.compile(r"\s*[;,|]\s*")
_SNIFF_CHARS = 4096
#: Columns named in an error message; a broken file may have thousands.
_NAMED_COLUMNS = 20
_TOO_DEEP = "malformed JSON: lists or objects are nested too deeply"
_LIST_KEYS = ("releases", "items", "data", "records", "results", "documents", "articles", "rows")


@dataclass(frozen=True, slots=True)
class RowError:
    """A row (or object) of a file that could not become a release."""

    where: str  # "row 12", "line 40", "item 3"
    error: str


def _norm_name(name: str) -> str:
    return re.sub(r"[\s_\-.]+", "", name.strip().lower())


def map_columns(
    columns: Iterable[str], explicit: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Release field -> column name, for the columns of one file."""
    columns = list(columns)
    by_norm = {_norm_name(c): c for c in columns}
    mapping: dict[str, str] = {}
    for fieldname, names in FIELD_NAMES.items():
        for name in names:
            if name in by_norm and by_norm[name] not in mapping.values():
                mapping[fieldname] = by_norm[name]
                break
    for fieldname, column in (explicit or {}).items():
        if fieldname not in FIELD_NAMES:
            raise UnreadableInputError(
                f"cannot map to {fieldname!r}; fields are {', '.join(MAPPABLE_FIELDS)}"
            )
        if column not in columns:
            matches = [c for c in columns if _norm_name(c) == _norm_name(column)]
            if not matches:
                continue  # another file of the batch may have this column
            column = matches[0]
        mapping = {f: c for f, c in mapping.items() if c != column}
        mapping[fieldname] = column
    if "body" not in mapping:
        named = ", ".join(repr(c[:60]) for c in columns[:_NAMED_COLUMNS]) or "none"
        if len(columns) > _NAMED_COLUMNS:
            named += f" and {len(columns) - _NAMED_COLUMNS:,} more"
        raise UnreadableInputError(
            "no column holds the release text (named body, text or content); "
            f"columns are {named}; name one with --map body=COLUMN"
        )
    return mapping


def _value(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, list | dict):
        try:
            return json.dumps(raw, ensure_ascii=False)
        except RecursionError:
            raise ValueError("a value is nested too deeply") from None
    text = str(raw).strip()
    return "" if text.lower() in _MISSING else text


def _tags(raw: Any) -> list[str]:
    if isinstance(raw, list):
        items = [str(t) for t in raw]
    else:
        text = _value(raw)
        if text.startswith("["):
            try:
                loaded = json.loads(text)
                items = [str(t) for t in loaded] if isinstance(loaded, list) else [text]
            except ValueError:
                items = _TAG_SPLIT.split(text)
        else:
            items = _TAG_SPLIT.split(text) if text else []
    return [one_line(t) for t in items if one_line(t)]


def record_to_draft(record: Mapping[str, Any], mapping: Mapping[str, str]) -> ReleaseDraft:
    """A release from one row or object; raises ValueError when it holds no text."""

    def get(fieldname: str) -> Any:
        column = mapping.get(fieldname)
        return record.get(column) if column is not None else None

    body = _value(get("body"))
    if not body:
        raise ValueError("the release text is empty")
    raw_date = _value(get("date"))
    date = parse_date_value(raw_date) if raw_date else None
    notes = _value(get("notes"))
    if raw_date and not date:
        notes = "\n".join(filter(None, [notes, f"Date as given: {raw_date}"]))
    return ReleaseDraft(
        title=one_line(_value(get("title"))),
        body=body,
        date=date,
        summary=_value(get("summary")),
        source=one_line(_value(get("source"))),
        url=_value(get("url")),
        language=_value(get("language")).lower()[:12],
        place=one_line(_value(get("place"))),
        kind=_value(get("kind")).lower(),
        notes=notes,
        tags=_tags(get("tags")),
        orig_path=_value(get("orig_path")),
        orig_format=_value(get("orig_format")),
    )


def parse_csv(
    text: str | Iterable[str],
    *,
    delimiter: str | None = None,
    explicit: Mapping[str, str] | None = None,
) -> Iterator[ReleaseDraft | RowError]:
    """Releases from CSV (or TSV) with a header row: the whole text, or its lines as read by
    `open(newline="")` (split at any line end, ends kept)."""
    csv.field_size_limit(MAX_CSV_CELL_CHARS)
    lines = _csv_lines(text)
    first = next(lines, "")
    if delimiter is None:
        # Only the start of the header: the sniffer takes quadratic time on a long line.
        header_line = first[:_SNIFF_CHARS].split("\n", 1)[0]
        try:
            delimiter = csv.Sniffer().sniff(header_line, delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    reader = csv.reader(itertools.chain([first] if first else [], lines), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableInputError("the file has no header row") from None
    except csv.Error as e:
        raise UnreadableInputError(_csv_problem(e)) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    mapping = map_columns(header, explicit)
    # The archive's own export: its cells were neutralised for spreadsheets (see spreadsheet).
    own_export = tuple(header) in (
        EXCHANGE_FIELDS,
        EXPORT_FIELDS,
        (*EXPORT_FIELDS, "translations"),
    )
    row_number = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            # The reader cannot tell where the next row starts: stop rather than guess.
            yield RowError(f"line {reader.line_num}", f"{_csv_problem(e)}; the rest was not read")
            return
        row_number += 1
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            cells = f"{len(row)} cell" + ("" if len(row) == 1 else "s")
            yield RowError(f"row {row_number}", f"has {cells} where the header has {len(header)}")
            continue
        if own_export:
            row = [spreadsheet_restore(cell) for cell in row]
        try:
            draft = record_to_draft(dict(zip(header, row, strict=True)), mapping)
            draft.record = f"row {row_number}"
            yield draft
        except ValueError as e:
            yield RowError(f"row {row_number}", str(e))


def _csv_lines(text: str | Iterable[str]) -> Iterator[str]:
    """Lines for the csv module. A lone CR (old Mac line ends) would stop it: "new-line
    character seen in unquoted field"; inside a cell, a line break is a line break whatever
    its form. NULs are dropped."""
    if isinstance(text, str):
        yield from _lines(text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n"))
        return
    for line in text:
        yield line.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their ends, one at a time: an io.StringIO of the whole text
    would hold it as 4 bytes per character."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return f"a cell is longer than {MAX_CSV_CELL_CHARS:,} characters"
    return f"malformed CSV: {error}"


def _records_to_drafts(
    records: Iterable[tuple[str, Any] | RowError], explicit: Mapping[str, str] | None
) -> Iterator[ReleaseDraft | RowError]:
    mappings: dict[tuple[str, ...], dict[str, str]] = {}
    for item in records:
        if isinstance(item, RowError):
            yield item
            continue
        where, record = item
        if not isinstance(record, dict):
            yield RowError(where, f"expected an object with fields, found {type(record).__name__}")
            continue
        keys = tuple(sorted(record))
        try:
            if keys not in mappings:
                mappings[keys] = map_columns(record.keys(), explicit)
            draft = record_to_draft(record, mappings[keys])
            draft.record = where
            yield draft
        except (UnreadableInputError, ValueError) as e:
            yield RowError(where, str(e))


def parse_json(
    text: str, *, explicit: Mapping[str, str] | None = None
) -> Iterator[ReleaseDraft | RowError]:
    """Releases from a JSON list of objects, an object holding such a list (under
    "releases", "items", "data", ...), or a single object."""
    try:
        data = json.loads(text)
    except ValueError as e:
        raise UnreadableInputError(f"malformed JSON: {e}") from None
    except RecursionError:
        raise UnreadableInputError(_TOO_DEEP) from None
    if isinstance(data, dict):
        lists = [data[k] for k in _LIST_KEYS if isinstance(data.get(k), list)]
        if lists:
            data = lists[0]
        elif any(_norm_name(k) in FIELD_NAMES["body"] for k in data):
            data = [data]
        else:
            raise UnreadableInputError(
                "JSON of an unknown shape: expected a list of releases, an object with a "
                "'releases' list, or one release object"
            )
    if not isinstance(data, list):
        raise UnreadableInputError(
            f"JSON of an unknown shape: expected a list of releases, found {type(data).__name__}"
        )
    yield from _records_to_drafts(((f"item {i + 1}", r) for i, r in enumerate(data)), explicit)


def parse_json_lines(
    text: str | Iterable[str], *, explicit: Mapping[str, str] | None = None
) -> Iterator[ReleaseDraft | RowError]:
    """Releases from JSON Lines: one object per line (the whole text, or its lines as read by
    `open(newline="\\n")`)."""

    def records() -> Iterator[tuple[str, Any] | RowError]:
        # Only "\n" ends a line: a JSON string may hold U+2028 and other characters that
        # str.splitlines() would also split at.
        lines = _lines(text) if isinstance(text, str) else text
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                yield f"line {number}", json.loads(line)
            except ValueError:
                yield RowError(f"line {number}", "malformed JSON on this line")
            except RecursionError:
                yield RowError(f"line {number}", _TOO_DEEP)

    yield from _records_to_drafts(records(), explicit)

"""The formats this program reads out of the box, registered in the order shown to users.

A new format: a module that defines its reader and `ImportFormat`, and one `register()` line
below.
"""

from __future__ import annotations

from collections.abc import Iterable

import archive_browser.core.importers.bagged as bagged
import archive_browser.core.importers.feeds as feeds
import archive_browser.core.importers.mail as mail
import archive_browser.core.importers.office as office
import archive_browser.core.importers.pdf as pdf
import archive_browser.core.importers.webarchive as webarchive
import archive_browser.core.importers.zipped as zipped
from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.registry import ImportFormat, ReadContext, register
from archive_browser.core.importers.tabular import (
    RowError,
    parse_csv,
    parse_json,
    parse_json_lines,
)
from archive_browser.core.importers.text import build_items, propose_starts, read_paragraphs
from archive_browser.core.model import ReleaseDraft


def read_text(ctx: ReadContext) -> list[ReleaseDraft]:
    """Plain text or Markdown: split into releases as proposed, or as the user corrected."""
    paragraphs = read_paragraphs(ctx.text())
    starts = ctx.options.splits.get(str(ctx.path.resolve())) or propose_starts(
        paragraphs, ctx.options.split
    )
    items = build_items(paragraphs, starts)
    if not items:
        raise UnreadableInputError("the file holds no text")
    return [ReleaseDraft(title=title, body=body) for title, body in items]


def read_html(ctx: ReadContext) -> list[ReleaseDraft]:
    """One release per page: its main text, title and date."""
    from archive_browser.core.importers.html import parse_html  # loads trafilatura: slow

    return [parse_html(ctx.text())]


def read_csv(ctx: ReadContext) -> Iterable[ReleaseDraft | RowError]:
    delimiter = "\t" if ctx.path.suffix.lower() == ".tsv" else None
    return parse_csv(
        ctx.text_or_lines(newline=""), delimiter=delimiter, explicit=ctx.options.mapping
    )


def read_json(ctx: ReadContext) -> Iterable[ReleaseDraft | RowError]:
    return parse_json(ctx.text(), explicit=ctx.options.mapping)


def read_json_lines(ctx: ReadContext) -> Iterable[ReleaseDraft | RowError]:
    return parse_json_lines(ctx.text_or_lines(), explicit=ctx.options.mapping)


TEXT = ImportFormat("text", "Plain text", (".txt", ".text"), 64, read_text, ("split",), True)
MARKDOWN = ImportFormat(
    "markdown", "Markdown", (".md", ".markdown"), 64, read_text, ("split",), True
)
HTML = ImportFormat("html", "HTML page", (".html", ".htm", ".xhtml"), 64, read_html)
CSV = ImportFormat("csv", "CSV / TSV table", (".csv", ".tsv"), 1024, read_csv, ("mapping",))
JSON = ImportFormat("json", "JSON", (".json",), 512, read_json, ("mapping",))
JSON_LINES = ImportFormat(
    "jsonl", "JSON Lines", (".jsonl", ".ndjson"), 1024, read_json_lines, ("mapping",)
)

register(TEXT)
register(MARKDOWN)
register(HTML)
register(CSV)
register(JSON)
register(JSON_LINES)
register(pdf.FORMAT)
register(office.DOCX)
register(office.ODT)
register(office.RTF)
register(office.DOC)
register(mail.EML)
register(mail.MBOX)
register(mail.MSG)
register(feeds.FORMAT)
register(webarchive.WARC)
register(webarchive.WACZ)
register(zipped.FORMAT)
register(bagged.FORMAT)

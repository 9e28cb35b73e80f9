"""Saved feeds: RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom files (feedparser), one release per
entry: its title, link, published date and content (through the HTML extraction); the
entry's id is its record within the file ("entry id: …", or "entry 3" when it has none).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import parse_date_value
from archive_browser.core.importers.decode import read_bytes
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.fragments import html_to_text
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.textnorm import one_line

#: Most entries read of one feed.
MAX_FEED_ENTRIES = 100_000


def read_feed(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    import feedparser

    data = read_bytes(ctx.path, ctx.limit_mb)
    try:
        # Parsed from bytes: nothing is fetched, and feedparser finds the encoding itself.
        parsed = feedparser.parse(data, sanitize_html=True, resolve_relative_uris=False)
    except Exception as e:  # feedparser is lenient, but its XML back ends may still raise
        raise UnreadableInputError(f"cannot read this feed ({describe(e)})") from None
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            why = parsed.get("bozo_exception")
            detail = f" ({describe(why)})" if isinstance(why, BaseException) else ""
            raise UnreadableInputError(f"not a feed, or a damaged one{detail}")
        raise UnreadableInputError("the feed has no entries")
    feed = parsed.get("feed") or {}
    feed_title = one_line(str(feed.get("title") or ""))
    for number, entry in enumerate(entries, 1):
        if number > MAX_FEED_ENTRIES:
            yield RowError(
                f"after entry {MAX_FEED_ENTRIES:,}",
                f"the feed holds more entries than the limit of {MAX_FEED_ENTRIES:,}",
            )
            return
        try:
            draft = _entry_draft(entry, feed_title)
            draft.record = draft.record or f"entry {number:,}"
            yield draft
        except UnreadableInputError as e:
            yield RowError(f"entry {number:,}", str(e))
        except Exception as e:  # a strange entry is reported, the others read
            yield RowError(f"entry {number:,}", f"cannot read it ({describe(e)})")


def _entry_draft(entry: Any, feed_title: str) -> ReleaseDraft:
    html = ""
    for content in entry.get("content") or []:
        if content.get("value"):
            html = content["value"]
            break
    html = html or entry.get("summary") or entry.get("description") or ""
    body = html_to_text(html)
    title = one_line(str(entry.get("title") or ""))
    if not body.strip():
        if not title:
            raise UnreadableInputError("the entry has no title and no text")
        body = title
    summary = ""
    if entry.get("content") and entry.get("summary"):
        summary = html_to_text(entry["summary"])
        if summary and body.startswith(summary[:60]):
            summary = ""
    date = None
    for key in ("published", "updated", "created", "dc_date"):
        # dict.get: feedparser's own get maps "updated" to "published", with a warning.
        if dict.get(entry, key):
            date = parse_date_value(dict.get(entry, key))
            if date:
                break
    if date is None:
        for key in ("published_parsed", "updated_parsed"):
            parsed = dict.get(entry, key)
            if parsed:
                date = f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
                break
    author = one_line(str(entry.get("author") or ""))
    link = str(entry.get("link") or "")
    entry_id = one_line(str(entry.get("id") or ""))
    return ReleaseDraft(
        title=title,
        body=body,
        date=date,
        summary=summary,
        source=feed_title or author,
        url=link if link.startswith(("http://", "https://")) else "",
        record=f"entry id: {entry_id}" if entry_id else "",
        tags=[one_line(str(t.get("term") or "")) for t in entry.get("tags") or [] if t.get("term")][
            :20
        ],
    )


FORMAT = ImportFormat("feed", "RSS / Atom / RDF feed", (".rss", ".atom", ".rdf"), 64, read_feed)

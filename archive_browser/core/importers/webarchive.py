"""Web archives: WARC files (`.warc`, `.warc.gz`, read with warcio) and WACZ packages (a zip
with `archive/*.warc.gz`): one release per HTML page captured.

Only `response` records of status 200 with an HTML payload become releases; assets,
redirects, errors, `revisit` records and pages whose payload digest was already read are
skipped. The target URI is the URL, the page's own date the date (else the capture's
`WARC-Date`); the record id is the release's record within the file ("WARC-Record-ID:
<urn:…>") and the capture date stays in the notes ("Captured (WARC-Date): …"), as it says
when, not where.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from typing import IO, Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.decode import check_streamable, decode
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.html import parse_html
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.importers.zipped import open_zip
from archive_browser.core.model import ReleaseDraft

#: Most records looked at in one web archive (pages, assets, requests, metadata).
MAX_WARC_RECORDS = 2_000_000
#: Largest HTML page read from a web archive, in MB.
MAX_PAGE_MB = 16

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_warc(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    check_streamable(ctx.path, ctx.limit_mb)
    try:
        with open(ctx.path, "rb") as stream:
            yield from _pages(stream, set())
    except OSError as e:
        raise UnreadableInputError(f"cannot read the file: {e.strerror or e}") from None


def read_wacz(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    check_streamable(ctx.path, ctx.limit_mb)
    with open_zip(ctx.path) as package:
        names = sorted(
            n
            for n in package.namelist()
            if n.startswith("archive/") and n.endswith((".warc.gz", ".warc"))
        )
        if not names:
            raise UnreadableInputError("not a WACZ package: it has no archive/*.warc.gz")
        seen: set[str] = set()
        for name in names:
            try:
                with package.open(name) as stream:
                    for item in _pages(stream, seen):
                        if isinstance(item, RowError):
                            item = RowError(f"{name}: {item.where}", item.error)
                        yield item
            except UnreadableInputError as e:
                yield RowError(name, str(e))
            except Exception as e:  # a damaged member: zipfile and zlib raise many kinds
                yield RowError(name, f"cannot unpack it ({describe(e)})")


def _pages(stream: IO[bytes], seen: set[str]) -> Iterator[ReleaseDraft | RowError]:
    """The HTML pages of one WARC stream; `seen` holds the payload digests already read."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    class QuietIterator(ArchiveIterator):
        # warcio writes a warning with the record's bytes to stderr; the report says it.
        INC_RECORD = ""

    records = pages = 0
    try:
        for record in QuietIterator(stream, arc2warc=True):
            records += 1
            if records > MAX_WARC_RECORDS:
                yield RowError(
                    f"after record {MAX_WARC_RECORDS:,}",
                    f"the web archive holds more records than the limit of "
                    f"{MAX_WARC_RECORDS:,}; the rest were not read",
                )
                return
            item = _page(record, seen)
            if item is not None:
                pages += 1
                yield item
    except ArchiveLoadFailed as e:
        if not records:
            raise UnreadableInputError(
                f"not a WARC file, or a damaged one ({describe(e)})"
            ) from None
        yield RowError(f"after record {records:,}", f"the rest is damaged ({describe(e)})")
    except UnreadableInputError:
        raise
    except Exception as e:  # warcio raises many kinds on truncated gzip or broken headers
        why = describe(e)
        if not records:
            raise UnreadableInputError(f"not a WARC file, or a damaged one ({why})") from None
        yield RowError(f"after record {records:,}", f"the rest is damaged ({why})")
    if records and not pages:
        raise UnreadableInputError(
            f"the web archive holds no HTML pages ({records:,} records: assets, requests, "
            "redirects or duplicates)"
        )


def _page(record: Any, seen: set[str]) -> ReleaseDraft | RowError | None:
    """The release of one record, None for a record that is not a new HTML page."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode()
    if status != "200":
        return None
    ctype = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if ctype not in _HTML_TYPES:
        return None
    uri = record.rec_headers.get_header("WARC-Target-URI") or ""
    record_id = record.rec_headers.get_header("WARC-Record-ID") or ""
    captured = record.rec_headers.get_header("WARC-Date") or ""
    limit = MAX_PAGE_MB * 1024 * 1024
    payload = record.content_stream().read(limit + 1)
    if len(payload) > limit:
        return RowError(uri or record_id, f"the page is larger than {MAX_PAGE_MB} MB; not read")
    digest = record.rec_headers.get_header("WARC-Payload-Digest") or _sha1(payload)
    if digest in seen:
        return None
    seen.add(digest)
    try:
        draft = parse_html(decode(payload)[0])
    except UnreadableInputError as e:
        return RowError(uri or record_id, str(e))
    if uri.startswith(("http://", "https://")):
        draft.url = uri
        if not draft.source:
            from urllib.parse import urlparse

            draft.source = urlparse(uri).netloc
    draft.date = draft.date or (captured[:10] if len(captured) >= 10 else None)
    draft.record = f"WARC-Record-ID: {record_id}" if record_id else ""
    draft.notes = f"Captured (WARC-Date): {captured}" if captured else ""
    return draft


def _sha1(payload: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


WARC = ImportFormat("warc", "Web archive (WARC)", (".warc", ".warc.gz"), 16384, read_warc)
WACZ = ImportFormat("wacz", "Web archive package (WACZ)", (".wacz",), 16384, read_wacz)

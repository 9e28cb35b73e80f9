"""HTML pages: title, date, main text without navigation, footers and other boilerplate.

The page is read as data by trafilatura (lxml underneath): no script runs and nothing is
fetched, not even images.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import find_date, parse_date_value
from archive_browser.core.importers.limits import MAX_HTML_ELEMENTS
from archive_browser.core.importers.text import first_sentence
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.textnorm import fold, one_line

_WEB_ADDRESS = re.compile(r"(?i)https?://[^\s/?#]+")
_HTML_LANG = re.compile(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.IGNORECASE)


@lru_cache(maxsize=1)
def _config() -> Any:
    from trafilatura.settings import use_config

    config = use_config()
    # Short releases are still releases: without this, pages under 250 characters of text
    # fall back to an extraction that loses the paragraphs.
    config["DEFAULT"]["MIN_EXTRACTED_SIZE"] = "20"
    config["DEFAULT"]["MAX_FILE_SIZE"] = str(64 * 1024 * 1024)
    # No SIGALRM timeout: imports run on worker threads, where signals cannot be used.
    config["DEFAULT"]["EXTRACTION_TIMEOUT"] = "0"
    return config


def parse_html(text: str) -> ReleaseDraft:
    """The release in one HTML page."""
    import trafilatura  # imported on first use: it takes a moment to load

    elements = _count_elements(text)
    if elements > MAX_HTML_ELEMENTS:
        raise UnreadableInputError(
            f"the page has too many elements to read ({elements:,}; "
            f"the limit is {MAX_HTML_ELEMENTS:,})"
        )
    try:
        doc = trafilatura.bare_extraction(
            text,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            include_images=False,
            date_extraction_params={"extensive_search": True, "original_date": True},
            config=_config(),
        )
    except Exception as e:  # lxml and trafilatura raise many kinds on broken markup
        raise UnreadableInputError(f"cannot read this HTML page: {e}") from None
    # (a dict only when asked for one with as_dict)
    main_text = "" if doc is None or isinstance(doc, dict) else doc.text or ""
    if doc is None or isinstance(doc, dict) or not main_text.strip():
        raise UnreadableInputError("no main text found in this HTML page")
    title = one_line(doc.title or "")
    paragraphs = [one_line(p) for p in main_text.split("\n") if p.strip()]
    # The extracted text often repeats the headline and the dateline; the release keeps them
    # as metadata instead.
    while paragraphs and (
        fold(paragraphs[0]) == fold(title) or (len(paragraphs[0]) < 40 and find_date(paragraphs[0]))
    ):
        paragraphs.pop(0)
    if not paragraphs:
        raise UnreadableInputError("no main text found in this HTML page")
    body = "\n\n".join(paragraphs)
    # Kept only when it is a web address: "javascript:" or "data:" is no place to go.
    url = doc.url or ""
    url = url if _WEB_ADDRESS.match(url) else ""
    summary = one_line(doc.description or "")
    if summary and fold(body).startswith(fold(summary)[:60]):
        summary = ""
    lang = _HTML_LANG.search(text[:2000])
    return ReleaseDraft(
        title=title or first_sentence(body),
        body=body,
        date=parse_date_value(doc.date) or find_date(f"{title}\n{body[:1000]}"),
        summary=summary,
        source=one_line(str(doc.sitename or "")) or urlparse(url).netloc,
        url=url,
        language=lang.group(1).lower() if lang else "",
    )


def _count_elements(text: str) -> int:
    """How many elements lxml finds in a page: a quick parse, far quicker than extraction."""
    from lxml import etree

    # Bytes, as lxml refuses text with an encoding declaration; no network, as always.
    parser = etree.HTMLParser(recover=True, no_network=True)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.LxmlError, ValueError):
        return 0  # the extraction reports what is wrong
    return 0 if root is None else sum(1 for _ in root.iter())

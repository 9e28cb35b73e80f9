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

    elements, page = _parse_page(text)
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
    # Kept only when it is a web address: "javascript:" or "data:" is no place to go.
    url = doc.url or ""
    url = url if _WEB_ADDRESS.match(url) else ""
    raw_title = _page_title(page) or one_line(doc.title or "")
    title = headline(raw_title, page, one_line(doc.sitename or ""), url)
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


def _parse_page(text: str) -> tuple[int, Any]:
    """How many elements lxml finds in a page, and its tree (None when lxml gives none): a
    quick parse, far quicker than extraction."""
    from lxml import etree

    # Bytes, as lxml refuses text with an encoding declaration; no network, as always.
    parser = etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except (etree.LxmlError, ValueError):
        return 0, None  # the extraction reports what is wrong
    return (0, None) if root is None else (sum(1 for _ in root.iter()), root)


#: Separators between a headline and the site's name in a page's <title>.
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|·|»|/)\s+")
#: Parts of a <title> that name a section of a site rather than the release.
_SECTION_WORDS = {
    "news", "press", "press release", "press releases", "press room", "newsroom", "home",
    "statements", "statement", "speeches", "media", "media centre", "media center", "updates",
    "official website", "official site", "events", "articles", "blog", "новости",
    "пресс-релизы", "главная", "заявления",
}  # fmt: skip


def _meta(page: Any, *names: str) -> list[str]:
    if page is None:
        return []
    found = []
    for element in page.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key in names and element.get("content"):
            found.append(one_line(element.get("content")))
    return found


def _page_title(page: Any) -> str:
    if page is None:
        return ""
    for element in page.iter("title"):
        return one_line(" ".join(element.itertext()))
    return ""


def _h1(page: Any) -> str:
    if page is None:
        return ""
    for element in page.iter("h1"):
        text = one_line(" ".join(element.itertext()))
        if text:
            return text
    return ""


def headline(title: str, page: Any, sitename: str, url: str) -> str:
    """The release's headline from a page's title: without the site's name and section
    ("... say MEPs | News | European Parliament" -> "... say MEPs")."""
    sites = {fold(n) for n in [sitename, *_meta(page, "og:site_name", "application-name")] if n}
    host = urlparse(url).netloc.lower().removeprefix("www.")
    folded = [fold(p) for p in _TITLE_SEPARATORS.split(title)]
    for name in [*_meta(page, "og:title", "twitter:title"), _h1(page)]:
        # The page's own headline, when the title is that headline and other parts around
        # it: the rest is the site's name, whatever it is called.
        if not name or fold(name) == fold(title) or len(folded) < 2:
            continue
        if fold(name) in folded:
            return name
    parts = _TITLE_SEPARATORS.split(title)
    while len(parts) > 1 and _is_site_part(fold(parts[-1]), sites, host):
        parts.pop()
    while len(parts) > 1 and _is_site_part(fold(parts[0]), sites, host):
        parts.pop(0)
    # Separators inside the headline itself are kept as they were written.
    if len(parts) == len(_TITLE_SEPARATORS.split(title)):
        return title
    start = title.find(parts[0])
    end = title.rfind(parts[-1]) + len(parts[-1])
    return title[start:end].strip() or title


def _is_site_part(part: str, sites: set[str], host: str) -> bool:
    part = part.strip(" \x00")
    if not part or part in sites or part in _SECTION_WORDS:
        return True
    if any(part in site or site in part for site in sites if len(site) >= 4):
        return True
    compact = re.sub(r"[^a-z0-9]", "", part)
    # "Kremlin" on kremlin.ru, "GOV.UK" on www.gov.uk
    return bool(host) and len(compact) >= 4 and compact in re.sub(r"[^a-z0-9]", "", host)

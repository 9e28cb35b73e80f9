"""Text of an HTML part that is not a whole page: an e-mail's HTML body, a feed entry's content.

The HTML extraction (`html.parse_html`) is tried first; a fragment too short or too plain for
it to find a main text is read as the text of its elements, paragraph by paragraph.
"""

from __future__ import annotations

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.limits import MAX_HTML_ELEMENTS
from archive_browser.core.textnorm import one_line

_BLOCKS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "br", "pre"}


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment or page, paragraphs split by blank lines."""
    from archive_browser.core.importers.html import parse_html

    if "<" not in fragment:
        return fragment
    page = (
        fragment if "<html" in fragment[:2000].lower() else f"<html><body>{fragment}</body></html>"
    )
    try:
        return parse_html(page).body
    except UnreadableInputError:
        return _plain(page)


def _plain(page: str) -> str:
    from lxml import etree

    parser = etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(page.encode("utf-8", errors="replace"), parser)
    except (etree.LxmlError, ValueError):
        return ""
    if root is None:
        return ""
    parts: list[str] = []
    for count, element in enumerate(root.iter()):
        if count > MAX_HTML_ELEMENTS:
            break
        if element.tag in ("script", "style"):
            continue
        if element.tag in _BLOCKS:
            parts.append("\n\n")
        if element.text and element.tag not in ("script", "style"):
            parts.append(element.text)
        if element.tail:
            parts.append(element.tail)
    return "\n\n".join(one_line(p) for p in "".join(parts).split("\n\n") if p.strip())

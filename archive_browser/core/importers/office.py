"""Word processor files: DOCX (python-docx), ODT (odfpy), RTF (striprtf), one release per
file; legacy `.doc` is named as unsupported, with the advice to convert it.

DOCX and ODT are zip files: before a library opens one, its members are checked so that a
zip bomb is refused (`zipped.check_zip`).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import find_date, parse_date_value
from archive_browser.core.importers.decode import decode, read_bytes
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.zipped import check_zip
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.textnorm import one_line

#: Most paragraphs (and table rows) read of one document.
MAX_PARAGRAPHS = 200_000


def read_docx(ctx: ReadContext) -> list[ReleaseDraft]:
    """Paragraphs, headings and tables (a row a line, cells split by " | "), in order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    data = read_bytes(ctx.path, ctx.limit_mb)
    _check_package(data)
    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        title = ""
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                text = block.text.strip()
                style = (block.style.name if block.style is not None else "") or ""
                if text and not title and style.lower().startswith(("title", "heading")):
                    title = one_line(text)
                blocks.append(text)
            elif isinstance(block, Table):
                blocks.extend(_table_rows(block))
            if len(blocks) > MAX_PARAGRAPHS:
                raise UnreadableInputError(
                    f"the document has more than {MAX_PARAGRAPHS:,} paragraphs (the limit)"
                )
        core = document.core_properties
        meta_title, author, created = core.title, core.author, core.created
    except UnreadableInputError:
        raise
    except Exception as e:  # python-docx raises many kinds on damaged files
        raise UnreadableInputError(f"cannot read this Word document: {describe(e)}") from None
    return [_draft(blocks, one_line(meta_title or "") or title, one_line(author or ""), created)]


def _table_rows(table: Any) -> list[str]:
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        if any(cells):
            rows.append(" | ".join(cells))
    return ["\n".join(rows)] if rows else []


def read_odt(ctx: ReadContext) -> list[ReleaseDraft]:
    """Headings, paragraphs and list items of an OpenDocument text, in order."""
    from odf import teletype
    from odf.namespaces import TEXTNS
    from odf.opendocument import load

    data = read_bytes(ctx.path, ctx.limit_mb)
    _check_package(data)
    try:
        document = load(io.BytesIO(data))
        blocks: list[str] = []
        title = ""
        wanted = {(TEXTNS, "p"), (TEXTNS, "h")}

        def walk(node: Any) -> None:
            for child in node.childNodes:
                if getattr(child, "qname", None) in wanted:
                    blocks.append(teletype.extractText(child).strip())
                    if len(blocks) > MAX_PARAGRAPHS:
                        raise UnreadableInputError(
                            f"the document has more than {MAX_PARAGRAPHS:,} paragraphs (the limit)"
                        )
                    nonlocal title
                    if not title and child.qname == (TEXTNS, "h") and blocks[-1]:
                        title = one_line(blocks[-1])
                elif getattr(child, "childNodes", None):
                    walk(child)

        walk(document.text)
        meta_title = _odf_meta(document, "title")
        author = _odf_meta(document, "creator") or _odf_meta(document, "initial-creator")
        created = _odf_meta(document, "date") or _odf_meta(document, "creation-date")
    except UnreadableInputError:
        raise
    except Exception as e:  # odfpy and its XML parser raise many kinds on damaged files
        raise UnreadableInputError(f"cannot read this OpenDocument text: {describe(e)}") from None
    return [_draft(blocks, meta_title or title, author, created)]


def _odf_meta(document: Any, name: str) -> str:
    for element in document.meta.childNodes:
        if getattr(element, "tagName", "").split(":")[-1] == name:
            return one_line(str(element))
    return ""


def read_rtf(ctx: ReadContext) -> list[ReleaseDraft]:
    """The text of an RTF document (its \\u escapes and code page decoded)."""
    from striprtf.striprtf import rtf_to_text

    raw, _encoding = decode(read_bytes(ctx.path, ctx.limit_mb))
    if not raw.lstrip().startswith("{\\rtf"):
        raise UnreadableInputError("not an RTF document (it does not start with {\\rtf)")
    try:
        body = rtf_to_text(raw, errors="replace")
    except Exception as e:  # striprtf raises on unknown code pages and broken escapes
        raise UnreadableInputError(f"cannot read this RTF document: {describe(e)}") from None
    return [_draft(body.split("\n"), "", "", None)]


def read_doc(ctx: ReadContext) -> list[ReleaseDraft]:
    """Legacy Word files are not read: the user is told how to convert them."""
    raise UnreadableInputError(
        "legacy Word .doc files are not supported; convert it to .docx or .odt first "
        "(e.g. `libreoffice --headless --convert-to docx FILE.doc`) and import that"
    )


def _check_package(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            check_zip(package, len(data))
    except zipfile.BadZipFile:
        raise UnreadableInputError("the document is damaged (not a zip package)") from None


def _draft(blocks: list[str], title: str, author: str, created: object) -> ReleaseDraft:
    paragraphs = [b.strip() for b in blocks if b.strip()]
    body = "\n\n".join(paragraphs)
    if not title and paragraphs and len(paragraphs[0]) <= 200:
        title = one_line(paragraphs[0])
    return ReleaseDraft(
        title=title,
        body=body,
        # A dateline in the text is the release's date; the file's may be of a later copy.
        date=find_date(body[:3000]) or (parse_date_value(created) if created else None),
        source=author,
    )


DOCX = ImportFormat("docx", "Word document", (".docx",), 128, read_docx)
ODT = ImportFormat("odt", "OpenDocument text", (".odt",), 128, read_odt)
RTF = ImportFormat("rtf", "Rich Text Format", (".rtf",), 64, read_rtf)
DOC = ImportFormat("doc", "Legacy Word (not read: convert it)", (".doc",), 1, read_doc)

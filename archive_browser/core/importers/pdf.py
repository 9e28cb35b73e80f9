"""PDF files: the text layer, one release per file, pages kept; pages without text are read
by OCR (Tesseract) when it is installed.

The text layer is read with pdfminer.six: its layout analysis keeps each column's lines
together on pages whose lines are written across the columns, where pypdf and pypdfium2 give
the lines in the order of the page's content (every paragraph broken up by the other
columns). Pages are rendered for OCR with pypdfium2.

Where each page starts is kept in the release's notes ("PDF pages 1-3; page starts at
characters 1:0 2:1840 3:3702"), so that a hit can be cited by page without markers in the
text.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import find_date, parse_date_value
from archive_browser.core.importers.decode import read_bytes
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.text import first_sentence
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.textnorm import clean_text, one_line

#: Most pages read of one PDF; a press release has a few, a report a few hundred.
MAX_PDF_PAGES = 2_000
#: Most pages of one PDF read by OCR (each takes seconds).
MAX_OCR_PAGES = 200
#: Resolution of pages rendered for OCR, in dots per inch (Tesseract reads best at 300).
OCR_DPI = 300
#: Languages Tesseract reads the pages in (the packages .ci/run installs).
OCR_LANGUAGES = "eng+rus"
#: Tag of a release whose text is (partly) OCR, and of one that still needs it.
OCR_TAG = "OCR"
NEEDS_OCR_TAG = "needs OCR"

_MADE_BY = re.compile(r"(?i)^microsoft (word|powerpoint)\b|\.(docx?|odt|rtf|pdf|indd)$")
#: Ligatures the text layer may hold; the index knows the letters.
_LIGATURES = str.maketrans({"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st"})
_PDF_DATE = re.compile(r"^D?:?(\d{4})(\d{2})?(\d{2})?")


@lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """The version of the installed Tesseract, or None when there is none."""
    if shutil.which("tesseract") is None:
        return None
    try:
        import pytesseract

        return str(pytesseract.get_tesseract_version())
    except Exception:  # not installed, or broken: treated alike
        return None


def read_pdf(ctx: ReadContext) -> list[ReleaseDraft]:
    """One release per PDF: the text of its pages, its title and date."""
    data = read_bytes(ctx.path, ctx.limit_mb)
    info, pages = _text_pages(data)
    ocr_pages: list[int] = []
    empty = [n for n, text in enumerate(pages, 1) if not _has_words(text)]
    ocr_version = tesseract_version() if empty else None
    if empty and ocr_version is not None:
        for number, text in _ocr(data, empty[:MAX_OCR_PAGES]):
            pages[number - 1] = text
            if _has_words(text):
                ocr_pages.append(number)
    starts: list[tuple[int, int]] = []
    parts: list[str] = []
    offset = 0
    for number, text in enumerate(pages, 1):
        # Cleaned here as `finish()` would, so that the page starts stay true in the stored text.
        text = clean_text(text.translate(_LIGATURES))
        if not text:
            continue
        starts.append((number, offset))
        parts.append(text)
        offset += len(text) + 2
    body = "\n\n".join(parts)
    title = _info_text(info, "Title")
    first = parts[0] if parts else ""
    # A dateline on the first page is the release's date; the file's may be of a later copy.
    date = find_date(first[:3000]) or _pdf_date(_info_text(info, "CreationDate"))
    if _MADE_BY.search(title):
        title = ""  # "Microsoft Word - draft.docx" names the file, not the release
    notes = [_page_note(len(pages), starts)]
    tags: list[str] = []
    if ocr_pages:
        tags.append(OCR_TAG)
        notes.append(
            f"OCR text (Tesseract {ocr_version}, {OCR_LANGUAGES}) on pages "
            + ", ".join(map(str, ocr_pages))
        )
    missing = [n for n in empty if n not in ocr_pages]
    if missing:
        why = (
            "Tesseract is not installed"
            if ocr_version is None
            else "OCR found no text"
            if len(missing) <= MAX_OCR_PAGES
            else f"OCR reads at most {MAX_OCR_PAGES} pages"
        )
        notes.append(f"needs OCR: pages {_ranges(missing)} have no text layer ({why})")
    if not _has_words(body):
        if not missing:
            raise UnreadableInputError("the PDF holds no text")
        tags.append(NEEDS_OCR_TAG)
        name = title or ctx.path.stem
        body = (
            f"{name}: this PDF has no text layer and needs OCR ({why}; "
            "install Tesseract with English and Russian data and import the file again)."
        )
    return [
        ReleaseDraft(
            title=title or _first_line(first),
            body=body,
            date=date,
            source=_info_text(info, "Author"),
            notes="\n".join(notes),
            tags=tags,
        )
    ]


def _text_pages(data: bytes) -> tuple[dict[str, Any], list[str]]:
    """The document info and the text of each page (empty where there is no text layer)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
        info = document.info[0] if document.info else {}
        pages: list[str] = []
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            if len(pages) >= MAX_PDF_PAGES:
                raise UnreadableInputError(
                    f"the PDF has more than {MAX_PDF_PAGES:,} pages (the limit)"
                )
            pages.append("".join(el.get_text() for el in page if isinstance(el, LTTextContainer)))
    except (PDFPasswordIncorrect, PDFEncryptionError):
        raise UnreadableInputError("the PDF is encrypted; no text can be read") from None
    except UnreadableInputError:
        raise
    except Exception as e:  # pdfminer raises many kinds on damaged files
        if "encrypt" in str(e).lower() or "password" in str(e).lower():
            raise UnreadableInputError("the PDF is encrypted; no text can be read") from None
        raise UnreadableInputError(f"cannot read this PDF ({describe(e)})") from None
    if not pages:
        raise UnreadableInputError("the PDF has no pages")
    return dict(info), pages


def _ocr(data: bytes, numbers: list[int]) -> Iterator[tuple[int, str]]:
    """The text Tesseract reads on the pages `numbers` (counted from 1)."""
    import pypdfium2
    import pytesseract

    try:
        document = pypdfium2.PdfDocument(data)
    except Exception:
        return
    try:
        for number in numbers:
            try:
                image = document[number - 1].render(scale=OCR_DPI / 72).to_pil()
                text = pytesseract.image_to_string(image, lang=OCR_LANGUAGES)
            except Exception:  # one unreadable page does not stop the others
                continue
            yield number, str(text)
    finally:
        document.close()


def _info_text(info: dict[str, Any], key: str) -> str:
    value = info.get(key)
    if value is not None and hasattr(value, "resolve"):
        value = value.resolve()
    if isinstance(value, bytes):
        if value.startswith((b"\xfe\xff", b"\xff\xfe")):
            text = value.decode("utf-16", errors="replace")
        else:
            text = value.decode("latin-1")
    elif isinstance(value, str):
        text = value
    else:
        return ""
    return one_line(text.replace("\x00", ""))


def _pdf_date(value: str) -> str | None:
    match = _PDF_DATE.match(value)
    if not match or not match.group(3):
        return parse_date_value(value) if value else None
    return parse_date_value(f"{match.group(1)}-{match.group(2)}-{match.group(3)}")


def _has_words(text: str) -> bool:
    return sum(ch.isalnum() for ch in text) >= 3


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if _has_words(line):
            return one_line(line)[:300]
    return first_sentence(text)


def _ranges(numbers: list[int]) -> str:
    """[1, 2, 3, 7] -> "1-3, 7"."""
    out: list[str] = []
    for n in numbers:
        if out and n == int(out[-1].split("-")[-1]) + 1:
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


def _page_note(count: int, starts: list[tuple[int, int]]) -> str:
    where = " ".join(f"{page}:{offset}" for page, offset in starts)
    return f"PDF pages 1-{count}; page starts at characters {where}"


FORMAT = ImportFormat("pdf", "PDF document", (".pdf",), 256, read_pdf)

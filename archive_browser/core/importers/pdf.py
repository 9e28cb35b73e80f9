"""PDF files: the text layer, one release per file, pages kept; pages without text are read
by OCR (Tesseract) when it is installed.

The text layer is read with pdfminer.six: its layout analysis keeps each column's lines
together on pages whose lines are written across the columns, where pypdf and pypdfium2 give
the lines in the order of the page's content (every paragraph broken up by the other
columns). Pages are rendered for OCR with pypdfium2.

The pages a release holds are its record within the file ("pages 1-3"). Where each page
starts in the text stays in the release's notes ("Page starts at characters 1:0 2:1840
3:3702"), so that a hit can be cited by page without markers in the text.

With a split strategy chosen (`ImportOptions.pdf_split`, or a split corrected in the window),
the page text is split by the rules of text files (see `text.py`), and each part's record
names the pages its text starts and ends on ("pages 4-6").
"""

from __future__ import annotations

import io
import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import find_date, parse_date_value
from archive_browser.core.importers.decode import read_bytes
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.text import (
    Paragraph,
    build_items,
    first_sentence,
    propose_starts,
)
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
#: A line at least this share of the page's longest is full: it was wrapped, and its
#: paragraph runs on into the next line (when it does not end a sentence).
FULL_LINE = 0.8
_SENTENCE_END_MARKS = tuple(".!?…:;\"'”»")
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


@dataclass(slots=True)
class _Document:
    """A PDF read: its info, the text boxes of each page (after OCR), notes and tags."""

    info: dict[str, Any]
    pages: list[list[str]]
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    #: Why pages without text were not read, when some were not; "" when all were.
    missing_why: str = ""


def read_pdf(ctx: ReadContext) -> list[ReleaseDraft]:
    """One release per PDF (its text, title, date and pages), or one per part of its text
    when a split is chosen or corrected."""
    document = _read_document(ctx.path, ctx.limit_mb)
    starts = ctx.options.splits.get(str(ctx.path.resolve()))
    if starts is None and ctx.options.pdf_split != "file":
        paragraphs = [p for _page, p in _page_paragraphs(document.pages)]
        starts = propose_starts(paragraphs, ctx.options.pdf_split)
    if starts is not None and len(starts) > 1:
        return _split_releases(document, starts)
    return [_whole_release(document, ctx.path.stem)]


def pdf_paragraphs(path: Path, limit_mb: int) -> list[Paragraph]:
    """The paragraphs of a PDF's text, as a split of it counts them (for the window's
    preview of the split)."""
    return [p for _page, p in _page_paragraphs(_read_document(path, limit_mb).pages)]


def _read_document(path: Path, limit_mb: int) -> _Document:
    data = read_bytes(path, limit_mb)
    info, boxes = _text_pages(data)
    document = _Document(info, boxes)
    ocr_pages: list[int] = []
    empty = [n for n, page in enumerate(boxes, 1) if not _has_words("".join(page))]
    ocr_version = tesseract_version() if empty else None
    if empty and ocr_version is not None:
        for number, text in _ocr(data, empty[:MAX_OCR_PAGES]):
            boxes[number - 1] = [text]
            if _has_words(text):
                ocr_pages.append(number)
    if ocr_pages:
        document.tags.append(OCR_TAG)
        document.notes.append(
            f"OCR text (Tesseract {ocr_version}, {OCR_LANGUAGES}) on pages "
            + ", ".join(map(str, ocr_pages))
        )
    missing = [n for n in empty if n not in ocr_pages]
    if missing:
        document.missing_why = (
            "Tesseract is not installed"
            if ocr_version is None
            else "OCR found no text"
            if len(missing) <= MAX_OCR_PAGES
            else f"OCR reads at most {MAX_OCR_PAGES} pages"
        )
        document.notes.append(
            f"needs OCR: pages {_ranges(missing)} have no text layer ({document.missing_why})"
        )
    return document


def _page_text(boxes: list[str]) -> str:
    # Cleaned here as `finish()` would, so that the page starts stay true in the stored text.
    return clean_text("".join(boxes).translate(_LIGATURES))


def _whole_release(document: _Document, stem: str) -> ReleaseDraft:
    starts: list[tuple[int, int]] = []
    parts: list[str] = []
    offset = 0
    for number, boxes in enumerate(document.pages, 1):
        text = _page_text(boxes)
        if not text:
            continue
        starts.append((number, offset))
        parts.append(text)
        offset += len(text) + 2
    body = "\n\n".join(parts)
    info = document.info
    title = _title(info)
    first = parts[0] if parts else ""
    # A dateline on the first page is the release's date; the file's may be of a later copy.
    date = find_date(first[:3000]) or _pdf_date(_info_text(info, "CreationDate"))
    notes = [_page_note(starts), *document.notes]
    tags = list(document.tags)
    if not _has_words(body):
        if not document.missing_why:
            raise UnreadableInputError("the PDF holds no text")
        tags.append(NEEDS_OCR_TAG)
        body = (
            f"{title or stem}: this PDF has no text layer and needs OCR "
            f"({document.missing_why}; install Tesseract with English and Russian data and "
            "import the file again)."
        )
    return ReleaseDraft(
        title=title or _first_line(first),
        body=body,
        date=date,
        source=_info_text(info, "Author"),
        notes="\n".join(notes),
        tags=tags,
        record=_pages_record(1, len(document.pages)),
    )


def _page_paragraphs(pages: list[list[str]]) -> list[tuple[int, Paragraph]]:
    """The paragraphs of the text, each with the page it is on. A PDF draws lines, not
    paragraphs: a line runs on into the next when it fills the width of the page's longest
    lines (it was wrapped), ends with a hyphen, or the next starts with a small letter; a
    short line (a headline, a paragraph's last) ends its paragraph, as does a page. One
    blank line stands before each paragraph (a PDF draws none: `blank` never splits one)."""
    out: list[tuple[int, Paragraph]] = []
    for number, boxes in enumerate(pages, 1):
        lines = [
            one_line(line)
            for box in boxes
            for line in clean_text(box.translate(_LIGATURES)).split("\n")
            if line.strip()
        ]
        width = max((len(line) for line in lines), default=0)
        current: list[str] = []
        for line in lines:
            if current and not _runs_on(current[-1], line, width):
                out.append((number, Paragraph(" ".join(current), 1)))
                current = []
            current.append(line)
        if current:
            out.append((number, Paragraph(" ".join(current), 1)))
    return out


def _runs_on(line: str, following: str, width: int) -> bool:
    return (
        (len(line) >= FULL_LINE * width and not line.endswith(_SENTENCE_END_MARKS))
        or line.endswith("-")
        or following[:1].islower()
    )


def _split_releases(document: _Document, starts: list[int]) -> list[ReleaseDraft]:
    numbered = _page_paragraphs(document.pages)
    paragraphs = [p for _page, p in numbered]
    starts = sorted({s for s in starts if 0 <= s < len(paragraphs)} | {0})
    file_date = _pdf_date(_info_text(document.info, "CreationDate"))
    bounds = [*starts, len(paragraphs)]
    drafts: list[ReleaseDraft] = []
    for a, b in itertools.pairwise(bounds):
        ((title, body),) = build_items(paragraphs[a:b], [0])
        drafts.append(
            ReleaseDraft(
                title=title,
                body=body,
                date=find_date(f"{title}\n{body[:3000]}") or file_date,
                source=_info_text(document.info, "Author"),
                notes="\n".join(document.notes),
                tags=list(document.tags),
                record=_pages_record(numbered[a][0], numbered[b - 1][0]),
            )
        )
    return drafts


def _title(info: dict[str, Any]) -> str:
    title = _info_text(info, "Title")
    # "Microsoft Word - draft.docx" names the file, not the release.
    return "" if _MADE_BY.search(title) else title


def _pages_record(first: int, last: int) -> str:
    return f"page {first}" if first == last else f"pages {first}-{last}"


def _text_pages(data: bytes) -> tuple[dict[str, Any], list[list[str]]]:
    """The document info and the text boxes of each page (none where there is no text
    layer)."""
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams, LTTextContainer
    from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFParser

    try:
        parser = PDFParser(io.BytesIO(data))
        document = PDFDocument(parser)
        info = document.info[0] if document.info else {}
        pages: list[list[str]] = []
        for page in extract_pages(io.BytesIO(data), laparams=LAParams()):
            if len(pages) >= MAX_PDF_PAGES:
                raise UnreadableInputError(
                    f"the PDF has more than {MAX_PDF_PAGES:,} pages (the limit)"
                )
            pages.append([el.get_text() for el in page if isinstance(el, LTTextContainer)])
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


def _page_note(starts: list[tuple[int, int]]) -> str:
    where = " ".join(f"{page}:{offset}" for page, offset in starts)
    return f"Page starts at characters {where}"


FORMAT = ImportFormat("pdf", "PDF document", (".pdf",), 256, read_pdf, ("split",), True)

"""The PDF export: a cover page, a table of contents with page numbers, then each release on
new pages with its metadata, lead and text; an outline entry per release, "page n of N" in
every footer, query hits highlighted, PDF/A-2b, with embedded DejaVu fonts.

Built with fpdf2, which writes real text with embedded, subset TrueType fonts; the layout of
text (line breaks, page breaks, highlights) is done here, see textlayout.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, PageMode
from fpdf.fonts import TTFFont

from archive_browser import APP_NAME, __version__
from archive_browser.core.errors import ArchiveError
from archive_browser.core.export.pdfa import make_pdfa
from archive_browser.core.export.textlayout import (
    Measure,
    Span,
    paragraph_spans,
    printable,
    wrap,
)
from archive_browser.core.index import HighlightTerms, match_spans
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import Release
from archive_browser.core.paths import resource_path
from archive_browser.core.provenance import NOT_RECORDED, Provenance

# All lengths in millimetres, font sizes in points.
PAGE_W, PAGE_H = 210.0, 297.0
MARGIN_X = 24.0
MARGIN_TOP = 24.0
MARGIN_BOTTOM = 22.0
TEXT_W = PAGE_W - 2 * MARGIN_X
BOTTOM = PAGE_H - MARGIN_BOTTOM
PT = 25.4 / 72

INK = (20, 20, 20)
MUTED = (105, 105, 105)
RULE = (190, 190, 190)
LINK = (20, 70, 150)
#: Background of matched words; tests look for it in the page content.
HIGHLIGHT = (255, 222, 89)

#: Addresses made clickable (PDF/A allows no other actions than going to a URI or a page).
_LINKABLE = re.compile(r"(?i)(https?|ftp)://\S+$")

FONTS = {
    ("serif", ""): "DejaVuSerifCondensed.ttf",
    ("serif", "I"): "DejaVuSerifCondensed-Italic.ttf",
    ("sans", ""): "DejaVuSansCondensed.ttf",
    ("sans", "B"): "DejaVuSansCondensed-Bold.ttf",
}


@dataclass(frozen=True, slots=True)
class TextStyle:
    """A font, size, line height and colour for a kind of text."""

    family: str
    style: str
    size: float
    leading: float
    color: tuple[int, int, int] = INK


TITLE = TextStyle("sans", "B", 17, 7.4)
LABEL = TextStyle("sans", "", 7.5, 4.6, MUTED)
VALUE = TextStyle("sans", "", 9.5, 4.6)
LEAD = TextStyle("serif", "I", 11.5, 5.9)
BODY = TextStyle("serif", "", 10.5, 5.2)
TOC_TITLE = TextStyle("serif", "", 10, 4.7)
TOC_DATE = TextStyle("sans", "", 8, 4.7, MUTED)
TOC_PAGE = TextStyle("sans", "", 9, 4.7)
HEADING = TextStyle("sans", "B", 20, 9)
SMALL = TextStyle("sans", "", 7.5, 4, MUTED)

PAGE_COUNT_ALIAS = "{pages}"
PARAGRAPH_GAP = 2.6
TOC_GAP = 1.8
TOC_DATE_W = 20.0
TOC_PAGE_W = 14.0
LABEL_W = 23.0


@dataclass(frozen=True, slots=True)
class CoverInfo:
    """What the cover page and the document metadata say about the export."""

    archive_name: str
    exported: datetime
    count: int
    query: str | None = None
    highlight: str | None = None
    first_date: str | None = None
    last_date: str | None = None
    lang: str = ""


class _Document(FPDF):
    """fpdf2's document with this export's running header and footer: none on the cover
    (page 1), "Contents" over the table of contents, the release's title and date over the
    pages of a release but its first."""

    def __init__(self) -> None:
        super().__init__(unit="mm", format="A4")
        self.contents_pages = range(0)
        self.running_title = ""
        self.running_date = ""
        self.opening_page = False
        self.footer_text = ""

    def header(self) -> None:
        if self.page in self.contents_pages:
            title, date = "Contents", ""
        elif self.page == 1 or self.opening_page:
            return
        else:
            title, date = self.running_title, self.running_date
        if not title:
            return
        self.set_font("sans", "", 7.5)
        self.set_text_color(*MUTED)
        date_w = self.get_string_width(date) if date else 0
        room = TEXT_W - date_w - 6
        self.set_xy(MARGIN_X, 11)
        self.cell(room, 4, _fit(self, title, room), align=Align.L)
        if date:
            self.set_xy(PAGE_W - MARGIN_X - date_w, 11)
            self.cell(date_w, 4, date, align=Align.R)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        self.line(MARGIN_X, 16, PAGE_W - MARGIN_X, 16)

    def footer(self) -> None:
        if self.page == 1:
            return
        self.set_font("sans", "", 7.5)
        self.set_text_color(*MUTED)
        # The page count is filled in at the end, in the room kept for it: left-aligned text
        # leaves no gap after the number.
        self.set_xy(MARGIN_X, PAGE_H - 13)
        self.cell(40, 4, f"Page {self.page_no()} of {PAGE_COUNT_ALIAS}", align=Align.L)
        room = TEXT_W - 45
        text = _fit(self, self.footer_text, room)
        self.set_xy(PAGE_W - MARGIN_X - room, PAGE_H - 13)
        self.cell(room, 4, text, align=Align.R)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """`text` cut with "…" to fit `width` in the current font."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[: max(0, len(text) - max(1, len(text) // 20))]
    return text.rstrip() + "…"


@dataclass(frozen=True, slots=True)
class _Entry:
    """A release in the table of contents."""

    release_id: int
    title: str
    date: str | None


class PdfWriter:
    """Lays out an export page by page; `output()` writes the file."""

    def __init__(self, info: CoverInfo, terms: HighlightTerms) -> None:
        self.info = info
        self.terms = terms
        pdf = self.pdf = _Document()
        for (family, style), name in FONTS.items():
            path = resource_path("fonts", name)
            if not path.is_file():
                # An incomplete installation, not a problem writing the export.
                raise ArchiveError(f"the font {path} that PDF exports embed is missing")
            pdf.add_font(family, style, str(path))
        pdf.set_margins(MARGIN_X, MARGIN_TOP, MARGIN_X)
        pdf.set_auto_page_break(False)
        # fpdf2 reserves one digit per character of the alias: room for 7-digit counts.
        pdf.alias_nb_pages(PAGE_COUNT_ALIAS)
        pdf.set_display_mode("fullwidth", "continuous")
        pdf.page_mode = PageMode.USE_OUTLINES
        self._measures: dict[TextStyle, Measure] = {}
        self._toc: list[_Entry] = []
        self._toc_pages: list[list[tuple[int, list[Span], str]]] = []
        self._starts: dict[int, int] = {}  # release id -> its first page
        self._page_is_new = False
        self.y = MARGIN_TOP
        footer = f"{info.archive_name} · exported {info.exported:%Y-%m-%d}"
        pdf.footer_text = self._printable(SMALL, footer)

    # --- fonts and measures

    def _font(self, style: TextStyle) -> TTFFont:
        font = self.pdf.fonts[style.family + style.style]
        assert isinstance(font, TTFFont)
        return font

    def _use(self, style: TextStyle) -> None:
        self.pdf.set_font(style.family, style.style, style.size)
        self.pdf.set_text_color(*style.color)

    def _width(self, style: TextStyle, text: str) -> float:
        cw = self._font(style).cw
        return sum(cw[ord(c)] for c in text) * style.size / 1000 * PT

    def _measure(self, style: TextStyle) -> Measure:
        measure = self._measures.get(style)
        if measure is None:
            measure = self._measures[style] = Measure.cached(lambda s: self._width(style, s))
        return measure

    def _printable(self, style: TextStyle, text: str) -> str:
        cmap = self._font(style).cmap
        return printable(text, cmap.__contains__)

    # --- pages

    def _new_page(self) -> None:
        self.pdf.add_page()
        self.pdf.opening_page = False
        self.y = MARGIN_TOP

    def _at_top(self) -> bool:
        return self.y <= MARGIN_TOP + 0.01

    def _place(self, count: int, leading: float) -> Iterator[float]:
        """The top of each of `count` lines, breaking pages so that no page starts or ends
        with a single line of them."""
        placed = 0
        while placed < count:
            room = int((BOTTOM - self.y + 1e-6) // leading)
            rest = count - placed
            if rest <= room:
                take = rest
            else:
                take = min(room, rest - 2)
                if take < 2:
                    take = room if self._at_top() else 0
            if take <= 0:
                self._new_page()
                continue
            for _ in range(take):
                yield self.y
                self.y += leading
            placed += take

    # --- text

    def _flow(
        self,
        text: str,
        style: TextStyle,
        *,
        x: float = MARGIN_X,
        width: float = TEXT_W,
        gap: float = PARAGRAPH_GAP,
        highlight: bool = True,
        link: str | None = None,
    ) -> None:
        """Sets `text` in paragraphs from the current position, on as many pages as needed."""
        shown = self._printable(style, text)
        spans = match_spans(text, self.terms) if highlight and self.terms else []
        measure = self._measure(style)
        self._use(style)
        for n, (start, end) in enumerate(paragraph_spans(shown)):
            lines = wrap(shown, start, end, measure, width)
            if n and not self._at_top():
                self.y += gap
            for (ls, le), top in zip(lines, self._place(len(lines), style.leading), strict=True):
                self._line(shown, ls, le, spans, style, x, top, link)

    def _line(
        self,
        text: str,
        start: int,
        end: int,
        spans: Sequence[Span],
        style: TextStyle,
        x: float,
        top: float,
        link: str | None,
    ) -> None:
        pdf = self.pdf
        size = style.size * PT
        baseline = top + (style.leading + size * 0.7) / 2
        marks = [(max(s, start), min(e, end)) for s, e in spans if s < end and e > start]
        if marks:
            pdf.set_fill_color(*HIGHLIGHT)
            for s, e in marks:
                x0 = x + self._width(style, text[start:s])
                x1 = x + self._width(style, text[start:e])
                pdf.rect(x0 - 0.3, baseline - size * 0.8, x1 - x0 + 0.6, size * 1.05, style="F")
        pdf.set_fill_color(*style.color)  # equal to the text colour: no colour switch per line
        pdf.text(x, baseline, text[start:end])
        if link:
            w = self._width(style, text[start:end])
            pdf.link(x, top, w, style.leading, link)

    # --- the parts of the document

    def cover(self) -> None:
        """The first page: archive, date, query and how many releases."""
        pdf, info = self.pdf, self.info
        pdf.add_page()
        self.y = 70.0
        self._flow(APP_NAME.upper(), SMALL, highlight=False)
        self.y += 3
        self._flow(info.archive_name, TextStyle("sans", "B", 30, 12.5), highlight=False)
        self.y += 1
        self._flow("Press releases", TextStyle("sans", "", 16, 8, MUTED), highlight=False)
        self.y += 14
        rows = [("Exported", f"{info.exported:%Y-%m-%d %H:%M} UTC")]
        if info.query:
            rows.append(("Query", info.query))
        if info.highlight and info.highlight != info.query:
            rows.append(("Highlighted", info.highlight))
        rows.append(("Releases", f"{info.count:,}"))
        if info.first_date:
            span = info.first_date
            if info.last_date and info.last_date != info.first_date:
                span = f"{info.first_date} to {info.last_date}"
            rows.append(("Dates", span))
        self._fields(rows, TextStyle("sans", "", 11, 6.2), label_w=28, highlight=False)
        if info.highlight:
            self.y += 8
            note = TextStyle("sans", "", 9.5, 5, MUTED)
            text = "Words that match the query are marked like this."
            marked = text.index("marked")
            self._use(note)
            self._line(text, 0, len(text), [(marked, len(text) - 1)], note, MARGIN_X, self.y, None)

    def plan_contents(self, entries: Sequence[tuple[int, str, str | None]]) -> int:
        """Lays out the table of contents of these (id, title, date) entries and reserves its
        pages; returns how many."""
        self._toc = [_Entry(*entry) for entry in entries]
        measure = self._measure(TOC_TITLE)
        width = TEXT_W - TOC_DATE_W - TOC_PAGE_W
        pages: list[list[tuple[int, list[Span], str]]] = [[]]
        y = MARGIN_TOP + HEADING.leading + 6
        for i, entry in enumerate(self._toc):
            shown = self._printable(TOC_TITLE, entry.title or "(untitled)")
            lines = wrap(shown, 0, len(shown), measure, width) or [(0, 0)]
            height = len(lines) * TOC_TITLE.leading
            if y + height > BOTTOM:
                pages.append([])
                y = MARGIN_TOP
            pages[-1].append((i, lines, shown))
            y += height + TOC_GAP
        self._toc_pages = pages
        pdf = self.pdf
        pdf.contents_pages = range(pdf.page + 1, pdf.page + 1 + len(pages))
        pdf.add_page()
        # Reserves the pages and goes on to a new one: the first release's first page.
        pdf.insert_toc_placeholder(self._render_contents, pages=len(pages))
        self._page_is_new = True
        return len(pages)

    def _render_contents(self, pdf: FPDF, _outline: Any) -> None:
        title_x = MARGIN_X + TOC_DATE_W
        for p, entries in enumerate(self._toc_pages):
            if p:
                pdf.add_page()
            y = MARGIN_TOP
            if p == 0:
                self._use(HEADING)
                pdf.text(MARGIN_X, y + HEADING.size * PT, "Contents")
                y += HEADING.leading + 6
            for i, lines, shown in entries:
                entry = self._toc[i]
                page = self._starts.get(entry.release_id)
                if page is None:  # deleted while the export ran
                    continue
                link = pdf.add_link(page=page)
                size = TOC_TITLE.size * PT
                baseline = y + (TOC_TITLE.leading + size * 0.7) / 2
                if entry.date:
                    self._use(TOC_DATE)
                    pdf.text(MARGIN_X, baseline, entry.date)
                self._use(TOC_TITLE)
                for ls, le in lines:
                    pdf.text(title_x, baseline, shown[ls:le])
                    baseline += TOC_TITLE.leading
                baseline -= TOC_TITLE.leading
                last_w = self._width(TOC_TITLE, shown[lines[-1][0] : lines[-1][1]])
                number = str(page)
                self._use(TOC_PAGE)
                number_w = self._width(TOC_PAGE, number)
                self._leader(title_x + last_w + 1.5, PAGE_W - MARGIN_X - number_w - 1.5, baseline)
                self._use(TOC_PAGE)
                pdf.text(PAGE_W - MARGIN_X - number_w, baseline, number)
                height = len(lines) * TOC_TITLE.leading
                pdf.link(MARGIN_X, y, TEXT_W, height, link)
                y += height + TOC_GAP

    def _leader(self, x0: float, x1: float, baseline: float) -> None:
        """A dotted line from the end of a title to its page number."""
        if x1 - x0 < 3:
            return
        pdf = self.pdf
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.25)
        pdf.set_dash_pattern(dash=0.25, gap=1.2)
        pdf.line(x0, baseline - 0.35, x1, baseline - 0.35)
        pdf.set_dash_pattern()

    def release(self, release: Release, provenance: str = "") -> None:
        """One release, from the top of a new page; `provenance` is a line saying where it
        came from."""
        pdf = self.pdf
        pdf.running_title = self._printable(SMALL, release.title)
        pdf.running_date = release.date or ""
        if not self._page_is_new:
            pdf.opening_page = True
            pdf.add_page()
            pdf.opening_page = False
        self._page_is_new = False
        self.y = MARGIN_TOP
        self._starts[release.id] = pdf.page_no()
        pdf.set_y(MARGIN_TOP)
        pdf.start_section(release.title or "(untitled)", level=0)
        self._flow(release.title or "(untitled)", TITLE, gap=0)
        self.y += 3.5
        self._fields(
            [
                ("Date", release.date or "unknown"),
                ("Source", release.source),
                ("Place", release.place),
                ("Kind", release.kind),
                ("Language", release.language),
                ("URL", release.url),
                ("Tags", ", ".join(release.tags)),
            ],
            VALUE,
            links={"URL": release.url} if _LINKABLE.match(release.url) else None,
        )
        # Where it came from is not the release's text: a query's words are not marked in it.
        self._fields([("From", provenance)], VALUE, highlight=False)
        self.y += 3
        pdf.set_draw_color(*RULE)
        pdf.set_line_width(0.3)
        pdf.line(MARGIN_X, self.y, PAGE_W - MARGIN_X, self.y)
        self.y += 5
        if release.summary:
            self._flow(release.summary, LEAD, gap=2)
            self.y += 4
        self._flow(release.body, BODY)

    def _fields(
        self,
        rows: Sequence[tuple[str, str]],
        style: TextStyle,
        *,
        label_w: float = LABEL_W,
        links: dict[str, str] | None = None,
        highlight: bool = True,
    ) -> None:
        """Label and value pairs, one under another; empty values are left out."""
        label = TextStyle(LABEL.family, LABEL.style, style.size * 0.8, style.leading, MUTED)
        x, width = MARGIN_X + label_w, TEXT_W - label_w
        size = style.size * PT
        for name, value in rows:
            if not value:
                continue
            # The label goes first in the page content, so that copied text reads "URL http…".
            lines = wrap(value, 0, len(value), self._measure(style), width)
            if self.y + min(2, len(lines)) * style.leading > BOTTOM:
                self._new_page()
            self._use(label)
            self.pdf.text(MARGIN_X, self.y + (style.leading + size * 0.7) / 2, name.upper())
            link = (links or {}).get(name)
            value_style = replace(style, color=LINK) if link else style
            self._flow(value, value_style, x=x, width=width, link=link, highlight=highlight)

    # --- writing

    def output(self, path: Path) -> int:
        """Writes the PDF file; returns its number of pages."""
        pdf, info = self.pdf, self.info
        title = f"{info.archive_name}: {info.count:,} press release{'s' if info.count != 1 else ''}"
        if info.query:
            title += f" matching {info.query}"
        pdf.set_title(title)
        pdf.set_subject(
            f"Press releases exported from the archive {info.archive_name} "
            f"on {info.exported:%Y-%m-%d}" + (f" (query: {info.query})" if info.query else "")
        )
        keywords = ["press releases", info.archive_name]
        if info.query:
            keywords.append(info.query)
        pdf.set_keywords(", ".join(keywords))
        pdf.set_creator(f"{APP_NAME} {__version__}")
        pdf.set_producer(f"{APP_NAME} {__version__} with fpdf2")
        pdf.set_creation_date(info.exported)
        if info.lang:
            pdf.set_lang(info.lang)
        make_pdfa(pdf, lang=info.lang)
        pdf.output(str(path))
        return pdf.pages_count


def write_pdf(
    batches: Iterator[list[Release]],
    path: Path,
    info: CoverInfo,
    entries: Sequence[tuple[int, str, str | None]],
    terms: HighlightTerms,
    total: float,
    provenance: Callable[[Sequence[int]], dict[int, Provenance]] | None = None,
) -> Job[tuple[int, int]]:
    """Lays out the releases as they come and writes the PDF to `path`; returns the number of
    releases and of pages. `entries` are the (id, title, date) of every release, for the
    table of contents; `provenance` looks up where releases came from (a line under each
    heading)."""
    writer = PdfWriter(info, terms)
    writer.cover()
    writer.plan_contents(entries)
    done = 0
    for batch in batches:
        known = provenance([r.id for r in batch]) if provenance is not None else {}
        for release in batch:
            found = known.get(release.id)
            line = found.summary_line() if found is not None else NOT_RECORDED
            writer.release(release, line if provenance is not None else "")
            done += 1
            yield Progress(done, total, f"Laid out {done:,} of {info.count:,} releases")
    yield Progress(done, total, "Writing the PDF file")
    return done, writer.output(path)

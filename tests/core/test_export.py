"""Exports to PDF, CSV and JSON from a real archive, read back with pypdf and the importer."""

from __future__ import annotations

import csv
import errno
import json
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from archive_browser.core.archive import Archive
from archive_browser.core.errors import (
    CancelledError,
    DiskFullError,
    MalformedQueryError,
    UserFacingError,
)
from archive_browser.core.export import ExportReport, export_releases
from archive_browser.core.export.outfile import write_error
from archive_browser.core.export.pdf import HIGHLIGHT
from archive_browser.core.index import match_spans
from archive_browser.core.jobs import Progress, run
from archive_browser.core.model import Release, ReleaseDraft
from tests.conftest import FIXTURES

#: Fields the PDF shows (and highlights), besides the tags.
SHOWN = ("title", "source", "place", "kind", "language", "url", "summary", "body")
FOOTER = re.compile(r"^Page \d+ of \d+ ")
COMPARED = (
    "title",
    "date",
    "body",
    "summary",
    "source",
    "url",
    "language",
    "place",
    "kind",
    "notes",
    "tags",
    "orig_path",
    "orig_format",
)


def long_body(paragraph: str, count: int, label: str) -> str:
    """A body of many numbered paragraphs, long enough to run over several pages."""
    return "\n\n".join(f"{label} {i}. {paragraph}" for i in range(1, count + 1))


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An empty folder for exports (the archive lives next to it)."""
    folder = tmp_path / "exports"
    folder.mkdir()
    return folder


@pytest.fixture
def filled(archive: Archive, sample: Path) -> Archive:
    """The shared sample and the Russian fixtures, two long releases (English, Russian) and
    one with every metadata field set."""
    run(archive.import_paths([sample, FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt"]))
    bishkek = archive.search("Bishkek", limit=None).ids[0]
    english = archive.get(bishkek).body.split("\n\n")[1]
    russian = archive.get(archive.search("Бишкеке", limit=None).ids[0]).body.replace("\n\n", " ")
    archive.add_releases(
        [
            ReleaseDraft(
                title="Long statement on regional security",
                body=long_body(english, 24, "Paragraph"),
                date="2014-02-03",
                language="en",
                kind="statement",
                orig_path="/archive/statements/long-en.txt",
                orig_format="text",
            ),
            ReleaseDraft(
                title="Длинное заявление о коллективной безопасности",
                body=long_body(russian, 30, "Абзац"),
                date="2014-03-04",
                language="ru",
                kind="statement",
                orig_path="/archive/statements/long-ru.txt",
                orig_format="text",
            ),
        ]
    )
    archive.update(
        bishkek,
        summary="Presidents met in the Alla-Archa residence.",
        place="Bishkek",
        source="CSTO press service",
        url="https://odkb-csto.org/news/news_odkb/"
        "neformalnaya-vstrecha-glav-gosudarstv-chlenov-odkb-tsentralnoaziatskogo-regiona/",
        notes="Checked against the Russian original.\nSecond line of notes.",
    )
    archive.tag([bishkek], ["Afghanistan", "summit; informal|2013"])
    return archive


def all_ids(archive: Archive) -> list[int]:
    return archive.search("", sort="date", limit=None).ids


def export(archive: Archive, ids: list[int], out: Path, **kw: str | None) -> ExportReport:
    report = run(export_releases(archive, ids, out, **kw))
    assert report is not None
    return report


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def release_pages(reader: PdfReader) -> list[range]:
    """Pages (0-based) of each release, from the outline."""
    starts = [reader.get_destination_page_number(item) for item in reader.outline]
    ends = [*starts[1:], len(reader.pages)]
    return [range(s, e) for s, e in zip(starts, ends, strict=True)]


def words_on(texts: list[str], pages: range, release: Release) -> list[str]:
    """The words of a release's pages, without running headers and footers."""
    words: list[str] = []
    for p in pages:
        lines = texts[p].split("\n")
        if p != pages.start:
            assert lines[0].startswith(release.title[:30])  # running header
            lines = lines[1:]
        assert FOOTER.match(lines[-1]), lines[-1]
        words += " ".join(lines[:-1]).split()
    return words


def highlight_rects(reader: PdfReader, page: int) -> int:
    """Rectangles filled with the highlight colour on a page."""
    colour = tuple(round(c / 255, 3) for c in HIGHLIGHT)
    fill: tuple[float, ...] = ()
    pending, count = False, 0
    for operands, op in ContentStream(reader.pages[page].get_contents(), reader).operations:
        if op == b"rg":
            fill = tuple(round(float(v), 3) for v in operands)
        elif op == b"re":
            pending = True
            continue
        elif op == b"f" and pending and fill == colour:
            count += 1
        pending = False
    return count


# --- PDF ----------------------------------------------------------------------------------------


def test_pdf_pages_outline_and_contents(filled: Archive, tmp_path: Path) -> None:
    ids = all_ids(filled)
    releases = filled.get_many(ids)
    report = export(filled, ids, tmp_path / "out.pdf")
    assert report.format == "pdf" and report.count == len(ids) == 10
    assert report.bytes == (tmp_path / "out.pdf").stat().st_size
    reader = PdfReader(tmp_path / "out.pdf")
    texts = page_texts(reader)
    assert report.pages == len(reader.pages)
    # A cover, one page of contents, a page for each short release, several for the long ones.
    assert len(ids) + 2 + 4 <= len(reader.pages) <= len(ids) + 2 + 20

    assert [item.title for item in reader.outline] == [r.title for r in releases]
    spans = release_pages(reader)
    assert spans[0].start == 2  # after the cover and the contents
    for release, pages in zip(releases, spans, strict=True):
        if len(release.body) < 1500:
            assert len(pages) == 1, release.title
        elif release.title.startswith(("Long", "Длинное")):
            assert len(pages) >= 3, release.title
    for release, pages in zip(releases, spans, strict=True):
        heading = " ".join(texts[pages.start].split("\n")[:4])
        assert heading.startswith(release.title)
        assert f"DATE {release.date or 'unknown'}" in texts[pages.start]

    contents = " ".join(texts[1].split())
    assert contents.startswith("Contents") or "Contents" in contents[:80]
    for release, pages in zip(releases, spans, strict=True):
        assert f"{release.title} {pages.start + 1}" in contents

    for number, text in enumerate(texts[1:], 2):
        assert f"Page {number} of {len(texts)} " in text
    assert "Page 1 of" not in texts[0]
    assert "filled" not in texts[0] and filled.name in texts[0]
    assert f"RELEASES {len(ids)}" in " ".join(texts[0].split())


def test_contents_over_several_pages(archive: Archive, out_dir: Path) -> None:
    drafts = [
        ReleaseDraft(
            title=f"Statement number {i} on the work of the collective security organisation "
            f"in the year {2000 + i}",
            body=f"Text of statement {i}.\n\nA second paragraph of statement {i}.",
            date=f"{2000 + i % 25}-01-{1 + i % 28:02d}",
        )
        for i in range(70)
    ]
    ids, _ = archive.add_releases(drafts)
    export(archive, ids, out_dir / "many.pdf")
    reader = PdfReader(out_dir / "many.pdf")
    texts = page_texts(reader)
    spans = release_pages(reader)
    contents_pages = range(1, spans[0].start)
    assert len(contents_pages) >= 2
    assert all(texts[p].startswith("Contents") for p in contents_pages)
    contents = " ".join(" ".join(texts[p].split()) for p in contents_pages)
    for item, pages in zip(reader.outline, spans, strict=True):
        assert f"{item.title} {pages.start + 1}" in contents
    assert len(reader.pages) == 1 + len(contents_pages) + 70
    # Every entry of the contents links to its release's page.
    number = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    targets = [
        number[a.get_object()["/Dest"][0].idnum]
        for p in contents_pages
        for a in reader.pages[p].get("/Annots", [])
    ]
    assert targets == [pages.start for pages in spans]


def test_pdf_text_is_all_there_in_order(filled: Archive, tmp_path: Path) -> None:
    ids = all_ids(filled)
    releases = filled.get_many(ids)
    export(filled, ids, tmp_path / "out.pdf")
    reader = PdfReader(tmp_path / "out.pdf")
    texts = page_texts(reader)
    languages = set()
    for release, pages in zip(releases, release_pages(reader), strict=True):
        words = words_on(texts, pages, release)
        body = release.body.split()
        start = len(words) - len(body)
        assert words[start:] == body, release.title
        languages.add(release.language)
        # Paragraphs are kept: each one starts a line.
        lines = {line.strip() for p in pages for line in texts[p].split("\n")}
        for paragraph in release.body.split("\n\n"):
            first_words = " ".join(paragraph.split()[:3])
            assert any(line.startswith(first_words) for line in lines), first_words
    assert languages == {"en", "ru"}


def test_pdf_metadata_block_and_lead(filled: Archive, tmp_path: Path) -> None:
    bishkek = filled.search("place:bishkek").ids[0]
    export(filled, [bishkek], tmp_path / "one.pdf")
    reader = PdfReader(tmp_path / "one.pdf")
    text = reader.pages[2].extract_text()
    flat = " ".join(text.split())
    release = filled.get(bishkek)
    for label, value in (
        ("SOURCE", release.source),
        ("PLACE", "Bishkek"),
        ("KIND", release.kind),
        ("LANGUAGE", "en"),
        ("TAGS", "Afghanistan, summit; informal|2013"),
    ):
        assert f"{label} {value}" in flat
    # The long address is broken over lines, every character kept, and is a link.
    assert "URL https://odkb-csto.org/" in flat
    assert release.url in "".join(text.split())
    uris = [
        a.get_object()["/A"]["/URI"]
        for a in reader.pages[2].get("/Annots", [])
        if a.get_object().get("/A")
    ]
    assert uris and set(uris) == {release.url}
    assert flat.index("Presidents met in the Alla-Archa") < flat.index("Heads of the CSTO")
    assert "Checked against the Russian original" not in flat  # notes are private


#: How often "CSTO" stands in the fields the PDF shows of each release of `filled` (by the
#: first 24 characters of its title): title, source, URL ("odkb-csto.org") and body of the
#: Bishkek meeting 1 + 1 + 1 + 10; the long statement repeats a paragraph holding it 24 times.
CSTO_HITS = {
    "Informal meeting of the ": 13,
    "Long statement on region": 24,
    "The CSTO Secretary Gener": 4,
    "On 25 July 2024, staff o": 2,
    "Allow me to thank the Ru": 2,
    "Imangali Tasmagambetov, ": 3,
}


def test_pdf_highlights_every_hit(filled: Archive, tmp_path: Path) -> None:
    ids = all_ids(filled)
    releases = filled.get_many(ids)
    export(filled, ids, tmp_path / "plain.pdf")
    plain = PdfReader(tmp_path / "plain.pdf")
    assert sum(highlight_rects(plain, p) for p in range(len(plain.pages))) == 0

    export(filled, ids, tmp_path / "marked.pdf", query="CSTO", highlight="CSTO")
    marked = PdfReader(tmp_path / "marked.pdf")
    total = 0
    for release, pages in zip(releases, release_pages(marked), strict=True):
        hits = CSTO_HITS.get(release.title[:24], 0)
        # The table is a count of the word in the shown fields, as a reader would make it.
        shown = [getattr(release, f) for f in SHOWN] + [", ".join(release.tags)]
        assert hits == sum(len(re.findall(r"\bCSTO\b", text, re.IGNORECASE)) for text in shown)
        assert sum(highlight_rects(marked, p) for p in pages) == hits, release.title
        total += hits
    assert total > 20 and total == sum(CSTO_HITS.values()) == 48
    # The same text either way: highlighting adds rectangles only.
    assert page_texts(marked)[2:] == page_texts(plain)[2:]
    cover = " ".join(marked.pages[0].extract_text().split())
    assert "QUERY CSTO" in cover


def test_pdf_highlight_uses_the_archive_matching(filled: Archive, tmp_path: Path) -> None:
    ru = filled.search("title:заседание", limit=None).ids
    assert ru
    export(filled, ru, tmp_path / "ru.pdf", highlight="заседания")
    reader = PdfReader(tmp_path / "ru.pdf")
    release = filled.get(ru[0])
    spans = match_spans(release.body, filled.highlight_terms(filled.parse("заседания")))
    assert [release.body[s:e] for s, e in spans] == ["заседание"]  # stemmed, as in search
    # One hit in the body, one in the title ("Заседание Совета ..."): two rectangles.
    assert release.title.startswith("Заседание ")
    assert sum(highlight_rects(reader, p) for p in release_pages(reader)[0]) == 2


def test_characters_no_font_draws_are_replaced_not_lost(archive: Archive, out_dir: Path) -> None:
    body = "Greek ελληνικά, Georgian ქართული, arrows → ⇒; Chinese 漢字, Arabic عربي."
    ids, _ = archive.add_releases([ReleaseDraft(title="Scripts", body=body, language="en")])
    export(archive, ids, out_dir / "scripts.pdf")
    text = PdfReader(out_dir / "scripts.pdf").pages[2].extract_text()
    # No glyph is left undrawn (PDF/A forbids it): what the fonts lack shows as U+FFFD.
    assert "Greek ελληνικά, Georgian ქართული, arrows → ⇒; Chinese \ufffd\ufffd, Arabic" in text
    assert "Arabic \ufffd\ufffd\ufffd\ufffd." in text


def test_pdf_is_pdfa_2b_with_metadata_and_embedded_fonts(filled: Archive, tmp_path: Path) -> None:
    export(filled, all_ids(filled), tmp_path / "out.pdf", query="CSTO")
    raw = (tmp_path / "out.pdf").read_bytes()
    assert raw.startswith(b"%PDF-1.7\n%") and all(b > 127 for b in raw[10:14])
    reader = PdfReader(tmp_path / "out.pdf")
    info = reader.metadata
    assert info is not None
    assert info.title == f"{filled.name}: 10 press releases matching CSTO"
    assert "Press releases exported from the archive" in (info.subject or "")
    assert "CSTO" in info["/Keywords"]
    assert info.creator.startswith("Archive Browser")
    xmp = reader.xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": info.title}
    assert xmp.dc_description == {"x-default": info.subject}
    assert xmp.pdf_keywords == info["/Keywords"]
    assert xmp.xmp_creator_tool == info.creator
    assert xmp.pdf_producer == info.producer
    xml = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in xml
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xml
    assert "/Filter" not in reader.trailer["/Root"]["/Metadata"].get_object()
    intent = reader.trailer["/Root"]["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    assert intent["/DestOutputProfile"].get_object()["/N"] == 3
    assert "/Encrypt" not in reader.trailer and len(reader.trailer["/ID"]) == 2
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descendant = font.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts >= {"DejaVuSerifCondensed", "DejaVuSansCondensedBold"}
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            assert annot.get_object()["/F"] & 4  # printed, as PDF/A asks


# --- CSV and JSON -------------------------------------------------------------------------------


def fields(release: Release) -> tuple[object, ...]:
    return tuple(getattr(release, name) for name in COMPARED)


@pytest.mark.parametrize("ending", [".csv", ".json"])
def test_round_trip_through_the_importer(filled: Archive, tmp_path: Path, ending: str) -> None:
    ids = all_ids(filled)
    out = tmp_path / f"releases{ending}"
    report = export(filled, ids, out, query="everything")
    assert report.count == len(ids) and report.pages is None
    again = Archive.open(tmp_path / "again")
    try:
        imported = run(again.import_paths([out]))
        assert imported is not None and imported.failures == []
        assert len(imported.imported_ids) == len(ids)
        back = {r.checksum: fields(r) for r in again.iter_releases()}
    finally:
        again.close()
    original = {r.checksum: fields(r) for r in filled.get_many(ids)}
    assert back == original
    assert any(r[COMPARED.index("tags")] for r in original.values())
    assert any(r[COMPARED.index("summary")] for r in original.values())


def test_json_shape(filled: Archive, tmp_path: Path) -> None:
    ids = all_ids(filled)[:3]
    export(filled, ids, tmp_path / "out.json", query="tag:x")
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert data["format"] == "archive-browser" and data["version"] == 1
    assert data["query"] == "tag:x"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", data["exported"])
    assert [r["id"] for r in data["releases"]] == ids
    assert isinstance(data["releases"][0]["tags"], list)


def test_csv_cells(filled: Archive, tmp_path: Path) -> None:
    bishkek = filled.search("place:bishkek").ids[0]
    export(filled, [bishkek], tmp_path / "out.csv")
    raw = (tmp_path / "out.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,title,date,summary,body,")
    # A tag holding the importer's separators goes out as a JSON list.
    assert '"[""Afghanistan"", ""summit; informal|2013""]"' in raw.decode("utf-8-sig")


# --- the job ------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["close", "cancel"])
@pytest.mark.parametrize("ending", [".pdf", ".csv", ".json"])
def test_cancel_leaves_no_file(filled: Archive, out_dir: Path, ending: str, how: str) -> None:
    out = out_dir / f"out{ending}"
    out.write_text("an earlier export")
    job = export_releases(filled, all_ids(filled), out)
    first = next(job)
    assert isinstance(first, Progress) and first.total > 0
    next(job)
    assert len(list(out_dir.glob(".out*.part"))) == 1
    if how == "close":
        job.close()
    else:
        # A worker stops a job by raising CancelledError at the step where it is.
        with pytest.raises(CancelledError):
            job.throw(CancelledError())
    assert out.read_text() == "an earlier export"
    assert [p.name for p in out_dir.iterdir()] == [out.name]


def test_progress_runs_to_the_end(filled: Archive, out_dir: Path) -> None:
    seen: list[Progress] = []
    report = run(export_releases(filled, all_ids(filled), out_dir / "o.pdf"), seen.append)
    assert report is not None
    dones = [p.done for p in seen]
    assert dones == sorted(dones) and all(p.done <= p.total for p in seen)
    assert seen[-1].message == "Writing the PDF file"
    assert [p.name for p in out_dir.iterdir()] == ["o.pdf"]


def test_unknown_ending_and_bad_targets(filled: Archive, out_dir: Path) -> None:
    ids = all_ids(filled)
    with pytest.raises(UserFacingError, match=r"\.csv, \.json, \.pdf"):
        run(export_releases(filled, ids, out_dir / "out.docx"))
    with pytest.raises(UserFacingError, match="does not exist"):
        run(export_releases(filled, ids, out_dir / "missing" / "out.pdf"))
    (out_dir / "folder.pdf").mkdir()
    with pytest.raises(UserFacingError, match="is a folder"):
        run(export_releases(filled, ids, out_dir / "folder.pdf"))
    with pytest.raises(UserFacingError, match="nothing to export"):
        run(export_releases(filled, [987654], out_dir / "out.pdf"))
    with pytest.raises(MalformedQueryError):
        run(export_releases(filled, ids, out_dir / "out.pdf", highlight='"unclosed'))
    assert [p.name for p in out_dir.iterdir()] == ["folder.pdf"]


def test_missing_ids_are_left_out(filled: Archive, tmp_path: Path) -> None:
    ids = all_ids(filled)
    filled.delete(ids[:2])
    report = export(filled, ids, tmp_path / "out.json")
    data = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert report.count == len(ids) - 2 == len(data["releases"])


def test_write_errors_are_clear() -> None:
    full = write_error(OSError(errno.ENOSPC, "No space left on device"), Path("/x/out.pdf"))
    assert isinstance(full, DiskFullError) and "disk is full" in str(full)
    denied = write_error(OSError(errno.EROFS, "Read-only file system"), Path("/x/out.pdf"))
    assert "read-only" in str(denied) and "/x/out.pdf" in str(denied)


@pytest.fixture
def plain(archive: Archive, sample: Path) -> Archive:
    """What plain files give: the sample imported with no options (no source), a release
    with no title and one with no language."""
    run(archive.import_paths([sample]))
    archive.add_releases(
        [
            ReleaseDraft(title="", body="Untitled text about the summit in Minsk."),
            ReleaseDraft(title="Note", body="Short note on the Minsk summit.", language=""),
        ]
    )
    return archive


def test_pdf_of_releases_without_title_source_or_language(plain: Archive, out_dir: Path) -> None:
    ids = plain.search("Minsk", sort="date", limit=None).ids
    report = export(plain, ids, out_dir / "plain.pdf", query="Minsk", highlight="Minsk")
    assert report.count == 2
    reader = PdfReader(out_dir / "plain.pdf")
    assert [item.title for item in reader.outline] == ["(untitled)", "Note"]
    texts = page_texts(reader)
    pages = release_pages(reader)
    assert [sum(highlight_rects(reader, p) for p in r) for r in pages] == [1, 1]  # in the bodies
    body = " ".join(" ".join(texts[p] for p in r) for r in pages)
    body = " ".join(body.split())
    assert "Untitled text about the summit in Minsk." in body
    assert "Short note on the Minsk summit." in body


@pytest.mark.parametrize("ending", [".csv", ".json"])
def test_empty_fields_are_exported_empty_and_import_again(
    plain: Archive, tmp_path: Path, ending: str
) -> None:
    ids = plain.search("Minsk", sort="date", limit=None).ids
    out = tmp_path / f"plain{ending}"
    export(plain, ids, out)
    if ending == ".json":
        rows = json.loads(out.read_text(encoding="utf-8"))["releases"]
    else:
        with out.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    assert [(r["title"], r["source"], r["language"]) for r in rows] == [
        ("", "", ""),
        ("Note", "", ""),
    ]
    again = Archive.open(tmp_path / "again")
    try:
        imported = run(again.import_paths([out]))
        assert imported is not None and imported.failures == []
        back = again.get_many(imported.imported_ids)
    finally:
        again.close()
    # A new file to the importer: the untitled release is titled from its text, nothing lost.
    assert [(r.title, r.body) for r in back] == [
        ("Untitled text about the summit in Minsk.", "Untitled text about the summit in Minsk."),
        ("Note", "Short note on the Minsk summit."),
    ]

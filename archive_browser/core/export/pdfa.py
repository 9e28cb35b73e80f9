"""What makes an fpdf2 document a PDF/A-2b file: the sRGB output intent and XMP metadata that
says so and repeats the document information dictionary.

fpdf2's own `enforce_compliance` leaves out the information dictionary, which many viewers
(poppler's, so Evince and Okular) read the title from; PDF/A-2 allows it when the XMP
metadata says the same, so both are written here from the same values.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from fpdf import FPDF
from fpdf.enums import OutputIntentSubType
from fpdf.output import PDFICCProfile
from fpdf.util import builtin_srgb2014_bytes

PDFA_PART = 2
PDFA_CONFORMANCE = "B"
PDF_VERSION = "1.7"  # PDF/A-2 is based on ISO 32000-1 (PDF 1.7)


def make_pdfa(pdf: FPDF, *, lang: str = "") -> None:
    """Declares `pdf` PDF/A-2b: call after its title, subject, keywords, creator, producer
    and creation date are set, and before `output()`."""
    pdf.pdf_version = max(pdf.pdf_version, PDF_VERSION)
    pdf.add_output_intent(
        OutputIntentSubType.PDFA,
        output_condition_identifier="sRGB",
        output_condition="IEC 61966-2-1:1999",
        registry_name="http://www.color.org",
        dest_output_profile=PDFICCProfile(
            contents=builtin_srgb2014_bytes(), n=3, alternate="DeviceRGB"
        ),
        info="sRGB2014 (v2)",
    )
    pdf.set_xmp_metadata(
        xmp_packet(
            title=pdf.title or "",
            subject=getattr(pdf, "subject", "") or "",
            keywords=getattr(pdf, "keywords", "") or "",
            creator=getattr(pdf, "creator", "") or "",
            producer=getattr(pdf, "producer", "") or "",
            created=pdf.creation_date,
            lang=lang,
        )
    )


def xmp_packet(
    *,
    title: str,
    subject: str,
    keywords: str,
    creator: str,
    producer: str,
    created: datetime,
    lang: str = "",
) -> str:
    """The XMP metadata (inside <x:xmpmeta>) of a PDF/A-2b document."""

    def esc(text: str) -> str:
        return escape(text, quote=True)

    stamp = created.isoformat(timespec="seconds")
    lines = [
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
        '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        '    <rdf:Description rdf:about=""',
        '        xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
        '        xmlns:dc="http://purl.org/dc/elements/1.1/"',
        '        xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
        '        xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
        f"      <pdfaid:part>{PDFA_PART}</pdfaid:part>",
        f"      <pdfaid:conformance>{PDFA_CONFORMANCE}</pdfaid:conformance>",
        "      <dc:format>application/pdf</dc:format>",
    ]
    if title:
        lines.append(
            '      <dc:title><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{esc(title)}</rdf:li></rdf:Alt></dc:title>"
        )
    if subject:
        lines.append(
            '      <dc:description><rdf:Alt><rdf:li xml:lang="x-default">'
            f"{esc(subject)}</rdf:li></rdf:Alt></dc:description>"
        )
    if lang:
        lines.append(
            f"      <dc:language><rdf:Bag><rdf:li>{esc(lang)}</rdf:li></rdf:Bag></dc:language>"
        )
    if keywords:
        lines.append(f"      <pdf:Keywords>{esc(keywords)}</pdf:Keywords>")
    if producer:
        lines.append(f"      <pdf:Producer>{esc(producer)}</pdf:Producer>")
    if creator:
        lines.append(f"      <xmp:CreatorTool>{esc(creator)}</xmp:CreatorTool>")
    lines += [
        f"      <xmp:CreateDate>{stamp}</xmp:CreateDate>",
        f"      <xmp:ModifyDate>{stamp}</xmp:ModifyDate>",
        f"      <xmp:MetadataDate>{stamp}</xmp:MetadataDate>",
        "    </rdf:Description>",
        "  </rdf:RDF>",
        "</x:xmpmeta>",
    ]
    return "\n".join(lines)

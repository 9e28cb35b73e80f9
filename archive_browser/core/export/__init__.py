"""Exporting selected releases to PDF, CSV or JSON, or as a BagIt bag, as a job.

The format follows the file name's ending (a bag: a folder, or a `.zip`). The file is written
under a temporary name in the same folder and takes its name only when complete: a cancelled
or failed export leaves no file (and leaves a previous file of that name as it was).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UserFacingError, write_error
from archive_browser.core.export.bag import is_bag_target, write_bag
from archive_browser.core.export.outfile import StagedFile
from archive_browser.core.export.pdf import CoverInfo, write_pdf
from archive_browser.core.export.tabular import write_csv, write_json
from archive_browser.core.index import HighlightTerms
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import Release

__all__ = ["BATCH", "FORMATS", "ExportReport", "export_releases"]

#: File ending -> format (a bag is also written to a folder: a name without an ending).
FORMATS = {".pdf": "pdf", ".csv": "csv", ".json": "json", ".zip": "bag"}
#: Releases read from the archive at a time.
BATCH = 100
#: Share of a PDF export's progress taken by writing the file, after the layout.
_PDF_WRITE_SHARE = 0.25


@dataclass(frozen=True, slots=True)
class ExportReport:
    """What an export wrote."""

    path: Path
    format: str
    count: int  # releases written
    pages: int | None  # for a PDF
    bytes: int
    #: The symbolic link the export was asked for, when `path` is the file it points to.
    link: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "format": self.format,
            "count": self.count,
            "pages": self.pages,
            "bytes": self.bytes,
            "link": str(self.link) if self.link else None,
        }


def export_format(out: Path) -> str:
    """The format of an export to `out`, from its ending; raises UserFacingError for others."""
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None and is_bag_target(out):
        fmt = "bag"
    if fmt is None:
        raise UserFacingError(
            f"Cannot export to {out.name!r}: name a file ending in "
            + ", ".join(sorted(FORMATS))
            + " (a .zip, or a folder, holds a BagIt bag)."
        )
    return fmt


def export_releases(
    archive: Archive,
    ids: Sequence[int],
    out: Path,
    *,
    query: str | None = None,
    highlight: str | None = None,
    organization: str = "",
) -> Job[ExportReport]:
    """Writes the releases `ids`, in that order, to `out` (PDF, CSV or JSON by its ending).
    `query` is named on the PDF's cover and in the JSON; the hits of `highlight` are marked in
    the PDF; `organization` is the source organisation a bag names. Ids of releases that no
    longer exist are left out."""
    out = Path(out).expanduser().absolute()
    fmt = export_format(out)
    terms = HighlightTerms()
    if fmt == "pdf" and highlight and highlight.strip():
        parsed = archive.parse(highlight)
        if not parsed.is_everything:
            terms = archive.highlight_terms(parsed)
    rows = archive.rows(list(dict.fromkeys(ids)), ("title", "date", "language"))
    wanted = [i for i in dict.fromkeys(ids) if i in rows]
    if not wanted:
        raise UserFacingError("There is nothing to export: none of the releases exists.")
    exported = datetime.now(UTC).replace(microsecond=0)
    total = len(wanted)
    yield Progress(0, total, f"Exporting {total:,} releases to {out.name}")
    if fmt == "bag":
        count, written, size = yield from write_bag(
            archive, wanted, out, query=query, organization=organization
        )
        return ExportReport(written, fmt, count, None, size)
    staged = StagedFile(out)
    try:
        batches = _batches(archive, wanted)
        pages: int | None = None
        if fmt == "pdf":
            dates = sorted(d for _, d, _ in rows.values() if d)
            languages = Counter(lang for _, _, lang in rows.values() if lang)
            info = CoverInfo(
                archive_name=archive.name,
                exported=exported,
                count=total,
                query=query or None,
                highlight=highlight or None,
                first_date=dates[0] if dates else None,
                last_date=dates[-1] if dates else None,
                # A document language only when every release has the same one.
                lang=next(iter(languages)) if len(languages) == 1 else "",
            )
            entries = [(i, rows[i][0], rows[i][1]) for i in wanted]
            count, pages = yield from write_pdf(
                batches,
                staged.path,
                info,
                entries,
                terms,
                total * (1 + _PDF_WRITE_SHARE),
                provenance=archive.provenances,
            )
        else:
            # Large buffer: the rows of a batch go out in few writes.
            with open(staged.path, "w", encoding="utf-8", newline="", buffering=1 << 20) as f:
                if fmt == "csv":
                    # A byte-order mark, so that spreadsheet programs read UTF-8.
                    f.write("\ufeff")
                    count = yield from write_csv(
                        batches,
                        f,
                        total,
                        provenance=archive.provenances,
                        links=lambda b: _translations(archive, b),
                    )
                else:
                    head = {
                        "archive": archive.name,
                        "exported": exported.isoformat().replace("+00:00", "Z"),
                        "query": query or None,
                    }
                    count = yield from write_json(
                        batches,
                        f,
                        total,
                        head,
                        provenance=archive.provenances,
                        links=lambda b: _translations(archive, b),
                    )
        staged.commit()
    except OSError as e:
        raise write_error(e, out) from e
    finally:
        staged.discard()
    return ExportReport(staged.out, fmt, count, pages, staged.out.stat().st_size, staged.link)


def _translations(archive: Archive, batch: list[Release]) -> dict[int, list[dict[str, Any]]]:
    """The confirmed translations of a batch of releases, as the exports name them."""
    links = archive.translation_links([r.id for r in batch])
    others = archive.rows(sorted({i for ids in links.values() for i in ids}), ("language", "url"))
    return {
        release_id: [
            {"id": i, "language": others[i][0], "url": others[i][1]} for i in ids if i in others
        ]
        for release_id, ids in links.items()
    }


def _batches(archive: Archive, ids: Sequence[int]) -> Iterator[list[Release]]:
    for start in range(0, len(ids), BATCH):
        batch = archive.get_many(ids[start : start + BATCH])
        if batch:
            yield batch

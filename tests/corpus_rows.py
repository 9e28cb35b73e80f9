"""Real releases of the shared corpus as drafts, for the lineage tests (reuse, translations,
diff summaries): read once per process, selected by a word or by position."""

from __future__ import annotations

import csv
import functools
import sys
from pathlib import Path

from archive_browser.core.model import ReleaseDraft

csv.field_size_limit(sys.maxsize)


@functools.cache
def rows(corpus: Path, office: str) -> tuple[dict[str, str], ...]:
    """The rows of putin.csv or zelenskyy.csv, oldest first."""
    with (corpus / f"{office}.csv").open(encoding="utf-8", newline="") as f:
        found = list(csv.DictReader(f))
    return tuple(sorted(found, key=lambda r: (r["date"], r["link"])))


def draft(row: dict[str, str], **changes: str) -> ReleaseDraft:
    """A corpus row as the CSV importer makes it (title, date, URL, body, source, English)."""
    fields: dict[str, str | None] = {
        "title": row["headline"],
        "body": row["body"],
        "date": row["date"][:10] or None,
        "url": row["link"],
        "source": "kremlin.ru" if "kremlin" in row["link"] else "president.gov.ua",
        "language": "en",
    }
    fields.update(changes)
    return ReleaseDraft(**fields)  # type: ignore[arg-type]

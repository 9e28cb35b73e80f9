"""CSV and JSON exports: the releases' metadata and text, in the form the importer reads back.

Columns (and keys) carry the names the importer maps by (see importers/tabular.py), so that
exporting and importing again gives the same releases. The `id` column is only for reference;
the importer ignores it.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TextIO

from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import EXCHANGE_FIELDS, EXPORT_FIELDS, Release
from archive_browser.core.provenance import Provenance
from archive_browser.core.spreadsheet import spreadsheet_safe

#: Exported fields, in column order (the CSV appends the provenance columns).
FIELDS = EXCHANGE_FIELDS
#: Looks up the provenance of releases by id (those without any are left out).
ProvenanceLookup = Callable[[Sequence[int]], dict[int, Provenance]]
JSON_FORMAT = "archive-browser"
JSON_VERSION = 1


#: The column (and key) of a release's confirmed translations, after FIELDS: ids in CSV
#: ("12; 40"), objects with id, language and URL in JSON. The importer ignores it.
TRANSLATIONS = "translations"
#: Release id -> its translations as the JSON export writes them ({"id", "language", "url"}).
Links = dict[int, list[dict[str, Any]]]


def release_record(release: Release) -> dict[str, Any]:
    """One release as an object of the JSON export."""
    return {name: getattr(release, name) for name in FIELDS}


def provenance_cells(provenance: Provenance | None) -> list[str]:
    """The provenance columns of one CSV row (see PROVENANCE_FIELDS)."""
    if provenance is None or not provenance.recorded:
        return ["", "", "", "", ""]
    batch = provenance.batch.started if provenance.batch is not None else ""
    importer = f"{provenance.importer} {provenance.importer_version}".strip()
    return [provenance.path, provenance.sha256, provenance.record, importer, batch]


def csv_tags(tags: list[str]) -> str:
    """Tags as one CSV cell: "a; b", or a JSON list when a tag holds a separator the
    importer would split at (tags never hold commas)."""
    if any(";" in t or "|" in t for t in tags):
        return json.dumps(tags, ensure_ascii=False)
    return "; ".join(tags)


def write_csv(
    batches: Iterator[list[Release]],
    stream: TextIO,
    total: int,
    *,
    safe: bool = True,
    provenance: ProvenanceLookup | None = None,
    links: Callable[[list[Release]], Links] | None = None,
) -> Job[int]:
    """Writes a header row and one row per release; returns how many releases. With `safe`,
    cells a spreadsheet would run as formulas are neutralised (the importer undoes it). The
    provenance columns come after the fields, so the importer reads the file as before; with
    `links`, a last column names each release's confirmed translations."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow((*EXPORT_FIELDS, TRANSLATIONS) if links else EXPORT_FIELDS)
    done = 0
    for batch in batches:
        known = provenance([r.id for r in batch]) if provenance is not None else {}
        linked = links(batch) if links else {}
        for release in batch:
            row = release_record(release)
            row["tags"] = csv_tags(release.tags)
            row["date"] = release.date or ""
            cells = [str(row[name]) for name in FIELDS] + provenance_cells(known.get(release.id))
            if links:
                cells.append("; ".join(str(t["id"]) for t in linked.get(release.id, [])))
            writer.writerow([spreadsheet_safe(c) for c in cells] if safe else cells)
        done += len(batch)
        yield Progress(done, total, f"Wrote {done:,} of {total:,} releases")
    return done


def write_json(
    batches: Iterator[list[Release]],
    stream: TextIO,
    total: int,
    head: dict[str, Any],
    provenance: ProvenanceLookup | None = None,
    links: Callable[[list[Release]], Links] | None = None,
) -> Job[int]:
    """Writes `head` and the releases as {..., "releases": [...]}, one release at a time,
    each with its "provenance" object last; returns how many releases."""
    header = json.dumps(
        {"format": JSON_FORMAT, "version": JSON_VERSION, **head}, ensure_ascii=False, indent=2
    )
    stream.write(header[:-2] + ',\n  "releases": [')
    done = 0
    for batch in batches:
        known = provenance([r.id for r in batch]) if provenance is not None else {}
        linked = links(batch) if links else {}
        for release in batch:
            found = known.get(release.id) or Provenance(release.id)
            record = release_record(release)
            if links:
                record[TRANSLATIONS] = linked.get(release.id, [])
            record["provenance"] = _json_provenance(found)
            item = json.dumps(record, ensure_ascii=False, indent=2)
            stream.write(("\n" if done == 0 else ",\n") + _indent(item, "    "))
            done += 1
        yield Progress(done, total, f"Wrote {done:,} of {total:,} releases")
    stream.write("\n  ]\n}\n" if done else "]\n}\n")
    return done


def _json_provenance(provenance: Provenance) -> dict[str, Any]:
    """A release's provenance in the JSON export: as `show --json` has it, less the list of
    every file it was found in (that is in the archive)."""
    data = provenance.to_json()
    data.pop("found_in", None)
    return data


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))

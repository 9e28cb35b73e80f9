"""BagIt export: releases as a bag (RFC 8493) that archives can take in and check, written
with the Library of Congress's `bagit` library; a folder, or a `.zip` holding one.

The payload (`data/`) holds, for each release, its text (`releases/<id>.txt`), all its
metadata with where it came from (`releases/<id>.json`) and a Dublin Core record
(`releases/<id>.dc.xml`, `oai_dc`), and the kept original files (`originals/<sha256><ending>`,
once each however many releases came from one). `manifest-sha256.txt` holds the SHA-256 of
every payload file; `bag-info.txt` names the source organisation (given, or the one source
every release shares), the program and its version, the date, and the payload's size
(Payload-Oxum). The importer (`importers/bagged.py`) reads such a bag back.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import zipfile
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from archive_browser import __version__
from archive_browser.core.archive import Archive
from archive_browser.core.errors import UserFacingError, write_error
from archive_browser.core.export.outfile import PRIVATE_FILE, StagedFile
from archive_browser.core.jobs import Job, Progress
from archive_browser.core.model import Release

#: The `format` of each release's JSON, and the bag-info tag that says the app wrote the bag.
RELEASE_FORMAT = "archive-browser-release"
RELEASE_VERSION = 1
BAG_TAG = "Archive-Browser-Bag-Version"
#: Releases read from the archive at a time.
BATCH = 100

_DC_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"\n'
    '           xmlns:dc="http://purl.org/dc/elements/1.1/"\n'
    '           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"\n'
    '           xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai_dc/ '
    'http://www.openarchives.org/OAI/2.0/oai_dc.xsd">\n'
)


def is_bag_target(out: Path) -> bool:
    """True when an export to `out` writes a bag: a `.zip`, or a folder (a name without an
    ending, or an existing folder)."""
    return out.suffix.lower() == ".zip" or not out.suffix or out.is_dir()


def write_bag(
    archive: Archive,
    ids: Sequence[int],
    out: Path,
    *,
    query: str | None = None,
    organization: str = "",
) -> Job[tuple[int, Path, int]]:
    """Writes the releases `ids` as a bag to `out` (a new or empty folder, or a `.zip`);
    returns (releases written, the path written, its size in bytes). Nothing is left at
    `out` when it fails or is cancelled."""
    zipped = out.suffix.lower() == ".zip"
    if not zipped and out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserFacingError(
            f"{out} exists and is not an empty folder; name a new folder (or a .zip) for the bag."
        )
    if not out.parent.is_dir():
        raise UserFacingError(f"The folder {out.parent} does not exist.")
    staging = out.parent / f".{out.name}.{secrets.token_hex(4)}.part"
    try:
        staging.mkdir(mode=0o700)
    except OSError as e:
        raise write_error(e, out) from e
    total = len(ids)
    try:
        count, sources = yield from _write_payload(archive, ids, staging)
        if not organization and len(sources) == 1:
            organization = next(iter(sources))
        yield Progress(total, total + 1, "Writing the bag's manifest")
        _make_bag(staging, _bag_info(archive, count, query, organization))
        if zipped:
            size = _zip_folder(staging, out)
        else:
            if out.is_dir():
                out.rmdir()  # empty: checked above
            os.replace(staging, out)
            size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    except OSError as e:
        raise write_error(e, out) from e
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return count, out, size


def _write_payload(archive: Archive, ids: Sequence[int], folder: Path) -> Job[tuple[int, set[str]]]:
    releases = folder / "releases"
    originals = folder / "originals"
    releases.mkdir()
    done = 0
    sources: set[str] = set()
    total = len(ids)
    for batch in _batches(archive, ids):
        for release in batch:
            original = _copy_original(archive, release.id, originals)
            record = release_json(archive, release, original)
            base = releases / str(release.id)
            _write_text(base.with_suffix(".txt"), release.body)
            _write_text(
                base.with_suffix(".json"), json.dumps(record, ensure_ascii=False, indent=2) + "\n"
            )
            _write_text(folder / "releases" / f"{release.id}.dc.xml", dublin_core(record))
            sources.add(release.source)
            done += 1
        yield Progress(done, total + 1, f"Wrote {done:,} of {total:,} releases")
    return done, sources


def release_json(archive: Archive, release: Release, original: str | None) -> dict[str, Any]:
    """All of a release but its text (which is beside it), with its provenance, the name of
    its kept original in the bag, and the releases linked to it."""
    data = release.to_dict()
    data.pop("body")
    provenance = archive.provenance(release.id).to_json()
    return {
        "format": RELEASE_FORMAT,
        "version": RELEASE_VERSION,
        **data,
        "text": f"{release.id}.txt",
        "provenance": provenance,
        "original": original,
        "matches": [
            {"id": other, "kind": kind} for other, kind in archive.possible_duplicates(release.id)
        ],
        "translations": [
            {"id": t.id, "language": t.language, "url": t.url}
            for t in archive.translations(release.id, confirmed_only=True)
        ],
    }


def dublin_core(record: dict[str, Any]) -> str:
    """A release's metadata as an `oai_dc` record."""
    provenance = record.get("provenance") or {}
    source_file = provenance.get("name") or Path(str(record.get("orig_path") or "")).name
    elements: list[tuple[str, Any]] = [
        ("title", record.get("title")),
        ("date", record.get("date")),
        ("creator", record.get("source")),
        ("publisher", record.get("source")),
        ("identifier", record.get("url")),
        ("identifier", f"release {record['id']}"),
        ("language", record.get("language")),
        *(("subject", tag) for tag in record.get("tags") or []),
        ("description", record.get("summary")),
        ("type", record.get("kind")),
        ("format", record.get("orig_format")),
        ("source", source_file),
        *(
            ("relation", f"{m['kind']} duplicate: release {m['id']}")
            for m in record.get("matches") or []
        ),
    ]
    if provenance.get("part_of_id"):
        elements.append(("relation", f"part of: release {provenance['part_of_id']}"))
    for t in record.get("translations") or []:
        elements.append(("relation", f"translation ({t['language']}): release {t['id']}"))
        elements.append(("relation", t.get("url")))
    lines = [
        f"  <dc:{name}>{escape(_xml_text(str(value)))}</dc:{name}>\n"
        for name, value in elements
        if value not in (None, "")
    ]
    return _DC_HEAD + "".join(lines) + "</oai_dc:dc>\n"


def _xml_text(text: str) -> str:
    """`text` without the characters XML 1.0 cannot hold."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r" or "\x20" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd" or ch > "\uffff"
    )


def _copy_original(archive: Archive, release_id: int, folder: Path) -> str | None:
    """The kept original of a release copied into the bag (once per file); its path in
    the payload, or None when none is kept."""
    source = archive.original_file(release_id)
    if source is None or not source.is_file():
        return None
    folder.mkdir(exist_ok=True)
    target = folder / source.name
    if not target.exists():
        shutil.copyfile(source, target)
    return f"originals/{source.name}"


def _write_text(path: Path, text: str) -> None:
    with open(
        os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE),
        "w",
        encoding="utf-8",
        newline="\n",
    ) as f:
        f.write(text)


def _bag_info(archive: Archive, count: int, query: str | None, organization: str) -> dict[str, str]:
    import bagit

    info = {
        "Bag-Software-Agent": f"Archive Browser {__version__} (bagit.py {bagit.VERSION})",
        "Bagging-Date": datetime.now(UTC).date().isoformat(),
        "External-Description": f"{count:,} press releases exported from the archive "
        f"{archive.name!r}" + (f", matching the query {query!r}" if query else ""),
        "Internal-Sender-Identifier": archive.name,
        BAG_TAG: str(RELEASE_VERSION),
    }
    if organization:
        info["Source-Organization"] = organization
    return info


def _make_bag(folder: Path, info: dict[str, str]) -> None:
    import bagit

    # make_bag works in the bag's folder (os.chdir) and moves the payload into data/.
    try:
        bagit.make_bag(str(folder), info, processes=1, checksums=["sha256"])
    except bagit.BagError as e:
        raise UserFacingError(f"Cannot write the bag: {e}") from None


def _zip_folder(folder: Path, out: Path) -> int:
    """Zips the bag `folder` to `out` under one top folder named as the zip (as bags are
    zipped); returns the size of the zip."""
    staged = StagedFile(out)
    top = out.stem
    try:
        with zipfile.ZipFile(staged.path, "w", zipfile.ZIP_DEFLATED) as z:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    z.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
        staged.commit()
    finally:
        staged.discard()
    with contextlib.suppress(OSError):
        return staged.out.stat().st_size
    return 0


def _batches(archive: Archive, ids: Sequence[int]) -> Iterator[list[Release]]:
    for start in range(0, len(ids), BATCH):
        batch = archive.get_many(ids[start : start + BATCH])
        if batch:
            yield batch

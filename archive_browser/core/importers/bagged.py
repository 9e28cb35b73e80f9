"""BagIt bags the app wrote (`core/export/bag.py`): a folder holding `bagit.txt`, or a `.zip`
of one (at its root or in one top folder). Read back losslessly: every field and tag as
exported, the record and path of where each release came from, and the kept originals kept
again (the recorder hashes each from the bag, so its SHA-256 is checked once more).

A bag is validated (`bagit.Bag.validate`: every payload file against the SHA-256 manifest,
nothing missing, nothing added) before anything is read; one that does not validate is
refused, naming the files that are wrong, and nothing is stored.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.importers.zipped import open_zip, unpack_member
from archive_browser.core.model import ReleaseDraft

#: The `format` of a release's JSON in a bag the app wrote.
RELEASE_FORMAT = "archive-browser-release"
#: Most files named in the error of a bag that does not validate.
MAX_NAMED_FILES = 10
#: Most releases read from one bag.
MAX_BAG_RELEASES = 1_000_000

_TEXT_FIELDS = (
    "title",
    "summary",
    "source",
    "url",
    "language",
    "place",
    "kind",
    "notes",
    "orig_path",
    "orig_format",
)


def is_bag_folder(path: Path) -> bool:
    """True for a folder that holds a bag (its `bagit.txt`)."""
    try:
        return path.is_dir() and (path / "bagit.txt").is_file()
    except OSError:
        return False


def bag_prefix(names: list[str]) -> str | None:
    """Where the bag is inside a zip whose members are `names`: "" at the root, "top/" in
    one top folder; None when the zip holds no bag."""
    if "bagit.txt" in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names if n.strip("/")}
    if len(tops) == 1:
        (top,) = tops
        if f"{top}/bagit.txt" in names:
            return f"{top}/"
    return None


def read_bag(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    """The releases of a bag folder or of a zipped bag, once it validates."""
    if is_bag_folder(ctx.path):
        validate(ctx.path)
        yield from _releases(ctx.path, "")
        return
    with open_zip(ctx.path) as package:
        prefix = bag_prefix(package.namelist())
        if prefix is None:
            raise UnreadableInputError("not a BagIt bag: the zip holds no bagit.txt")
        folder = Path(tempfile.mkdtemp(prefix="archive-browser-bag-"))
        try:
            for member in package.infolist():
                name = PurePosixPath(member.filename)
                if member.is_dir() or not member.filename.startswith(prefix):
                    continue
                inner = PurePosixPath(member.filename[len(prefix) :])
                if name.is_absolute() or ".." in inner.parts or not inner.parts:
                    raise UnreadableInputError(f"the bag names a file outside it: {name}")
                target = folder.joinpath(*inner.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                unpack_member(package, member, target)
            validate(folder)
            yield from _releases(folder, prefix)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def validate(folder: Path) -> None:
    """Raises UnreadableInputError, naming the files that are wrong, when the bag in
    `folder` does not validate."""
    import bagit

    try:
        bag = bagit.Bag(str(folder))
        bag.validate(processes=1)
    except bagit.BagValidationError as e:
        raise UnreadableInputError(_invalid(bag, e)) from None
    except bagit.BagError as e:
        raise UnreadableInputError(f"not a valid BagIt bag ({e})") from None
    except (OSError, UnicodeError, ValueError) as e:
        raise UnreadableInputError(f"cannot read the bag ({describe(e)})") from None


def _invalid(bag: Any, error: Any) -> str:
    details = list(getattr(error, "details", None) or [])
    if not details:
        # The size check (Payload-Oxum) fails before files are compared: compare them now
        # (bagit's own steps after that check) to name them.
        try:
            bag._validate_completeness()
            bag._validate_entries(1)
        except Exception as inner:  # BagValidationError with the details, or worse
            details = list(getattr(inner, "details", None) or [])
    problems: list[str] = []
    for detail in details:
        path = getattr(detail, "path", "")
        kind = type(detail).__name__
        what = {
            "ChecksumMismatch": "changed (its SHA-256 is not the manifest's)",
            "FileMissing": "missing",
            "UnexpectedFile": "not in the manifest",
        }.get(kind, str(detail))
        problems.append(f"{path} {what}")
    if not problems:
        problems = [str(error)]
    named = "; ".join(problems[:MAX_NAMED_FILES])
    if len(problems) > MAX_NAMED_FILES:
        named += f"; and {len(problems) - MAX_NAMED_FILES:,} more"
    return f"the bag does not validate, so nothing of it was imported: {named}"


def _releases(folder: Path, prefix: str) -> Iterator[ReleaseDraft | RowError]:
    releases = folder / "data" / "releases"
    if not releases.is_dir():
        raise UnreadableInputError("the bag holds no releases (no data/releases folder)")
    records: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(releases.glob("*.json"), key=_id_order):
        where = f"data/releases/{path.name}"
        if len(records) >= MAX_BAG_RELEASES:
            yield RowError(where, f"the bag holds more than {MAX_BAG_RELEASES:,} releases")
            break
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeError, ValueError) as e:
            yield RowError(where, f"cannot read it ({describe(e)})")
            continue
        if not isinstance(record, dict) or record.get("format") != RELEASE_FORMAT:
            yield RowError(where, "not a release written by this program")
            continue
        records.append((where, record))
    if not records:
        raise UnreadableInputError("the bag holds no releases written by this program")
    # A part names the record of the release it is part of (an attachment, its message).
    record_of = {r.get("id"): _provenance(r).get("record") or "" for _w, r in records}
    for where, record in records:
        try:
            yield _draft(folder, prefix, record, record_of)
        except (OSError, UnicodeError, ValueError, TypeError, KeyError) as e:
            yield RowError(where, f"cannot read it ({describe(e)})")


def _draft(
    folder: Path, prefix: str, record: dict[str, Any], record_of: dict[Any, str]
) -> ReleaseDraft:
    text = PurePosixPath(str(record["text"]))
    if text.is_absolute() or ".." in text.parts:
        raise ValueError(f"the text is named outside the bag: {text}")
    body = (folder / "data" / "releases" / Path(*text.parts)).read_text(encoding="utf-8")
    provenance = _provenance(record)
    fields = {name: _string(record.get(name)) for name in _TEXT_FIELDS}
    tags = record.get("tags") or []
    if not isinstance(tags, list):
        raise ValueError("its tags are not a list")
    draft = ReleaseDraft(
        body=body,
        date=_string(record.get("date")) or None,
        tags=[str(t) for t in tags],
        record=_string(provenance.get("record")),
        part_of=record_of.get(provenance.get("part_of_id"), ""),
        sha256=_sha256(provenance.get("sha256")),
        **fields,
    )
    original = record.get("original")
    if isinstance(original, str) and original:
        inner = PurePosixPath(original)
        inside = not inner.is_absolute() and ".." not in inner.parts
        if inside and (folder / "data" / Path(*inner.parts)).is_file():
            # The recorder hashes and keeps this file of the bag as the original.
            draft.member = f"{prefix}data/{inner.as_posix()}"
    return draft


def _provenance(record: dict[str, Any]) -> dict[str, Any]:
    provenance = record.get("provenance")
    return provenance if isinstance(provenance, dict) else {}


def _sha256(value: Any) -> str:
    text = _string(value).lower()
    return text if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else ""


def _string(value: Any) -> str:
    return "" if value is None else str(value)


def _id_order(path: Path) -> tuple[int, str]:
    stem = path.name.split(".", 1)[0]
    return (int(stem), path.name) if stem.isdigit() else (1 << 62, path.name)


FORMAT = ImportFormat(
    "bag", "BagIt bag written by this program (a folder, or a .zip)", (".bag",), 4096, read_bag
)

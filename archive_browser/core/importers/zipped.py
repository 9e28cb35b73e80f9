"""Zip files of importable files, read in place: each member of a known type is read by its
format, as if it had been imported alone. A release of a member names it in its path
(`/path/to/file.zip!/member/path`); its record is the one its format gives. (A zip holding a
BagIt bag is read as the bag: see `read_file`.)

A zip bomb is refused before anything is unpacked: by the ratio of a member's (and the whole
archive's) uncompressed to compressed size, by the total uncompressed size, and by the count
of members. Sizes are also enforced while unpacking, as a zip's headers may lie.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.decode import file_problem
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.registry import ImportFormat, ReadContext, format_for
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.model import ReleaseDraft

#: Largest ratio of uncompressed to compressed size, of one member or of the whole zip.
#: Text and XML compress 5 to 20 times; zip bombs reach thousands.
MAX_ZIP_RATIO = 200
#: Largest total uncompressed size of a zip's members, in MB.
MAX_ZIP_TOTAL_MB = 4096
#: Most members of one zip.
MAX_ZIP_MEMBERS = 100_000

_CHUNK = 1024 * 1024


def check_zip(archive: zipfile.ZipFile, compressed_size: int) -> None:
    """Raises UnreadableInputError when a zip (or a DOCX, ODT or WACZ package) looks like a
    zip bomb."""
    members = archive.infolist()
    if len(members) > MAX_ZIP_MEMBERS:
        raise UnreadableInputError(
            f"the zip has {len(members):,} members (the limit is {MAX_ZIP_MEMBERS:,})"
        )
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_TOTAL_MB * 1024 * 1024:
        raise UnreadableInputError(
            f"the zip would unpack to {total / 1024 / 1024:,.0f} MB "
            f"(the limit is {MAX_ZIP_TOTAL_MB:,} MB): refused as a possible zip bomb"
        )
    for member in members:
        ratio = member.file_size // max(1, member.compress_size)
        if member.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO:
            raise UnreadableInputError(
                f"{member.filename} would unpack {ratio:,} times its packed size (the limit "
                f"is {MAX_ZIP_RATIO}): refused as a possible zip bomb"
            )
    if total > 1024 * 1024 and total > MAX_ZIP_RATIO * max(1, compressed_size):
        raise UnreadableInputError(
            f"the zip would unpack {total // max(1, compressed_size):,} times its size "
            f"(the limit is {MAX_ZIP_RATIO}): refused as a possible zip bomb"
        )


def open_zip(path: Path) -> zipfile.ZipFile:
    """A zip file opened and checked, or a clear error."""
    problem = file_problem(path)
    if problem is not None:
        raise UnreadableInputError(problem)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableInputError(f"cannot read this zip file ({describe(e)})") from None
    try:
        check_zip(archive, path.stat().st_size)
    except BaseException:
        archive.close()
        raise
    return archive


def unpack_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    """Writes one member to `target`, never more bytes than its header declares."""
    with archive.open(member) as source, open(target, "wb") as out:
        left = member.file_size
        while True:
            chunk = source.read(min(_CHUNK, left + 1))
            if not chunk:
                break
            left -= len(chunk)
            if left < 0:
                raise UnreadableInputError(f"{member.filename} is larger than its zip header says")
            out.write(chunk)


def read_zip(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    """The releases of every importable member; a member that cannot be read is reported and
    the others are read."""
    with open_zip(ctx.path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        known = 0
        origin = str(ctx.path.resolve())
        for member in members:
            name = PurePosixPath(member.filename)
            # Hidden files and macOS resource forks are passed over; ".." is only a name here.
            hidden = [p for p in name.parts if p.startswith(".") and p not in (".", "..")]
            if hidden or "__MACOSX" in name.parts:
                continue
            fmt = format_for(Path(name.name))
            if fmt is None:
                continue
            known += 1
            if fmt.name in ("zip",):
                yield RowError(member.filename, "a zip inside a zip is not read; unpack it first")
                continue
            if member.file_size > fmt.size_limit_mb * 1024 * 1024:
                yield RowError(
                    member.filename,
                    f"too large ({member.file_size / 1024 / 1024:.0f} MB; the limit for this "
                    f"kind of file is {fmt.size_limit_mb} MB)",
                )
                continue
            yield from _read_member(archive, member, fmt, ctx, origin)
        if not known:
            raise UnreadableInputError("the zip holds no files of a type this program reads")


def _read_member(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    fmt: ImportFormat,
    ctx: ReadContext,
    origin: str,
) -> Iterator[ReleaseDraft | RowError]:
    folder = Path(tempfile.mkdtemp(prefix="archive-browser-zip-"))
    try:
        target = folder / ("member" + "".join(PurePosixPath(member.filename).suffixes[-2:]))
        try:
            unpack_member(archive, member, target)
            drafts = list(fmt.read(ReadContext(target, ctx.options, fmt.size_limit_mb)))
        except UnreadableInputError as e:
            yield RowError(member.filename, str(e))
            return
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error) as e:
            yield RowError(member.filename, f"cannot unpack it ({describe(e)})")
            return
        for draft in drafts:
            if isinstance(draft, ReleaseDraft):
                # The member is named by the path; its own record (pages, a row) stays.
                draft.orig_path = draft.orig_path or f"{origin}!/{member.filename}"
                draft.orig_format = draft.orig_format or fmt.name
                draft.member = member.filename
            else:
                draft = RowError(f"{member.filename}: {draft.where}", draft.error)
            yield draft
    finally:
        shutil.rmtree(folder, ignore_errors=True)


FORMAT = ImportFormat("zip", "Zip of the files above", (".zip",), 4096, read_zip)

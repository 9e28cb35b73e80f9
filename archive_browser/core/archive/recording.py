"""What an import records of where its releases came from: the batch, each file's SHA-256
(of a zip member, the member's bytes), the record within it, the importer, the release a
part belongs to, and the kept originals (see core.provenance)."""

from __future__ import annotations

import contextlib
import dataclasses
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

import archive_browser.core.archive.originals as originals
from archive_browser import __version__
from archive_browser.core import importers
from archive_browser.core.archive.base import ArchiveBase
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.provenance import BINARY_FORMATS
from archive_browser.core.store.provenance import SourceRow

#: The version recorded with each importer: the program's (the importers ship with it).
IMPORTER_VERSION = __version__


@dataclass(slots=True)
class _Part:
    """One file read (or one member of a zip): its hash, and what came of it."""

    path: str
    sha256: str
    importer: str
    ending: str
    keep: bool
    member: str = ""
    placed: int = 0
    #: record -> the release stored (or met again) for it, to resolve `part_of`.
    records: dict[str, int] = field(default_factory=dict)
    #: (new release id, the record it is part of).
    parts: list[tuple[int, str]] = field(default_factory=list)


class FileSource:
    """One file of an import: the provenance of the releases read from it."""

    def __init__(self, recorder: ImportRecorder, path: Path | None) -> None:
        self._recorder = recorder
        self.path = path
        self._parts: dict[str, _Part] = {}
        self._file: _Part | None = None
        if path is not None:
            self._file = self._part_for_file(path)

    def _part_for_file(self, path: Path) -> _Part:
        fmt = importers.format_for(path)
        name = fmt.name if fmt is not None else ""
        try:
            digest = originals.sha256_of_file(path)
        except OSError:
            digest = ""  # reading it fails too, and says why
        return _Part(
            path=importers.shown_name(str(path.resolve())),
            sha256=digest,
            importer=name,
            ending=originals.ending_of(path.name, importers.extensions()),
            keep=self._recorder.keeps(name) and name != "zip",
        )

    def part(self, draft: ReleaseDraft) -> _Part | None:
        """The file (or zip member) a draft was read from."""
        if self._file is None:
            if not draft.orig_path:
                return None
            candidate = Path(draft.orig_path)
            if not candidate.is_file():
                return None
            key = str(candidate)
            if key not in self._parts:
                self._parts[key] = self._part_for_file(candidate)
            return self._parts[key]
        if not draft.member or self.path is None:
            return self._file
        part = self._parts.get(draft.member)
        if part is None:
            fmt = importers.format_for(Path(PurePosixPath(draft.member).name))
            name = fmt.name if fmt is not None else ""
            try:
                digest, _size = originals.sha256_of_member(self.path, draft.member)
            except (OSError, KeyError, ValueError, zipfile.BadZipFile, EOFError):
                digest = ""
            part = _Part(
                path=f"{self._file.path}{'/' if self.path.is_dir() else '!/'}{draft.member}",
                sha256=digest,
                importer=f"zip/{name}",
                ending=originals.ending_of(draft.member, importers.extensions()),
                keep=self._recorder.keeps("zip"),
                member=draft.member,
            )
            self._parts[draft.member] = part
        return part

    def placed(self, pairs: Sequence[tuple[ReleaseDraft, int, bool]]) -> list[SourceRow]:
        """The rows to store for drafts placed as releases: (draft, release id, whether it
        was stored new); an exact copy met again gets a row too (it was seen in this file)."""
        rows: list[SourceRow] = []
        for draft, release_id, new in pairs:
            part = self.part(draft)
            if part is None:
                continue
            part.placed += 1
            if draft.record:
                part.records.setdefault(draft.record, release_id)
            if new and draft.part_of:
                part.parts.append((release_id, draft.part_of))
            # A release read back from a bag keeps the provenance the bag recorded for it.
            claimed = bool(draft.sha256 and draft.orig_path)
            rows.append(
                SourceRow(
                    release_id,
                    self._recorder.batch_id,
                    draft.orig_path if claimed else part.path,
                    draft.sha256 if claimed else part.sha256,
                    draft.record,
                    part.importer,
                    IMPORTER_VERSION,
                )
            )
        return rows

    def finish(self) -> None:
        """Links parts to what they are part of, and keeps the originals of the files (or
        members) that gave releases: a file that failed to import is not kept."""
        archive = self._recorder.archive
        parts = [p for p in [self._file, *self._parts.values()] if p is not None]
        links = [
            (child, p.records[parent])
            for p in parts
            for child, parent in p.parts
            if parent in p.records
        ]
        if links:
            with archive.store.transaction():
                archive.store.set_part_of(links)
        for p in parts:
            if p.keep and p.placed and p.sha256:
                self._keep(p)

    def _keep(self, part: _Part) -> None:
        archive = self._recorder.archive
        store = archive.store
        if (
            store.get_original(part.sha256) is not None
            and originals.original_path(archive.folder, part.sha256, part.ending).is_file()
        ):
            return
        with contextlib.ExitStack() as stack:
            f: IO[bytes]
            try:
                if part.member and self.path is not None and self.path.is_dir():
                    # A file of a BagIt bag read as a folder.
                    member = self.path.joinpath(*PurePosixPath(part.member).parts)
                    f = stack.enter_context(open(member, "rb"))
                elif part.member and self.path is not None:
                    z = stack.enter_context(zipfile.ZipFile(self.path))
                    f = stack.enter_context(z.open(part.member))
                else:
                    source = self.path if self.path is not None else Path(part.path)
                    f = stack.enter_context(open(source, "rb"))
            except (OSError, KeyError, zipfile.BadZipFile):
                self._recorder.changed_files.append(part.path)  # gone since it was read
                return
            # Errors writing the archive folder (a full disk) go on to the import's handler.
            size = originals.keep(archive.folder, f, part.sha256, part.ending)
        if size is None:
            self._recorder.changed_files.append(part.path)
            return
        with store.transaction():
            store.add_original(part.sha256, size, part.ending)


class ImportRecorder:
    """The provenance of one import: its batch, and what each file gave."""

    def __init__(
        self, archive: ArchiveBase, options: importers.ImportOptions, paths: Iterable[str]
    ) -> None:
        self.archive = archive
        self.policy = options.keep_originals
        #: Files that changed between being read and being kept (their original not kept).
        self.changed_files: list[str] = []
        recorded = dataclasses.asdict(options)
        recorded.pop("splits", None)  # paragraph numbers per file: long, and not a choice
        with archive.store.transaction():
            self.batch_id = archive.store.begin_batch(
                __version__, recorded, [importers.shown_name(p) for p in paths]
            )

    def keeps(self, format_name: str) -> bool:
        if self.policy == "all":
            return True
        return self.policy == "binary" and format_name in BINARY_FORMATS

    def file(self, path: Path | None) -> FileSource:
        return FileSource(self, path)

    def finish(self) -> None:
        # The batch's end time only: never fail an import on it.
        with contextlib.suppress(Exception), self.archive.store.transaction():
            self.archive.store.finish_batch(self.batch_id)

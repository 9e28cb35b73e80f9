"""Where a release came from: the file it was imported from, that file's SHA-256, the record
within it, the importer and the import batch (see issue 15, "Provenance and fixity")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: What is shown for a release stored before the archive recorded provenance.
NOT_RECORDED = "imported before provenance was recorded"

#: Formats whose originals are kept by default (`keep_originals="binary"`): their text is
#: extracted, so the file itself is the evidence. Members of a zip are kept too.
BINARY_FORMATS = frozenset(
    {"pdf", "docx", "odt", "rtf", "doc", "eml", "mbox", "msg", "warc", "wacz", "zip"}
)
#: The choices of the import option `keep_originals`.
KEEP_CHOICES = ("binary", "all", "none")


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """One import: when it ran, with which program and options, on which paths."""

    id: int
    started: str
    finished: str | None
    app_version: str
    options: dict[str, Any] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "started": self.started,
            "finished": self.finished,
            "app_version": self.app_version,
            "options": self.options,
            "paths": self.paths,
        }


@dataclass(frozen=True, slots=True)
class Sighting:
    """One file a release was found in (the first is where it was imported from)."""

    path: str
    sha256: str
    record: str
    importer: str
    importer_version: str
    batch_id: int | None
    batch_started: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "record": self.record,
            "importer": self.importer,
            "importer_version": self.importer_version,
            "batch_id": self.batch_id,
            "batch_started": self.batch_started,
        }


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where one release came from. Empty (`recorded` False) for a release stored before
    the archive recorded provenance."""

    release_id: int
    #: The file as imported: its path, and for a zip member `archive.zip!/member/path`.
    path: str = ""
    sha256: str = ""
    #: Where in the file: "pages 1-3", "Message-ID: <…>", "row 12"; empty for a whole file.
    record: str = ""
    importer: str = ""
    importer_version: str = ""
    batch: ImportBatch | None = None
    #: The release (of the same file) this one is part of, e.g. an attachment's message.
    part_of_id: int | None = None
    #: Whether the original file (of this SHA-256) is kept in the archive folder.
    original_kept: bool = False
    #: Every file the release was found in, the first one first.
    sources: tuple[Sighting, ...] = ()

    @property
    def recorded(self) -> bool:
        return bool(self.sources)

    @property
    def name(self) -> str:
        """The file's name: the last part of its path (of the member, for a zip member)."""
        tail = self.path.rsplit("!/", 1)[-1]
        return tail.replace("\\", "/").rsplit("/", 1)[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "recorded": self.recorded,
            "note": "" if self.recorded else NOT_RECORDED,
            "name": self.name,
            "path": self.path,
            "sha256": self.sha256,
            "record": self.record,
            "importer": self.importer,
            "importer_version": self.importer_version,
            "batch": self.batch.to_json() if self.batch is not None else None,
            "part_of_id": self.part_of_id,
            "original_kept": self.original_kept,
            "found_in": [s.to_json() for s in self.sources],
        }

    def summary_line(self) -> str:
        """One line for exports and `show`: file, short SHA-256, record, importer, batch."""
        if not self.recorded:
            return NOT_RECORDED
        parts = [self.path or "(no file name)"]
        if self.record:
            parts.append(self.record)
        parts.append(f"SHA-256 {self.sha256[:16]}…" if self.sha256 else "no SHA-256")
        parts.append(f"{self.importer} {self.importer_version}".strip())
        if self.batch is not None:
            parts.append(f"imported {self.batch.started}")
        return "; ".join(parts)

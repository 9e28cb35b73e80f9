"""The release: the one record type the archive keeps."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

#: Metadata fields a user may edit; body and checksum change only by importing.
EDITABLE_FIELDS = (
    "title",
    "date",
    "source",
    "url",
    "place",
    "kind",
    "language",
    "notes",
    "summary",
)

#: Kinds the importers recognise; users may set any other word.
KINDS = ("news", "speech", "interview", "statement", "article", "transcript", "other")


@dataclass(slots=True)
class ReleaseDraft:
    """A release as an importer produced it, before it is stored."""

    title: str
    body: str
    date: str | None = None  # ISO YYYY-MM-DD, or None when unknown
    summary: str = ""
    source: str = ""
    url: str = ""
    language: str = ""
    place: str = ""
    kind: str = ""
    notes: str = ""
    orig_path: str = ""
    orig_format: str = ""
    tags: list[str] = field(default_factory=list)
    #: Where in its file this release was: "pages 1-3", "Message-ID: <…>", "WARC-Record-ID:
    #: <urn:…>", "feed entry id: …", "row 12", "item 4"; empty for a file that is one release.
    record: str = ""
    #: The `record` of the release of the same file that this one is part of (an e-mail
    #: attachment's message); empty when it stands alone.
    part_of: str = ""
    #: The member of a zip file this release was read from (its path inside the zip); empty
    #: for a file imported as itself. Provenance hashes and keeps that member's bytes.
    member: str = ""
    #: The SHA-256 of the original as recorded where this release was read back from (a
    #: BagIt bag the app wrote, validated by its manifest); its path is `orig_path`. Empty:
    #: provenance hashes the file (or member) read.
    sha256: str = ""


@dataclass(slots=True)
class Release:
    """A stored release."""

    id: int
    title: str
    body: str
    date: str | None
    summary: str
    source: str
    url: str
    language: str
    place: str
    kind: str
    notes: str
    orig_path: str
    orig_format: str
    checksum: str
    added: str
    modified: str
    rev: int
    tags: list[str] = field(default_factory=list)

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def to_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


RELEASE_COLUMNS = tuple(f.name for f in fields(Release) if f.name != "tags")

#: The columns of the archive's CSV export (and keys of its JSON export), in order: what its
#: importer maps by, and how it recognises a file the archive wrote itself.
EXCHANGE_FIELDS = (
    "id",
    "title",
    "date",
    "summary",
    "body",
    "source",
    "url",
    "place",
    "kind",
    "language",
    "tags",
    "notes",
    "orig_path",
    "orig_format",
)

#: Provenance columns appended to the CSV export (after EXCHANGE_FIELDS): the file a release
#: was imported from, its SHA-256, the record within it, the importer, the import's time.
PROVENANCE_FIELDS = (
    "provenance_path",
    "provenance_sha256",
    "provenance_record",
    "provenance_importer",
    "provenance_imported",
)
#: The columns of the CSV export, in order.
EXPORT_FIELDS = EXCHANGE_FIELDS + PROVENANCE_FIELDS

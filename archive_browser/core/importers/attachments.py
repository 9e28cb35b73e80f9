"""Attachments of an e-mail that are themselves importable (PDF, DOCX, ODT, RTF, HTML, text, a
message attached to a message): each becomes a release of its own, read by the registry's
format for its ending, recorded as part of its message.

An attachment's record names the message and the attachment ("Message-ID: <…> attachment 2:
report.pdf"); its `part_of` is the message's record. Limits keep a message with thousands of
attachments, or messages attached inside messages inside messages, from stalling an import;
an attachment that cannot be read is reported as an error of its own and the message is
imported all the same.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePath

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.dates import find_date
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.options import ImportOptions
from archive_browser.core.importers.registry import ImportFormat, ReadContext, format_for
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.model import ReleaseDraft

#: Attachments of one message read as releases of their own; the others are only named in
#: the message's notes (and one error says how many were passed over).
MAX_READ_ATTACHMENTS = 20
#: Largest attachment read as a release, in MB (and never more than its format's limit).
MAX_ATTACHMENT_MB = 32
#: How deep messages attached to messages are read (a message inside a message: 1).
MAX_NESTED_MESSAGES = 3
#: The formats an attachment is read by when its name (or, without one, its type) says so.
ATTACHMENT_FORMATS = ("pdf", "docx", "odt", "rtf", "html", "text", "markdown", "eml")

_TYPE_ENDINGS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
    "text/html": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "message/rfc822": ".eml",
}


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment as a message holds it: its name, its type, and how to get its bytes
    (only called for an attachment that is read)."""

    name: str
    content_type: str
    data: Callable[[], bytes]


#: Reads a message's bytes into its release and its attachments' (for a message attached):
#: (bytes, options, nesting depth) -> items.
MessageReader = Callable[[bytes, ImportOptions, int], Iterable[ReleaseDraft | RowError]]


def attachment_format(attachment: Attachment) -> tuple[ImportFormat, str] | None:
    """The format an attachment is read by and the ending of its file, or None when it is
    not importable."""
    name = PurePath(attachment.name.replace("\\", "/")).name if attachment.name else ""
    fmt = format_for(Path(name)) if name else None
    ending = "".join(PurePath(name).suffixes[-1:]).lower() if fmt is not None else ""
    if fmt is None:
        ending = _TYPE_ENDINGS.get(attachment.content_type.lower(), "")
        fmt = format_for(Path("attachment" + ending)) if ending else None
    if fmt is None or fmt.name not in ATTACHMENT_FORMATS:
        return None
    return fmt, ending


def attachment_items(
    attachments: Iterable[Attachment],
    message: ReleaseDraft,
    options: ImportOptions,
    depth: int,
    read_message: MessageReader,
) -> Iterator[ReleaseDraft | RowError]:
    """The releases of a message's importable attachments, and errors of the ones that
    cannot be read; `message` is the message's release (its record already set)."""
    read = passed_over = 0
    for number, attachment in enumerate(attachments, 1):
        found = attachment_format(attachment)
        if found is None:
            continue
        fmt, ending = found
        label = attachment.name or attachment.content_type
        prefix = f"{message.record} attachment {number}: {label}"
        if fmt.name == "eml" and depth >= MAX_NESTED_MESSAGES:
            yield RowError(
                prefix, f"a message nested more than {MAX_NESTED_MESSAGES} deep is not read"
            )
            continue
        if read >= MAX_READ_ATTACHMENTS:
            passed_over += 1
            continue
        read += 1
        yield from _read_one(attachment, fmt, ending, prefix, message, options, depth, read_message)
    if passed_over:
        yield RowError(
            f"{message.record} attachments",
            f"{passed_over:,} more importable attachments were not read (at most "
            f"{MAX_READ_ATTACHMENTS} of one message are read as releases)",
        )


def _read_one(
    attachment: Attachment,
    fmt: ImportFormat,
    ending: str,
    prefix: str,
    message: ReleaseDraft,
    options: ImportOptions,
    depth: int,
    read_message: MessageReader,
) -> Iterator[ReleaseDraft | RowError]:
    limit_mb = min(MAX_ATTACHMENT_MB, fmt.size_limit_mb)
    # An attachment is one document: the split of text files and PDFs is not applied to it.
    own = dataclasses.replace(options, split="file", pdf_split="file", splits={})
    try:
        data = attachment.data()
        if len(data) > limit_mb * 1024 * 1024:
            raise UnreadableInputError(
                f"too large ({len(data) / 1024 / 1024:.0f} MB; attachments of this kind are "
                f"read up to {limit_mb} MB)"
            )
        if fmt.name == "eml":
            drafts = list(read_message(data, own, depth + 1))
        else:
            drafts = _read_bytes(data, ending, fmt, own, limit_mb)
    except UnreadableInputError as e:
        yield RowError(prefix, str(e))
        return
    except Exception as e:  # a damaged attachment: the libraries raise many kinds
        yield RowError(prefix, f"cannot read it ({describe(e)})")
        return
    for draft in drafts:
        if isinstance(draft, RowError):
            yield RowError(f"{prefix}: {draft.where}", draft.error)
            continue
        # Records inside the attachment (a nested message's attachments) are named from it.
        draft.part_of = f"{prefix}; {draft.part_of}" if draft.part_of else message.record
        draft.record = f"{prefix}; {draft.record}" if draft.record else prefix
        draft.orig_format = draft.orig_format or fmt.name
        draft.source = draft.source or message.source
        if not draft.date:
            draft.date = find_date(f"{draft.title}\n{draft.body[:3000]}") or message.date
        yield draft


def _read_bytes(
    data: bytes, ending: str, fmt: ImportFormat, options: ImportOptions, limit_mb: int
) -> list[ReleaseDraft | RowError]:
    folder = Path(tempfile.mkdtemp(prefix="archive-browser-attachment-"))
    try:
        target = folder / ("attachment" + ending)
        target.write_bytes(data)
        return list(fmt.read(ReadContext(target, options, limit_mb)))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

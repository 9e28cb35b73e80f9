"""E-mail: `.eml` (one message), `.mbox` (every message), Outlook `.msg` (extract-msg); one
release per message.

The sender is the source, the Date: header the date, the subject the title, and the
Message-ID the release's record within the file ("Message-ID: <…>"; "message 12" of an mbox
when there is none). The plain text part is preferred; an HTML part goes through the HTML
extraction. Quoted replies ("> ..." lines) are kept as written, with their marks.
Attachments are named in the notes, and the importable ones become releases of their own,
part of the message's (see `attachments.py`).
"""

from __future__ import annotations

import email.errors
import email.policy
import functools
import re
from collections.abc import Iterator
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import Any

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers.attachments import Attachment, attachment_items
from archive_browser.core.importers.dates import parse_date_value
from archive_browser.core.importers.decode import check_streamable, read_bytes
from archive_browser.core.importers.failures import describe
from archive_browser.core.importers.fragments import html_to_text
from archive_browser.core.importers.options import ImportOptions
from archive_browser.core.importers.registry import ImportFormat, ReadContext
from archive_browser.core.importers.tabular import RowError
from archive_browser.core.model import ReleaseDraft
from archive_browser.core.textnorm import one_line

#: Most messages read of one mailbox.
MAX_MBOX_MESSAGES = 200_000
#: Largest single message of a mailbox, in MB (attachments included).
MAX_MESSAGE_MB = 64
#: Longest header value (From:, Subject:, Date:, Message-ID:) read by the structured parser.
MAX_PARSED_HEADER_CHARS = 2_000
#: Longest header line parsed, in bytes; the rest of a longer one is dropped.
MAX_HEADER_LINE_BYTES = 4_000
#: Attachments named in a release's notes (the rest are counted).
MAX_LISTED_ATTACHMENTS = 50

_FROM_LINE = re.compile(rb"^From ")
_ESCAPED_FROM = re.compile(rb"^>+From ")


def read_eml(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    """The one message of an .eml file, and its importable attachments."""
    return message_items(read_bytes(ctx.path, ctx.limit_mb), ctx.options)


def read_mbox(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    """Every message of an mbox file, read one at a time (the file is never held whole)."""
    check_streamable(ctx.path, ctx.limit_mb)
    count = 0
    try:
        with open(ctx.path, "rb") as f:
            first = f.read(5)
            if first and first != b"From ":
                raise UnreadableInputError("not an mbox file (it does not start with 'From ')")
            f.seek(0)
            for raw in _split_mbox(f):
                count += 1
                if count > MAX_MBOX_MESSAGES:
                    yield RowError(
                        f"after message {MAX_MBOX_MESSAGES:,}",
                        f"the mailbox holds more messages than the limit of "
                        f"{MAX_MBOX_MESSAGES:,}; the rest were not read",
                    )
                    return
                if raw is None:
                    yield RowError(
                        f"message {count:,}", f"larger than {MAX_MESSAGE_MB} MB; not read"
                    )
                    continue
                try:
                    yield from message_items(raw, ctx.options, where=f"message {count:,}")
                except UnreadableInputError as e:
                    yield RowError(f"message {count:,}", str(e))
    except OSError as e:
        raise UnreadableInputError(f"cannot read the file: {e.strerror or e}") from None


def _split_mbox(f: Any) -> Iterator[bytes | None]:
    """The messages of an mbox, as bytes (None for one over the size limit); ">From " lines
    are unescaped (mboxrd)."""
    limit = MAX_MESSAGE_MB * 1024 * 1024
    lines: list[bytes] = []
    size = 0
    too_large = False
    started = False
    previous_blank = True
    for line in f:
        if _FROM_LINE.match(line) and previous_blank:
            if started:
                yield None if too_large else b"".join(lines)
            started, lines, size, too_large = True, [], 0, False
            previous_blank = False
            continue
        previous_blank = line in (b"\n", b"\r\n")
        if too_large:
            continue
        if _ESCAPED_FROM.match(line):
            line = line[1:]
        size += len(line)
        if size > limit:
            too_large, lines = True, []
            continue
        lines.append(line)
    if started:
        yield None if too_large else b"".join(lines)


def message_items(
    raw: bytes, options: ImportOptions, depth: int = 0, where: str = "message"
) -> Iterator[ReleaseDraft | RowError]:
    """The release of one message (RFC 5322 bytes), then those of its importable
    attachments; `where` is its record when it has no Message-ID. Raises
    UnreadableInputError (before yielding anything) when the message cannot be read."""
    draft, message = _message_draft(raw)
    draft.record = draft.record or where
    yield draft
    yield from attachment_items(_mime_attachments(message), draft, options, depth, message_items)


def message_draft(raw: bytes) -> ReleaseDraft:
    """The release in one message (RFC 5322 bytes), without its attachments'."""
    return _message_draft(raw)[0]


def _mime_attachments(message: EmailMessage) -> Iterator[Attachment]:
    for part in message.iter_attachments():
        ctype = part.get_content_type()
        try:
            name = one_line(part.get_filename() or "")
        except Exception:  # a malformed Content-Disposition: the type still says what it is
            name = ""
        yield Attachment(name, ctype, functools.partial(_part_bytes, part))


def _part_bytes(part: Any) -> bytes:
    if part.get_content_type() == "message/rfc822":
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload else payload
        if isinstance(inner, EmailMessage):
            return inner.as_bytes(policy=email.policy.default.clone(linesep="\n"))
        raise UnreadableInputError("the attached message is empty")
    data = part.get_payload(decode=True)
    if not isinstance(data, bytes):
        raise UnreadableInputError("the attachment holds nothing")
    return data


def _message_draft(raw: bytes) -> tuple[ReleaseDraft, EmailMessage]:
    try:
        message = BytesParser(policy=email.policy.default).parsebytes(_bounded_headers(raw))
        assert isinstance(message, EmailMessage)
        if not message.keys():
            raise UnreadableInputError("not an e-mail message (no readable headers)")
        subject = _header(message, "subject")
        sender = _header(message, "from")
        date = _date(_header(message, "date"))
        message_id = _header(message, "message-id")
        body = _body(message)
        attachments = _attachments(message)
    except UnreadableInputError:
        raise
    except Exception as e:  # malformed headers and parts raise many kinds
        raise UnreadableInputError(f"cannot read this message ({describe(e)})") from None
    if not body.strip() and not subject:
        raise UnreadableInputError("the message has no text")
    draft = ReleaseDraft(
        title=subject,
        body=body if body.strip() else subject,
        date=date,
        source=sender,
        notes=_notes(attachments),
        record=f"Message-ID: {message_id}" if message_id else "",
    )
    return draft, message


def _bounded_headers(raw: bytes) -> bytes:
    """`raw` with every header line (of the message and of its MIME parts) cut at
    MAX_HEADER_LINE_BYTES: the structured parser takes time that grows with the square of a
    header's length (a Content-Type of 20,000 parameters: 20 seconds)."""
    if len(raw) < MAX_HEADER_LINE_BYTES:
        return raw
    lines = raw.split(b"\n")
    in_headers = True
    changed = False
    for i, line in enumerate(lines):
        if in_headers and not line.strip(b"\r"):
            in_headers = False
        elif line.startswith(b"--"):
            in_headers = True  # a MIME boundary: the part's headers follow
        elif in_headers and len(line) > MAX_HEADER_LINE_BYTES:
            lines[i] = line[:MAX_HEADER_LINE_BYTES]
            changed = True
    return b"\n".join(lines) if changed else raw


def _header(message: EmailMessage, name: str) -> str:
    raw = next((str(v) for k, v in message.raw_items() if k.lower() == name), None)
    if raw is None:
        return ""
    if len(raw) > MAX_PARSED_HEADER_CHARS:
        # The structured parser takes time that grows with the square of the length (a From:
        # of 60,000 addresses: minutes); a header this long is read as it was written.
        return one_line(_decoded(raw[:MAX_PARSED_HEADER_CHARS]))
    try:
        value = message.get(name)
    except Exception:  # a header the policy cannot parse is read as written
        return one_line(_decoded(raw))
    return one_line(str(value or ""))


def _decoded(raw: str) -> str:
    """A header value with its encoded words decoded, without the structured parser."""
    try:
        return str(make_header(decode_header(raw)))
    except (LookupError, ValueError, UnicodeError, email.errors.HeaderParseError):
        return raw


def _date(value: str) -> str | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return parse_date_value(value)


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, KeyError, AttributeError):  # an unknown charset
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        content = content.decode("utf-8", errors="replace") if isinstance(content, bytes) else ""
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def _attachments(message: EmailMessage) -> tuple[list[str], int]:
    names: list[str] = []
    count = 0
    for part in message.iter_attachments():
        count += 1
        if len(names) < MAX_LISTED_ATTACHMENTS:
            names.append(one_line(part.get_filename() or part.get_content_type()))
    return names, count


def _notes(attachments: tuple[list[str], int]) -> str:
    notes: list[str] = []
    names, count = attachments
    if count:
        more = f" and {count - len(names):,} more" if count > len(names) else ""
        notes.append(f"Attachments ({count:,}): {', '.join(names)}{more}")
    return "\n".join(notes)


def read_msg(ctx: ReadContext) -> Iterator[ReleaseDraft | RowError]:
    """An Outlook message (.msg, read with extract-msg), and its importable attachments
    (messages attached inside are named, not read)."""
    import extract_msg

    read_bytes(ctx.path, ctx.limit_mb)  # the size and the kind of file are checked first
    try:
        message: Any = extract_msg.openMsg(str(ctx.path))
    except Exception as e:  # extract-msg raises many kinds on damaged or other files
        raise UnreadableInputError(f"cannot read this Outlook message ({describe(e)})") from None
    try:
        body = message.body or ""
        if not body.strip() and getattr(message, "htmlBody", None):
            html = message.htmlBody
            body = html_to_text(
                html.decode("utf-8", "replace") if isinstance(html, bytes) else html
            )
        sent = message.date
        names = [one_line(str(a.getFilename() or "")) for a in message.attachments]
        message_id = one_line(message.messageId or "")
        draft = ReleaseDraft(
            title=one_line(message.subject or ""),
            body=body,
            date=sent.date().isoformat() if sent is not None else None,
            source=one_line(message.sender or ""),
            notes=_notes((names[:MAX_LISTED_ATTACHMENTS], len(names))),
            record=f"Message-ID: {message_id}" if message_id else "message",
        )
        # Read before the file is closed; the file's size limit bounds them.
        attachments = [
            Attachment(name, _msg_type(a), functools.partial(_msg_bytes, a.data))
            for name, a in zip(names, message.attachments, strict=True)
        ]
    except Exception as e:
        raise UnreadableInputError(f"cannot read this Outlook message ({describe(e)})") from None
    finally:
        message.close()
    if not draft.body.strip():
        raise UnreadableInputError("the message has no text")
    yield draft
    yield from attachment_items(attachments, draft, ctx.options, 0, message_items)


def _msg_type(attachment: Any) -> str:
    mimetype = getattr(attachment, "mimetype", None)
    return mimetype if isinstance(mimetype, str) else ""


def _msg_bytes(data: Any) -> bytes:
    if not isinstance(data, bytes):
        raise UnreadableInputError("an Outlook item attached to the message is not read")
    return data


EML = ImportFormat("eml", "E-mail message", (".eml",), 64, read_eml)
MBOX = ImportFormat("mbox", "Mailbox (mbox)", (".mbox",), 8192, read_mbox)
MSG = ImportFormat("msg", "Outlook message", (".msg",), 64, read_msg)

"""E-mail: .eml, .mbox (every message, one at a time) and .msg, one release per message with
subject, sender, date and Message-ID; HTML parts through the HTML extraction."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, RowError, attachments, mail, read_file
from archive_browser.core.importers.registry import ReadContext
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F


def items(path: Path) -> list[ReleaseDraft | RowError]:
    return list(read_file(path, ImportOptions()))


def test_eml_subject_sender_date_and_message_id(tmp_path: Path) -> None:
    msg = F.message(
        "Заявление министров",
        "Министры иностранных дел встретились в Москве.\n",
        sender="Пресс-служба <press@example.org>",
        when=datetime(2022, 3, 4, 23, 30, tzinfo=UTC),
    )
    (draft,) = items(F.eml_file(tmp_path / "m.eml", msg))
    assert isinstance(draft, ReleaseDraft)
    assert draft.title == "Заявление министров"
    assert draft.source == "Пресс-служба <press@example.org>"
    assert draft.date == "2022-03-04"
    assert draft.record == f"Message-ID: {msg['Message-ID']}"
    assert "Message-ID" not in draft.notes
    assert draft.body == "Министры иностранных дел встретились в Москве."


def test_the_plain_part_is_preferred_and_html_alone_is_extracted(tmp_path: Path) -> None:
    both = F.message("Both", "The plain text wins.", html="<p>The HTML loses.</p>")
    (draft,) = items(F.eml_file(tmp_path / "a.eml", both))
    assert isinstance(draft, ReleaseDraft) and draft.body == "The plain text wins."
    html = F.message(
        "HTML", "", html="<html><body><nav>Menu</nav><p>Ministers met in Moscow.</p></body></html>"
    )
    (draft,) = items(F.eml_file(tmp_path / "b.eml", html))
    assert isinstance(draft, ReleaseDraft)
    assert "Ministers met in Moscow." in draft.body and "<p>" not in draft.body


def test_quoted_replies_are_kept_with_their_marks(tmp_path: Path) -> None:
    text = "We agree.\n\nOn 1 March the office wrote:\n> The summit is on Friday.\n> Confirm.\n"
    (draft,) = items(F.eml_file(tmp_path / "r.eml", F.message("Re: Summit", text)))
    assert isinstance(draft, ReleaseDraft)
    assert "> The summit is on Friday.\n> Confirm." in draft.body


def test_a_message_with_1000_attachments_is_one_release_naming_them(tmp_path: Path) -> None:
    msg = F.message("Documents", "See the documents attached.", attachments=1000)
    (draft,) = items(F.eml_file(tmp_path / "a.eml", msg))
    assert isinstance(draft, ReleaseDraft) and draft.body == "See the documents attached."
    assert "Attachments (1,000): part-0.bin, part-1.bin" in draft.notes
    assert f"and {1000 - mail.MAX_LISTED_ATTACHMENTS:,} more" in draft.notes


def test_every_message_of_an_mbox_and_from_lines_unescaped(tmp_path: Path) -> None:
    messages = [F.message(f"Note {i}", f"Text {i}.\nFrom the start of a line.\n") for i in range(5)]
    path = F.mbox_file(tmp_path / "box.mbox", messages)
    assert b"\n>From the start" in path.read_bytes()  # mailbox escapes it
    found = items(path)
    assert [d.title for d in found if isinstance(d, ReleaseDraft)] == [
        f"Note {i}" for i in range(5)
    ]
    assert all(
        "\nFrom the start of a line." in d.body for d in found if isinstance(d, ReleaseDraft)
    )


def test_an_mbox_of_100000_tiny_messages_is_split_one_at_a_time(tmp_path: Path) -> None:
    path = F.tiny_mbox(tmp_path / "big.mbox", 100_000)
    with open(path, "rb") as f:
        assert sum(1 for _ in mail._split_mbox(f)) == 100_000
    # Messages come as they are read, not after the whole file.
    first = list(itertools.islice(mail.read_mbox(ReadContext(path, ImportOptions(), 8192)), 3))
    assert [d.title for d in first if isinstance(d, ReleaseDraft)] == ["Note 0", "Note 1", "Note 2"]


def test_an_mbox_over_the_message_limit_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mail, "MAX_MBOX_MESSAGES", 10)
    found = items(F.tiny_mbox(tmp_path / "box.mbox", 25))
    assert len([d for d in found if isinstance(d, ReleaseDraft)]) == 10
    assert isinstance(found[-1], RowError) and "limit of 10" in found[-1].error


def test_a_broken_message_in_an_mbox_is_reported_and_the_rest_read(
    archive: Archive, tmp_path: Path
) -> None:
    path = tmp_path / "box.mbox"
    path.write_bytes(
        b"From a@example.org Thu Sep 16 10:30:00 2021\nSubject: Good one\n"
        b"Date: Thu, 16 Sep 2021 10:30:00 +0000\n\nMinisters met in Moscow.\n\n"
        b"From b@example.org Thu Sep 16 10:30:00 2021\n\n\n"
        b"From c@example.org Thu Sep 16 10:30:00 2021\nSubject: =?bogus?Q?x?=\n"
        b"Date: yesterday\nContent-Type: text/plain; charset=nonsense\n\n\xff\xfe Second text.\n"
    )
    report = run(archive.import_paths([path]))
    assert report is not None and len(report.imported_ids) == 2
    assert archive.search("moscow").total == 1
    assert archive.search("second").total == 1


def test_a_file_that_is_not_an_mbox_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.mbox"
    path.write_text("Subject: no From line\n\ntext", encoding="utf-8")
    with pytest.raises(UnreadableInputError, match="not an mbox"):
        items(path)


def test_a_damaged_msg_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "x.msg"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(UnreadableInputError, match="cannot read this Outlook message"):
        items(path)


@pytest.mark.parametrize(
    "raw",
    [
        b"From: " + b"a, " * 60_000 + b"\nSubject: Many senders\n\nThe text.",
        b"From: a@b.org\nSubject: Params\nContent-Type: text/plain; " + b"a=b; " * 20_000
        + b"\n\nThe text.",
        b"From: a@b.org\nSubject: " + b"word " * 40_000 + b"\n\nThe text.",
    ],
    ids=["60000-addresses", "20000-parameters", "200-KB-subject"],
)  # fmt: skip
def test_enormous_headers_are_cut_not_parsed_for_minutes(tmp_path: Path, raw: bytes) -> None:
    """The structured header parser is quadratic: unbounded, each of these took 20 s to
    minutes. Their text is still read."""
    path = tmp_path / "m.eml"
    path.write_bytes(raw)
    (draft,) = items(path)
    assert isinstance(draft, ReleaseDraft) and draft.body == "The text."
    assert len(draft.title) <= mail.MAX_PARSED_HEADER_CHARS


def _with(msg: object, name: str, data: bytes, ctype: str) -> None:
    maintype, subtype = ctype.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)  # type: ignore[attr-defined]


def test_importable_attachments_become_releases_part_of_their_message(tmp_path: Path) -> None:
    msg = F.message("Documents", "See the documents attached.")
    pdf = F.pdf_pages(tmp_path / "r.pdf", ["Summit in Dushanbe\n" + " ".join(F.EN)])
    docx = F.docx_file(tmp_path / "d.docx", "Заявление", [F.RU[0]], [["a", "b"]])
    _with(msg, "report.pdf", pdf.read_bytes(), "application/pdf")
    _with(msg, "logo.png", b"\x89PNG", "image/png")  # not importable: only named
    _with(msg, "statement.docx", docx.read_bytes(), "application/octet-stream")
    _with(msg, "page.html", F.html_page("Page", [F.EN[1]]).encode(), "text/html")
    nested = F.message("Fwd: notes", "Forwarded notes about Bishkek.")
    msg.add_attachment(nested)  # message/rfc822, no file name
    found = items(F.eml_file(tmp_path / "m.eml", msg))
    assert all(isinstance(d, ReleaseDraft) for d in found), found
    message, report, statement, page, forwarded = found
    assert isinstance(message, ReleaseDraft)
    mid = f"Message-ID: {msg['Message-ID']}"
    assert (message.record, message.part_of) == (mid, "")
    assert "report.pdf, logo.png, statement.docx, page.html" in message.notes
    got = [(d.record, d.part_of, d.orig_format) for d in found[1:]]  # type: ignore[union-attr]
    assert got == [
        (f"{mid} attachment 1: report.pdf; page 1", mid, "pdf"),
        (f"{mid} attachment 3: statement.docx", mid, "docx"),
        (f"{mid} attachment 4: page.html", mid, "html"),
        (f"{mid} attachment 5: message/rfc822; Message-ID: {nested['Message-ID']}", mid, "eml"),
    ]
    assert isinstance(report, ReleaseDraft) and "English paragraph 6" in report.body
    assert isinstance(statement, ReleaseDraft) and "Русский абзац 1" in statement.body
    assert isinstance(forwarded, ReleaseDraft) and forwarded.title == "Fwd: notes"
    assert report.source == message.source  # the sender, when the attachment names none
    assert isinstance(page, ReleaseDraft) and page.date == message.date  # it has none


def test_a_broken_attachment_is_an_error_and_the_message_is_imported(
    archive: Archive, tmp_path: Path
) -> None:
    msg = F.message("Documents", "Ministers met in Moscow.")
    _with(msg, "broken.pdf", b"%PDF-1.4 not really", "application/pdf")
    _with(msg, "notes.txt", b"Delegation arrived in Bishkek.", "text/plain")
    found = items(F.eml_file(tmp_path / "m.eml", msg))
    errors = [d for d in found if isinstance(d, RowError)]
    assert len(errors) == 1 and "attachment 1: broken.pdf" in errors[0].where
    assert "PDF" in errors[0].error
    report = run(archive.import_paths([tmp_path / "m.eml"]))
    assert report is not None and len(report.imported_ids) == 2
    assert archive.search("moscow").total == 1 and archive.search("bishkek").total == 1
    (failed,) = report.failures
    assert "broken.pdf" in failed[1]


def test_a_message_with_1000_importable_attachments_reads_a_bounded_number(
    tmp_path: Path,
) -> None:
    msg = F.message("Notes", "A thousand notes attached.")
    for i in range(1000):
        _with(msg, f"note-{i}.txt", f"Note number {i} about Bishkek.".encode(), "text/plain")
    found = items(F.eml_file(tmp_path / "a.eml", msg))
    drafts = [d for d in found if isinstance(d, ReleaseDraft)]
    assert len(drafts) == 1 + attachments.MAX_READ_ATTACHMENTS
    assert drafts[-1].body == f"Note number {attachments.MAX_READ_ATTACHMENTS - 1} about Bishkek."
    (error,) = [d for d in found if isinstance(d, RowError)]
    assert f"{1000 - attachments.MAX_READ_ATTACHMENTS:,} more importable attachments" in (
        error.error
    )


def test_messages_attached_inside_messages_are_read_only_so_deep(tmp_path: Path) -> None:
    inner = F.message("Depth 0", "The innermost text.")
    for depth in range(1, 6):
        outer = F.message(f"Depth {depth}", f"Text at depth {depth}.")
        outer.add_attachment(inner)
        inner = outer
    found = items(F.eml_file(tmp_path / "deep.eml", inner))
    titles = [d.title for d in found if isinstance(d, ReleaseDraft)]
    assert titles == ["Depth 5", "Depth 4", "Depth 3", "Depth 2"]
    (error,) = [d for d in found if isinstance(d, RowError)]
    assert f"nested more than {attachments.MAX_NESTED_MESSAGES} deep" in error.error
    # The deepest read one names its place through every message around it.
    last = [d for d in found if isinstance(d, ReleaseDraft)][-1]
    assert last.record.count("attachment 1") == 3 and last.part_of.count("attachment 1") == 2


def test_an_oversized_attachment_is_reported_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(attachments, "MAX_ATTACHMENT_MB", 1)
    msg = F.message("Big", "A big file attached.")
    _with(msg, "big.txt", b"word " * 300_000, "text/plain")
    found = items(F.eml_file(tmp_path / "big.eml", msg))
    assert isinstance(found[0], ReleaseDraft) and len(found) == 2
    assert isinstance(found[1], RowError) and "too large" in found[1].error


def test_attachments_of_every_message_of_an_mbox(tmp_path: Path) -> None:
    messages = []
    for i in range(3):
        msg = F.message(f"Note {i}", f"Text {i}.")
        _with(msg, "a.txt", f"Attached text {i}.".encode(), "text/plain")
        messages.append(msg)
    found = items(F.mbox_file(tmp_path / "box.mbox", messages))
    assert [d.title for d in found if isinstance(d, ReleaseDraft)] == [
        "Note 0", "Attached text 0.", "Note 1", "Attached text 1.", "Note 2", "Attached text 2.",
    ]  # fmt: skip
    assert found[3].part_of == f"Message-ID: {messages[1]['Message-ID']}"  # type: ignore[union-attr]


def test_a_real_outlook_message_and_its_attached_file(tmp_path: Path) -> None:
    found = items(F.MSG_FIXTURES / "outlook-attachment.msg")
    assert all(isinstance(d, ReleaseDraft) for d in found), found
    message, attached = found
    assert isinstance(message, ReleaseDraft) and isinstance(attached, ReleaseDraft)
    assert message.body == "Mail with attachment and no subject."
    assert message.record == "message"  # it has no Message-ID
    assert "Attachments (1): myAttachement.txt" in message.notes
    assert attached.body == "This is some basic content of attached file."
    assert (attached.record, attached.part_of, attached.orig_format) == (
        "message attachment 1: myAttachement.txt",
        "message",
        "text",
    )


def test_every_attached_file_of_a_msg_written_by_jotlmsg(tmp_path: Path) -> None:
    found = items(F.MSG_FIXTURES / "with-attachments-2.msg")
    assert isinstance(found[0], ReleaseDraft) and found[0].title == "This is a message"
    assert [d.record for d in found[1:]] == [  # type: ignore[union-attr]
        "message attachment 1: message.txt",
        "message attachment 2: message2.txt",
        "message attachment 3: message3.txt",
    ]

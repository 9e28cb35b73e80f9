"""Saved feeds: RSS 2.0, Atom and RSS 1.0 (RDF), one release per entry with its link, date,
content through the HTML extraction and its id."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, RowError, read_file
from archive_browser.core.model import ReleaseDraft
from tests.fixtures import formats as F

CONTENT = "<p>Ministers met in <b>Moscow</b> and discussed security.</p><p>Second paragraph.</p>"


def drafts(path: Path) -> list[ReleaseDraft]:
    found = list(read_file(path, ImportOptions()))
    assert all(isinstance(d, ReleaseDraft) for d in found), found
    return found  # type: ignore[return-value]


def test_rss_entries_with_link_date_and_text(tmp_path: Path) -> None:
    path = F.rss_file(
        tmp_path / "news.rss",
        [
            ("Ministers meet", "https://example.org/1", "Thu, 16 Sep 2021 10:00:00 +0000", CONTENT),
            ("Встреча в Душанбе", "https://example.org/2", "Fri, 17 Sep 2021 09:00:00 +0300",
             "<p>Главы государств обсудили безопасность.</p>"),
        ],
    )  # fmt: skip
    first, second = drafts(path)
    assert (first.title, first.url, first.date) == (
        "Ministers meet",
        "https://example.org/1",
        "2021-09-16",
    )
    assert first.body == "Ministers met in Moscow and discussed security.\n\nSecond paragraph."
    assert first.source == "CSTO press" and first.record == "entry id: https://example.org/1#id"
    assert second.record == "entry id: https://example.org/2#id" and not first.notes
    assert second.language == "ru" and second.date == "2021-09-17"


def test_atom_and_rdf_feeds(tmp_path: Path) -> None:
    (atom,) = drafts(
        F.atom_file(
            tmp_path / "a.atom", [("Atom", "https://e.org/a", "2022-02-24T06:00:00Z", CONTENT)]
        )
    )
    assert (atom.url, atom.date, atom.record, atom.notes) == (
        "https://e.org/a",
        "2022-02-24",
        "entry id: urn:x:0",
        "",
    )
    (rdf,) = drafts(
        F.rdf_file(
            tmp_path / "a.rdf", [("RDF", "https://e.org/r", "2020-01-02", "Plain words here")]
        )
    )
    assert (rdf.title, rdf.date, rdf.body) == ("RDF", "2020-01-02", "Plain words here")
    assert rdf.record == "entry id: https://e.org/r"  # an RDF item's rdf:about


def test_an_entry_without_text_or_title_is_reported_and_the_others_read(tmp_path: Path) -> None:
    path = F.rss_file(
        tmp_path / "f.rss",
        [("", "https://e.org/0", "", ""), ("Kept", "javascript:alert(1)", "", "<p>Text</p>")],
    )
    error, kept = list(read_file(path, ImportOptions()))
    assert isinstance(error, RowError) and error.where == "entry 1"
    assert isinstance(kept, ReleaseDraft) and kept.url == ""  # no address to go to


@pytest.mark.parametrize("content", [b"", b"<html><body>not a feed</body></html>", b"\xff\xfe\0<"])
def test_a_file_that_is_no_feed_is_reported(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.rss"
    path.write_bytes(content)
    with pytest.raises(UnreadableInputError, match="feed"):
        list(read_file(path, ImportOptions()))

"""Paragraph reuse in the reader, the Translations panel, and the diff summary above two
releases read side by side."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from archive_browser.core.archive import Archive
from archive_browser.core.lineage.reuse import split_paragraphs
from tests.corpus_rows import draft, rows
from tests.gui.helpers import search

MEMORY = "Eternal memory to all who gave their lives for Ukraine!"


def select(qtbot, window, release_id: int) -> None:
    row = window.model.row_of(release_id)
    assert row is not None
    window.select_rows([row])
    qtbot.waitUntil(lambda: window.current_id() == release_id, timeout=5000)


def format_at(reader, position: int):
    cursor = QTextCursor(reader.browser.document())
    cursor.setPosition(reader.body_offset + position + 1)
    return cursor.charFormat()


def test_a_reused_paragraph_is_marked_and_lists_its_releases(
    qtbot, make_window, tmp_path: Path, corpus: Path
) -> None:
    folder = tmp_path / "a"
    holders = [r for r in rows(corpus, "zelenskyy") if MEMORY in r["body"]][:3]
    with Archive.open(folder) as archive:
        ids, _ = archive.add_releases([draft(r) for r in [*holders, rows(corpus, "putin")[5]]])
    window = make_window(folder)
    feature = window.features.reuse
    last = ids[2]
    select(qtbot, window, last)
    qtbot.waitUntil(lambda: bool(feature.reused), timeout=10000)
    body = window.reader.release.body
    start = body.index(MEMORY)
    fmt = format_at(window.reader, start)
    (entry,) = feature.reused.values()
    assert fmt.anchorHref() == f"reuse:{entry.position}"
    first = min(holders, key=lambda r: r["date"])["date"][:10]
    assert fmt.toolTip().startswith(
        f"This paragraph also appears in 2 other releases, first on {first}"
    )
    # The other paragraphs carry no mark.
    other = next(s for s, e in split_paragraphs(body) if MEMORY not in body[s:e])
    assert not format_at(window.reader, other).isAnchor()
    # A click on the marked line lists the three releases.
    browser = window.reader.browser
    cursor = QTextCursor(browser.document())
    cursor.setPosition(window.reader.body_offset + start + 3)
    browser.setTextCursor(cursor)
    browser.ensureCursorVisible()
    point = browser.cursorRect(cursor).center()
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: window.features.results.idle, timeout=10000)
    shown = {window.model.id_at(r) for r in range(window.model.rowCount())}
    assert shown == set(ids[:3])
    assert window.recorded.messages == []


def test_a_line_in_thousands_of_releases_lists_what_a_query_holds(
    tmp_path: Path, sample: Path
) -> None:
    from archive_browser.gui.features.reuse import ids_query

    query, listed = ids_query(list(range(10_000, 15_000)))
    assert 100 < listed < 5000 and query.startswith("id:10000 OR id:10001 OR ")
    with Archive.open(tmp_path / "a") as archive:
        from archive_browser.core.jobs import run

        run(archive.import_paths([sample]))
        assert archive.search(query, limit=None).total == 0  # parsed, not too long
        assert archive.search(ids_query([2, 4])[0], limit=None).total == 2


def test_older_releases_are_hashed_when_the_archive_opens(
    qtbot, make_window, tmp_path: Path, corpus: Path
) -> None:
    folder = tmp_path / "old"
    holders = [r for r in rows(corpus, "zelenskyy") if MEMORY in r["body"]][:2]
    with Archive.open(folder) as archive:
        archive.add_releases([draft(r) for r in holders])
    db = sqlite3.connect(folder / "archive.sqlite3")
    with db:
        db.execute("DELETE FROM paragraph_hashes")
        db.execute("DELETE FROM paragraph_done")  # as an archive of before the table
    db.close()
    window = make_window(folder)
    qtbot.waitUntil(lambda: window.context.archive.paragraphs_missing() == 0, timeout=30000)
    qtbot.waitUntil(lambda: not window.context.jobs.busy, timeout=30000)
    found = window.context.archive.paragraph_reuse(2)
    assert [p.ids for p in found if MEMORY in p.text] == [[1]]


def test_translations_panel_confirms_and_reads_side_by_side(
    qtbot, make_window, sample_archive: Path
) -> None:
    window = make_window(sample_archive)
    feature = window.features.reuse
    archive = window.context.archive
    russian = next(r.id for r in archive.iter_releases() if r.title.startswith("Заседание"))
    english = next(r.id for r in archive.iter_releases() if r.title.startswith("Informal"))
    search(qtbot, window, "")
    window.context.actions.get("view.translations").trigger()
    assert feature.dock.isVisible()
    select(qtbot, window, russian)
    panel = feature.panel
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=10000)
    assert panel.list.item(0).text().startswith("likely · en · 2013-05-28 · Informal meeting")
    assert "names in common" in panel.list.item(0).toolTip()
    qtbot.mouseClick(panel.confirm, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.list.count() == 1 and "confirmed" in panel.list.item(0).text())
    assert [c.id for c in archive.translations(russian)] == [english]
    assert not panel.confirm.isEnabled() and panel.reject.isEnabled()
    qtbot.mouseClick(panel.side_by_side, Qt.MouseButton.LeftButton)
    assert window.reading.currentWidget() is window.compare
    assert [r.id for r in window.compare.releases] == [russian, english]
    # A translation shares almost no words with its original: no edits are named.
    summary = window.features.compare.summary.text()
    assert summary.startswith("Not versions: different texts"), summary


def test_the_diff_summary_says_what_an_office_changed(
    qtbot, make_window, tmp_path: Path, corpus: Path
) -> None:
    row = next(r for r in rows(corpus, "putin") if 1500 < len(r["body"]) < 4000)
    body = "\n\n".join(
        row["body"][s:e] for s, e in split_paragraphs(row["body"])
    )  # one sentence a paragraph, as a site with paragraphs would give it
    paragraphs = body.split("\n\n")
    assert len(paragraphs) >= 3
    edited = "\n\n".join(paragraphs[:-1])  # the last paragraph dropped
    edited = edited.replace(" the ", " teh ", 1)
    folder = tmp_path / "v"
    with Archive.open(folder) as archive:
        ids, _ = archive.add_releases(
            [draft(row, body=body), draft(row, body=edited, title="Corrected")]
        )
    window = make_window(folder)
    window.features.compare.open(ids[0], ids[1])
    assert window.features.compare.summary.text() == (
        "Retraction-like: 1 paragraph removed, 1 word corrected"
    )
    window.compare.swap()  # read the other way: a paragraph added
    assert window.features.compare.summary.text() == (
        "Substantive: 1 paragraph added, 1 word corrected"
    )

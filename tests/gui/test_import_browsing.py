"""Browsing while an import runs: stored releases listed at once, the phase named, a note on
what is not searchable yet; after it ends, the same results as a fresh process."""

from __future__ import annotations

from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import Progress
from archive_browser.core.search import Filter
from archive_browser.gui.results_model import Column
from tests.gui.helpers import search


def test_browsable_while_importing_and_equal_to_a_fresh_process_after(
    qtbot, make_window, tmp_path: Path, corpus: Path
) -> None:
    folder = tmp_path / "big"
    window = make_window(folder)
    results = window.features.results
    seen: list[Progress] = []
    window.context.jobs.progressed.connect(seen.append)
    # Recorded from the start: the import may end during any of the steps below.
    ended: list[object] = []
    window.job_finished.connect(ended.append)
    window.features.importing.start([corpus / "zelenskyy.csv", corpus / "putin.csv"], preview=False)
    assert window.context.jobs.busy
    # Stored releases are listed while the import goes on, newest first.
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and window.context.jobs.busy, timeout=60000)
    assert "stored ·" in window.count_label.text()
    if window.context.jobs.busy:
        dates = [window.archive.get(i).date or "" for i in window.model.ids()[:50]]
        assert dates == sorted(dates, reverse=True)
    # A text query says that the newest releases are not searchable yet.
    search(qtbot, window, "Ukraine")
    job_running = window.context.jobs.busy
    if job_running:
        assert results.note.isVisible() and "not searchable yet" in results.note.text()
    # Facets narrow what is listed while importing.
    search(qtbot, window, "")
    qtbot.waitUntil(
        lambda: bool(window.facets.items("year")) or not window.context.jobs.busy, timeout=60000
    )
    years = window.facets.items("year")
    assert years  # counted while importing, or at the end
    if window.context.jobs.busy:
        year = next(iter(years))
        with qtbot.waitSignal(window.search_finished, timeout=20000):
            window.search.add_filter(Filter("year", year))
        assert all(
            (window.archive.get(i).date or "").startswith(year) for i in window.model.ids()[:30]
        )
        window.features.results.clear_filters()
    qtbot.waitUntil(lambda: bool(ended), timeout=240000)
    [report] = ended
    assert report is not None and not getattr(report, "cancelled", True)
    # One bar through reading, storing and indexing, each phase named, never going back.
    messages = [p.message for p in seen]
    assert any(m.startswith("Storing putin.csv") and "stored" in m for m in messages)
    assert any(m.startswith("Indexing") for m in messages)
    fractions = [p.fraction for p in seen if p.fraction is not None]
    assert fractions == sorted(fractions)
    reading = [
        p.fraction for p in seen if p.message.startswith(("Reading", "Storing")) and p.fraction
    ]
    assert len(set(reading)) > 3  # it moves while a file is read, not only after it
    # After the import: the note is gone and the results equal a fresh process's.
    qtbot.waitUntil(lambda: results.idle, timeout=20000)
    search(qtbot, window, "Ukraine")
    qtbot.waitUntil(lambda: not results.note.isVisible(), timeout=10000)
    assert "releases in big" in window.count_label.text()
    with Archive.open(folder, readonly=True) as fresh:
        expected = fresh.search("Ukraine", limit=None)
    assert window.model.ids()[:20] == expected.ids[:20]
    shown = [window.model.index(r, Column.SCORE).data() for r in range(20)]
    assert shown == [f"{s:.2f}" for s in expected.scores[:20]]

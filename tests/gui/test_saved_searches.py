"""Saved searches, with the results and saved-search features built alone."""

from __future__ import annotations

from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.changes import Changes
from archive_browser.core.search import Filter, SearchSpec
from archive_browser.gui.features.saved_searches import SavedSearchesFeature
from archive_browser.gui.features.searching import ResultsFeature
from tests.gui.helpers import type_query


def test_saved_searches_are_stored_counted_renamed_and_deleted(
    qtbot, make_context, sample_archive: Path
) -> None:
    ctx = make_context(sample_archive)
    results = ResultsFeature(ctx)
    saved = SavedSearchesFeature(ctx, results)
    panel = saved.panel
    ctx.archive_opened.emit()
    with qtbot.waitSignal(results.search_finished, timeout=20000):
        ctx.changes_made.emit(Changes.all())
    type_query(qtbot, results, "CSTO")
    results.search.add_filter(Filter("year", "2024"))
    qtbot.waitUntil(lambda: results.search.count.text() == "2 releases", timeout=10000)
    saved.save("CSTO 2024", results.search.spec())
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=10000)
    qtbot.waitUntil(lambda: "(2)" in panel.list.item(0).text(), timeout=10000)
    saved.save("Russian", SearchSpec("", (Filter("language", "ru"),)))
    qtbot.waitUntil(lambda: panel.list.count() == 2, timeout=10000)
    # Running a saved search restores its query and filters.
    results.search.set_spec(SearchSpec("elka"))
    with qtbot.waitSignal(results.search_finished, timeout=10000):
        saved.use(panel.search(panel.ids()[0]))
    assert results.search.edit.text() == "CSTO" and results.search.filters() == (
        Filter("year", "2024"),
    )
    # Reorder: the order is kept in the archive.
    ids = panel.ids()
    saved.reorder(list(reversed(ids)))
    qtbot.waitUntil(lambda: ctx.archive.saved_searches()[0].name == "Russian", timeout=10000)
    qtbot.waitUntil(lambda: panel.list.item(0).text().startswith("Russian"), timeout=10000)
    saved.do_rename(panel.search(panel.ids()[0]), "In Russian")
    qtbot.waitUntil(lambda: panel.list.item(0).text().startswith("In Russian"), timeout=10000)
    saved.delete(panel.search(panel.ids()[0]))
    assert ctx.recorded.questions == ["Delete “In Russian”?"]
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=10000)
    assert panel.list.item(0).text().startswith("CSTO 2024")


def test_saved_search_order_survives_reopening_the_window(
    qtbot, make_window, sample_archive: Path
) -> None:
    with Archive.open(sample_archive) as archive:
        archive.save_search("First", SearchSpec("CSTO"))
        archive.save_search("Second", SearchSpec("", (Filter("language", "ru"),)))
    window = make_window(sample_archive)
    qtbot.waitUntil(lambda: window.saved.list.count() == 2, timeout=10000)
    window.features.saved.reorder(list(reversed(window.saved.ids())))
    qtbot.waitUntil(lambda: window.archive.saved_searches()[0].name == "Second", timeout=10000)
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.open_archive(window.archive.folder)
    qtbot.waitUntil(lambda: window.saved.list.count() == 2, timeout=10000)
    assert window.saved.list.item(0).text().startswith("Second")
    csto = window.archive.run_search(SearchSpec("CSTO")).total
    qtbot.waitUntil(lambda: f"({csto})" in window.saved.list.item(1).text(), timeout=10000)


def test_saved_searches_need_a_writable_archive(qtbot, make_window, sample_archive: Path) -> None:
    window = make_window(sample_archive)
    assert window.action("search.save").isEnabled()
    window.close_archive()
    assert not window.action("search.save").isEnabled()

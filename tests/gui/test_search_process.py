"""Searches in a process of their own (a big archive): the window shows what a read thread
would have shown, facets follow a change made by the window, and the process ends with it."""

from __future__ import annotations

import time

from archive_browser.core.changes import Changes
from archive_browser.core.search import SearchSpec
from archive_browser.core.search_process import SearchProcess
from archive_browser.gui.results_model import Column, Role
from tests.gui.helpers import search, titles


def _shown(window) -> tuple[list[str], str, dict[str, int], dict[str, int]]:
    facets = window.features.results.facets
    return (
        titles(window.model),
        window.search.count.text(),
        facets.items("year"),
        facets.items("source"),
    )


def _ready(window) -> SearchProcess:
    """Makes the window search this (small) archive as a big one, and waits for its
    process."""
    results = window.features.results
    results.process_min_releases = 0
    process = results._search_process(window.archive)
    assert process is not None
    process.start()
    generation = window.archive.data_generation
    # (Not ready yet, it answers None and the window searches on a read thread itself.)
    deadline = time.monotonic() + 60
    while process.search(SearchSpec("summit"), generation) is None:
        assert time.monotonic() < deadline, "the search process never became ready"
        time.sleep(0.05)
    return process


def test_a_small_archive_searches_on_a_read_thread(qtbot, window) -> None:
    search(qtbot, window, "Bishkek")
    assert len(titles(window.model)) == 1
    assert window.features.results._process is None


def test_the_search_process_shows_what_a_read_thread_shows(qtbot, window) -> None:
    queries = ["Bishkek", "security OR cooperation", "member states"]
    on_thread = {}
    for q in queries:
        search(qtbot, window, q)
        on_thread[q] = _shown(window)
    process = _ready(window)
    for q in queries:
        before = process.answered
        search(qtbot, window, q)
        assert process.answered > before  # this answer came from the process
        assert _shown(window) == on_thread[q]
    # Snippets of what is shown come from it too, hits marked.
    search(qtbot, window, "Bishkek")
    model = window.model
    model.data(model.index(0, Column.TITLE))  # the view asks for the row: its snippet is asked
    qtbot.waitUntil(
        lambda: "Bishkek" in (model.data(model.index(0, Column.TITLE), Role.SNIPPET_HTML) or ""),
        timeout=20000,
    )
    assert "<span" in model.data(model.index(0, Column.TITLE), Role.SNIPPET_HTML)


def test_facets_from_the_process_follow_a_tag_the_window_added(qtbot, window) -> None:
    process = _ready(window)
    search(qtbot, window, "Bishkek")
    assert "summit-2024" not in window.features.results.facets.items("tag")
    release_id = window.model.id_at(0)
    window.archive.tag([release_id], ["summit-2024"])
    before = process.answered
    with qtbot.waitSignal(window.search_finished, timeout=20000):
        window.context.changes_made.emit(Changes.of_tags([release_id]))
    assert process.answered > before
    assert window.features.results.facets.items("tag") == {"summit-2024": 1}


def test_the_search_process_ends_with_the_archive(qtbot, window) -> None:
    process = _ready(window)
    assert process.running
    window.close_archive()
    assert not process.running
    assert window.features.results._process is None


def test_after_a_job_rebuilt_the_index_a_fresh_process_answers(qtbot, window) -> None:
    from archive_browser.gui.background import reindex_job

    old = _ready(window)
    child = old._process
    with qtbot.waitSignal(window.job_finished, timeout=60000):
        window.run_job(reindex_job(window.archive), "Rebuilding the index")
    qtbot.waitUntil(lambda: old._process is not None and old._process is not child, timeout=20000)
    deadline = time.monotonic() + 60
    while old.search(SearchSpec("Bishkek"), window.archive.data_generation) is None:
        assert time.monotonic() < deadline, "no fresh search process after the job"
        time.sleep(0.05)
    before = old.answered
    search(qtbot, window, "Bishkek")
    assert old.answered > before and len(titles(window.model)) == 1

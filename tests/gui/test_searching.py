"""Search and results, built alone on a real archive, driven through the search box."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter

from archive_browser.core.changes import Changes
from archive_browser.core.search import Filter
from archive_browser.gui.features.searching import ResultsFeature
from archive_browser.gui.results_model import Column, ResultsModel, Role
from tests.gui.helpers import titles, type_query

BISHKEK = "Informal meeting of the heads of the CSTO member states"


@pytest.fixture
def results(qtbot, make_context, sample_archive: Path) -> ResultsFeature:
    ctx = make_context(sample_archive)
    results = ResultsFeature(ctx)
    body = QSplitter()
    body.addWidget(results.facets)
    body.addWidget(results.table)
    ctx.window.setCentralWidget(body)
    ctx.window.setMenuWidget(results.search)
    ctx.archive_opened.emit()
    with qtbot.waitSignal(results.search_finished, timeout=20000):
        ctx.changes_made.emit(Changes.all())
    return results


def test_typing_a_query_shows_matching_rows_with_snippets(qtbot, results) -> None:
    assert results.model.rowCount() == 8  # everything before a query
    type_query(qtbot, results, "Bishkek")
    assert len(titles(results.model)) == 1 and titles(results.model)[0].startswith(BISHKEK)
    assert results.search.count.text() == "1 release"
    # Snippets are cut on a worker and filled in when they arrive.
    index = results.model.index(0, Column.TITLE)
    qtbot.waitUntil(lambda: bool(results.model.data(index, Role.SNIPPET_HTML)), timeout=5000)
    snippet = results.model.data(index, Role.SNIPPET_HTML)
    assert '<span style="background-color:#ffe066;">Bishkek</span>' in snippet
    assert results.selected_ids() == [results.model.id_at(0)]


def test_russian_query(qtbot, results) -> None:
    type_query(qtbot, results, "заседания")
    assert titles(results.model) == ["Заседание Совета коллективной безопасности ОДКБ в Бишкеке"]
    type_query(qtbot, results, "елка")
    assert titles(results.model) == ["Новогодняя ёлка в штаб-квартире ОДКБ"]


def test_malformed_query_shows_a_message_and_keeps_results(qtbot, results) -> None:
    type_query(qtbot, results, "CSTO")
    before = titles(results.model)
    results.search.edit.clear()
    qtbot.keyClicks(results.search.edit, '"unclosed')
    qtbot.waitUntil(lambda: results.search.error.isVisible(), timeout=5000)
    assert "quotation mark" in results.search.error.text()
    assert titles(results.model) == before
    qtbot.keyClicks(results.search.edit, '"')
    qtbot.waitUntil(lambda: not results.search.error.isVisible(), timeout=5000)


def test_clicking_a_facet_narrows_the_results(qtbot, results) -> None:
    facets = results.facets
    assert facets.items("year") == {"2024": 3, "2023": 1, "2013": 2}
    group = next(
        facets.topLevelItem(i)
        for i in range(facets.topLevelItemCount())
        if facets.topLevelItem(i).text(0) == "Years"
    )
    item = next(
        group.child(j) for j in range(group.childCount()) if group.child(j).text(0) == "2013"
    )
    rect = facets.visualItemRect(item)
    with qtbot.waitSignal(results.search_finished, timeout=10000):
        qtbot.mouseClick(facets.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert results.search.filters() == (Filter("year", "2013"),)
    assert results.search.chip_row.isVisible()
    assert len(titles(results.model)) == 2
    assert facets.items("year") == {"2013": 2}
    # Removing the chip removes the filter.
    chip = results.search.chips.itemAt(0).widget()
    with qtbot.waitSignal(results.search_finished, timeout=10000):
        qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert results.search.filters() == () and len(titles(results.model)) == 8


def test_sort_by_date(qtbot, results) -> None:
    with qtbot.waitSignal(results.search_finished, timeout=10000):
        results.search.sort.setCurrentIndex(results.search.sort.findData("date"))
    dates = [results.model.data(results.model.index(r, Column.DATE)) for r in range(8)]
    known = [d for d in dates if d]
    assert known == sorted(known) and dates[-1] == ""


def test_results_model_passes_qtmodeltester(qtmodeltester, results) -> None:
    qtmodeltester.check(results.model)
    empty = ResultsModel()
    qtmodeltester.check(empty)


def test_changes_to_some_releases_rerun_the_search_and_saved_search_changes_do_not(
    qtbot, results
) -> None:
    type_query(qtbot, results, "CSTO")
    answered = results.searches_answered
    results.ctx.changes_made.emit(Changes(saved_searches=True))
    assert results.idle and results.searches_answered == answered
    with qtbot.waitSignal(results.search_finished, timeout=10000):
        results.ctx.changes_made.emit(Changes.of_tags([results.model.id_at(0)]))
    assert results.searches_answered == answered + 1


def test_context_menu_holds_what_features_add(qtbot, results) -> None:
    picked: list[list[int]] = []
    results.add_menu_items(lambda ids: [("Pick", lambda: picked.append(ids)), None])
    results.select_rows([0, 1])
    menu = results.context_menu(results.selected_ids())
    entries = [a.text() for a in menu.actions()]
    assert entries == ["Pick", ""]
    menu.actions()[0].trigger()
    assert picked == [results.selected_ids()] and len(picked[0]) == 2

"""The window, when a search meets a damaged index: a clear message, and the index rebuilt."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.test_damaged_index import _garble, _postings_offset
from tests.gui.helpers import search


def test_search_meeting_a_damaged_index_rebuilds_it(qtbot, make_window, sample_archive: Path):
    _garble(*_postings_offset(sample_archive, "text", b"secur"), 200)
    window = make_window(sample_archive)
    search(qtbot, window, "security")
    assert "The search index is damaged; it is being rebuilt" in window.search.error.text()
    assert window.model.rowCount() == 8  # the last good results stay
    qtbot.waitUntil(lambda: window.context.jobs.current is None, timeout=60000)
    search(qtbot, window, "secur")
    search(qtbot, window, "security")
    assert not window.search.error.isVisible()
    assert window.model.rowCount() == 4

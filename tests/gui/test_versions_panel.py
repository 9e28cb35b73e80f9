"""The Versions panel, the results' version column and "first versions only", in the real
window on a real archive of edited real releases."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from archive_browser.gui.results_model import Column
from tests.conftest import CORPUS, shared_file
from tests.lineage_edits import make_version, read_releases, write_csv


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    rows = [
        r for r in read_releases(shared_file(CORPUS / "putin.csv"), 200) if len(r["body"]) > 1500
    ]
    originals = rows[:6]
    rng = random.Random(11)
    copies = [make_version(originals[0], k, rng) for k in ("typos", "re-posted")]
    copies.append(make_version(originals[1], "boilerplate", rng))
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        for name, part in (("o.csv", originals), ("v.csv", copies)):
            report = run(archive.import_paths([write_csv(tmp_path / name, part)]))
            assert report is not None and not report.failures
    return folder


def _select(window, qtbot, release_id: int) -> None:
    row = window.model.row_of(release_id)
    assert row is not None
    with qtbot.waitSignal(window.features.versions.shown, timeout=10000):
        window.select_rows([row])


def test_panel_lists_versions_and_opens_two_side_by_side(make_window, qtbot, folder, tmp_path):
    window = make_window(folder)
    archive = window.archive
    cluster = max(archive.clusters(), key=lambda c: len(c.ids))
    assert len(cluster.ids) == 3
    first, *later = cluster.ids
    _select(window, qtbot, later[0])
    panel = window.features.versions.panel
    assert panel.model.rowCount() == 3
    assert [
        panel.model.item(r, 0).data(Qt.ItemDataRole.UserRole + 1) for r in range(3)
    ] == cluster.ids
    assert panel.title.text().startswith("3 versions of this release · first seen")
    texts = [panel.model.item(r, 1).text() for r in range(3)]
    assert texts.count("this") == 1 and all(t == "this" or t.endswith("%") for t in texts)
    assert "first seen" in panel.model.item(0, 3).text()
    # The re-post shows its own source.
    sources = {panel.model.item(r, 2).text() for r in range(3)}
    assert "news.example.org" in sources

    # The results say how many versions each release has.
    row = window.model.row_of(first)
    cell = window.model.index(row, Column.VERSIONS).data()
    assert cell == "3 versions"

    if os.environ.get("ARCHIVE_BROWSER_SCREENSHOT"):
        window.grab().save(os.environ["ARCHIVE_BROWSER_SCREENSHOT"])

    # Select the first version and read it beside this one: the word diff is shown.
    panel.select_id(first)
    assert panel.compare_button.isEnabled()
    panel.compare_button.trigger()
    assert window.features.compare.showing
    left, right = window.compare.sides
    assert left.release.id == later[0] and right.release.id == first
    window.compare.show_diff.setChecked(True)
    diff = window.compare.diff
    assert diff is not None and (diff.only_left or diff.only_right)
    assert "words in common" in window.compare.similarity.text()


def test_not_a_version_and_first_versions_only(make_window, qtbot, folder):
    window = make_window(folder)
    archive = window.archive
    cluster = max(archive.clusters(), key=lambda c: len(c.ids))
    first, _second, third = cluster.ids
    _select(window, qtbot, first)
    panel = window.features.versions.panel
    panel.select_id(third)
    assert panel.split_button.isEnabled()
    with qtbot.waitSignal(window.features.versions.shown, timeout=10000):
        panel.split_button.trigger()
    assert panel.model.rowCount() == 2
    assert third not in [v.id for v in archive.versions(first).versions]

    total = archive.count()
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.features.versions.first_only.setChecked(True)
    later = {i for c in archive.clusters() for i in c.ids[1:]}
    assert window.model.rowCount() == total - len(later)
    assert not later & set(window.model.ids())
    assert window.search.count.text().startswith(f"{total - len(later)} release")
    with qtbot.waitSignal(window.search_finished, timeout=10000):
        window.features.versions.first_only.setChecked(False)
    assert window.model.rowCount() == total


def test_the_import_summary_opens_the_versions_of_a_possible_duplicate(
    make_window, qtbot, folder, tmp_path
):
    from archive_browser.gui.dialogs import ImportSummaryDialog

    window = make_window(folder)
    original = read_releases(shared_file(CORPUS / "putin.csv"), 200)[3]
    repost = make_version(original, "re-posted", random.Random(1))
    path = write_csv(tmp_path / "repost.csv", [original, repost])
    with qtbot.waitSignal(window.job_finished, timeout=60000) as finished:
        window.features.importing.start([path])
    (match,) = [m for m in finished.args[0].matches if m.kind == "possible"]
    qtbot.waitUntil(lambda: bool(window.findChildren(ImportSummaryDialog)), timeout=10000)
    dialog = window.findChildren(ImportSummaryDialog)[-1]
    button = dialog.pairs.cellWidget(0, 3)
    assert button.text() == "Versions"
    # The results are searched again after the import: wait for that, as a user would.
    qtbot.waitUntil(lambda: window.search_idle and window.model.row_of(match.id) is not None)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    panel = window.features.versions.panel
    qtbot.waitUntil(lambda: panel.report is not None and panel.report.id == match.id)
    assert window.current_id() == match.id  # the results are on it too
    ids = [v.id for v in panel.report.versions]
    assert {match.id, match.matched_id} <= set(ids)
    assert panel.model.rowCount() == len(ids) >= 2

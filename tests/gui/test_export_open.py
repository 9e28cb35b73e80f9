"""The export dialog offers highlighting only where the query marks words; opening the written
file says when no application can, and leaves no zombie process."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Qt

from archive_browser.gui.dialogs import ExportDialog
from tests.gui.helpers import search


def zombie_children() -> list[int]:
    """The pids of this process's children that ended and were not waited for."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z" and int(fields[1]) == os.getpid():
            out.append(int(stat.parent.name))
    return out


def test_no_highlight_option_for_a_query_with_nothing_to_highlight(qtbot, window) -> None:
    tags = window.features.tags
    window.select_rows([0, 1])
    with qtbot.waitSignal(window.tags_changed, timeout=10000):
        tags.apply_tags(window.selected_ids(), ["summit"], [])
    search(qtbot, window, "tag:summit")
    assert window.model.rowCount() == 2
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    dialog = window.findChild(ExportDialog)
    assert dialog is not None and dialog.isVisible()
    assert not dialog.highlight.isVisible() and not dialog.highlight.isChecked()
    dialog.reject()
    dialog.deleteLater()
    search(qtbot, window, "CSTO tag:summit")
    dialog = window.features.exporting.choose(".pdf")
    assert dialog.highlight.isVisible() and dialog.highlight.isChecked()
    dialog.reject()


def test_opening_with_no_xdg_open_says_so(window, tmp_path: Path, monkeypatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out = tmp_path / "export.pdf"
    out.write_bytes(b"%PDF-1.4\n")
    window.features.exporting.open_file(out)
    assert len(window.recorded.messages) == 1
    message = window.recorded.messages[0]
    assert "No application could open export.pdf" in message and "xdg-open" in message
    assert str(out) in message


def test_opening_with_no_application_says_so_and_leaves_no_zombie(
    qtbot, window, tmp_path: Path, monkeypatch
) -> None:
    tools = tmp_path / "bin"
    tools.mkdir()
    opener = tools / "xdg-open"
    opener.write_text("#!/bin/sh\nexit 3\n")  # what xdg-open says when no application fits
    opener.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/usr/bin:/bin")
    out = tmp_path / "export.pdf"
    out.write_bytes(b"%PDF-1.4\n")
    with qtbot.waitSignal(window.features.exporting.opener_finished, timeout=10000) as ended:
        window.features.exporting.open_file(out)
    assert ended.args == [3]
    assert window.recorded.messages and "No application could open" in window.recorded.messages[0]
    assert zombie_children() == []

"""Actions as data: menus built from records, enablement from one state."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from archive_browser.gui.actions import ActionBook, ActionSpec, State, When


@pytest.fixture
def host(qtbot) -> QMainWindow:
    window = QMainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def test_menus_are_ordered_by_section_then_order_with_separators(host) -> None:
    calls: list[str] = []
    book = ActionBook(host)
    book.build(
        [
            ActionSpec("file.b", "B", "file", lambda: calls.append("b"), section=1),
            ActionSpec("file.a", "A", "file", lambda: calls.append("a")),
            ActionSpec("file.c", "C", "file", lambda: calls.append("c"), section=1, order=-1),
            ActionSpec("help.x", "X", "help", lambda: calls.append("x")),
        ]
    )
    assert [a.text() or "---" for a in book.menus["file"].actions()] == ["A", "---", "C", "B"]
    assert [a.text() for a in book.menus["help"].actions()] == ["X"]
    book.get("file.c").trigger()
    assert calls == ["c"]


def test_enablement_follows_the_state(host) -> None:
    undo = {"available": False}
    book = ActionBook(host)
    book.build(
        [
            ActionSpec("a.any", "Any", "file", lambda: None),
            ActionSpec("a.write", "Write", "file", lambda: None, when=When(writable=True)),
            ActionSpec("a.idle", "Idle", "file", lambda: None, when=When(archive=True, idle=True)),
            ActionSpec(
                "a.two", "Two", "view", lambda: None, when=When(min_selected=2, max_selected=2)
            ),
            ActionSpec(
                "a.undo",
                "Undo",
                "edit",
                lambda: None,
                when=When(writable=True, check=lambda: undo["available"]),
            ),
        ]
    )

    def enabled(state: State) -> set[str]:
        book.update(state)
        return {i for i in book.ids() if book.get(i).isEnabled()}

    assert enabled(State()) == {"a.any"}
    assert enabled(State(has_archive=True, writable=False)) == {"a.any", "a.idle"}
    assert enabled(State(has_archive=True, writable=True, idle=False)) == {"a.any", "a.write"}
    assert enabled(State(has_archive=True, writable=True, selected=2)) == {
        "a.any",
        "a.write",
        "a.idle",
        "a.two",
    }
    undo["available"] = True
    assert "a.undo" in enabled(State(has_archive=True, writable=True, selected=3))
    assert "a.two" not in enabled(State(has_archive=True, writable=True, selected=3))


def test_hidden_shortcuts_work_and_follow_the_action(qtbot, host) -> None:
    calls: list[str] = []
    book = ActionBook(host)
    book.build(
        [
            ActionSpec(
                "v.close",
                "Close",
                "view",
                lambda: calls.append("close"),
                when=When(archive=True),
                hidden_shortcuts=("Esc",),
            )
        ]
    )
    assert book.get("v.close").shortcut().isEmpty()  # not shown in the menu
    book.update(State(has_archive=True))
    qtbot.keyClick(host, Qt.Key.Key_Escape)
    assert calls == ["close"]
    book.update(State())
    qtbot.keyClick(host, Qt.Key.Key_Escape)
    assert calls == ["close"]


def test_unknown_menus_and_twice_used_ids_are_refused(host) -> None:
    with pytest.raises(ValueError, match="unknown menus"):
        ActionBook(host).build([ActionSpec("x.y", "Y", "nowhere", lambda: None)])
    with pytest.raises(ValueError, match="two actions"):
        ActionBook(QMainWindow()).build(
            [ActionSpec("x.y", "Y", "file", lambda: None), ActionSpec("x.y", "Z", "file")]
        )

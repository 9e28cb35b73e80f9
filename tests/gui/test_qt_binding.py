"""The Qt binding itself: PySide6 6.12.0 dropped a reference to None on every call of a C++
method returning void (`update()`, `setText()`, ...). On Python 3.11, where None is an ordinary
object, the window then aborted ("Fatal Python error: none_dealloc") after some tens of
thousands of such calls: a few minutes of use. pyproject.toml excludes that version; this
test catches a binding with the same fault."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLineEdit


@pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12: nothing to drop"
)
def test_calls_returning_nothing_keep_none_alive(qtbot) -> None:
    edit = QLineEdit()
    qtbot.addWidget(edit)
    before = sys.getrefcount(None)
    for _ in range(2000):
        edit.setText("x")
        edit.clear()
        edit.update()
    assert sys.getrefcount(None) >= before - 100  # 6.12.0: 6,000 fewer

"""Fixtures for the window: a real archive in tmp_path, errors recorded instead of shown."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


class Recorded:
    """Errors the window reported, instead of dialogs that would block a test."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.bugs: list[str] = []
        self.questions: list[str] = []
        self.answer = True


@pytest.fixture
def make_window(qtbot, tmp_path: Path) -> Iterator:
    """Makes main windows whose error dialogs and questions are recorded."""
    from archive_browser.gui.mainwindow import MainWindow

    windows = []

    def make(folder: Path | None = None, recorded: Recorded | None = None):
        recorded = recorded or Recorded()
        window = MainWindow()
        window.errors.show_message = recorded.messages.append
        window.errors.show_bug = lambda summary, details: recorded.bugs.append(
            f"{summary}\n{details}"
        )

        def ask(_title: str, question: str) -> bool:
            recorded.questions.append(question)
            return recorded.answer

        window.ask = ask
        window.recorded = recorded
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        if folder is not None:
            with qtbot.waitSignal(window.search_finished, timeout=20000):
                assert window.open_archive(folder)
        return window

    yield make
    for window in windows:
        window.close_archive()
        assert window.recorded.bugs == [], window.recorded.bugs


@pytest.fixture
def make_context(qtbot) -> Iterator:
    """Makes the context a feature is built from, on an open archive, in a bare main window:
    for testing one feature without the whole window. Errors and questions are recorded."""
    from PySide6.QtWidgets import QMainWindow

    from archive_browser.gui.context import WindowContext
    from archive_browser.gui.errors import ErrorReporter
    from archive_browser.gui.workers import Runner

    contexts = []

    def make(folder: Path, *, readonly: bool = False):
        recorded = Recorded()
        host = QMainWindow()
        qtbot.addWidget(host)
        errors = ErrorReporter()
        errors.show_message = recorded.messages.append
        errors.show_bug = lambda summary, details: recorded.bugs.append(f"{summary}\n{details}")
        ctx = WindowContext(host, Runner(host), errors, host.statusBar())

        def ask(_title: str, question: str) -> bool:
            recorded.questions.append(question)
            return recorded.answer

        ctx.ask = ask
        ctx.recorded = recorded
        ctx.archive = Archive.open(folder, readonly=readonly)
        host.resize(1000, 700)
        host.show()
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        archive, ctx.archive = ctx.archive, None  # answers still on their way are dropped
        ctx.runner.shutdown()
        if archive is not None:
            archive.close()
        assert ctx.recorded.bugs == [], ctx.recorded.bugs


@pytest.fixture
def sample_archive(tmp_path: Path, sample: Path) -> Path:
    """An archive holding the shared sample (5 releases) and two Russian releases."""
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        run(archive.import_paths([sample], ImportOptions(source="CSTO")))
        run(archive.import_paths([FIXTURES / "ru-zasedanie.txt", FIXTURES / "ru-elka.txt"]))
    return folder


@pytest.fixture
def window(make_window, sample_archive: Path):
    return make_window(sample_archive)

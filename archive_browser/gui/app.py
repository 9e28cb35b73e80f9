"""Starting the window: the application object, error hooks, the archive to open."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from archive_browser import APP_ID, APP_NAME, __version__
from archive_browser.core.archive import DB_NAME
from archive_browser.core.paths import ENV_ARCHIVE, default_archive, resource_path
from archive_browser.gui.mainwindow import MainWindow

#: When set, the window quits this many milliseconds after it is first shown (smoke tests and
#: start-up timing); it also reports when it was shown.
ENV_QUIT_AFTER = "ARCHIVE_BROWSER_QUIT_AFTER_MS"


def process_age_ms() -> float:
    """Milliseconds since this process started (since the interpreter started, elsewhere)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as f:
            start_ticks = int(f.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as f:
            uptime = float(f.read().split()[0])
        return (uptime - start_ticks / os.sysconf("SC_CLK_TCK")) * 1000
    except (OSError, ValueError, IndexError, AttributeError):
        return (time.perf_counter() - _IMPORTED) * 1000


_IMPORTED = time.perf_counter()


class _FirstExpose(QObject):
    """Reports the first time the window is exposed on screen, then quits after a delay."""

    def __init__(self, quit_after_ms: int) -> None:
        super().__init__()
        self.quit_after_ms = quit_after_ms
        self.seen = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.seen and event.type() in (QEvent.Type.Expose, QEvent.Type.Paint):
            self.seen = True
            sys.stderr.write(f"window-shown {process_age_ms():.0f}\n")
            sys.stderr.flush()
            QTimer.singleShot(self.quit_after_ms, QApplication.instance().quit)
        return False


def run_gui(archive: Path | None = None) -> int:
    """Opens the main window on `archive`, or on the default archive (which gets the demo
    releases the first time)."""
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setOrganizationName(APP_ID)
    app.setDesktopFileName(APP_ID)
    icon = resource_path("icons", "archive-browser.svg")
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    window = MainWindow()
    window.errors.install_hooks()
    explicit = archive is not None or bool(os.environ.get(ENV_ARCHIVE))
    folder = archive if archive is not None else default_archive()
    new = not (folder / DB_NAME).exists()
    window.show()
    quit_after = os.environ.get(ENV_QUIT_AFTER)
    if quit_after:
        watcher = _FirstExpose(int(quit_after))
        window.windowHandle().installEventFilter(watcher)
        window.installEventFilter(watcher)
    QTimer.singleShot(0, lambda: window.open_archive(folder, seed_demo=new and not explicit))
    return int(app.exec())

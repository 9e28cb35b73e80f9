"""How long the window's event loop stalls while the app imports and while the user types.

The real main window (`archive_browser.gui.mainwindow.MainWindow`, off-screen) is opened on an
empty archive. A QTimer on the main thread ticks every few milliseconds and notes the gaps
between ticks. First the window imports the corpus exactly as File > Import does (its import
job, which runs in a child process, with the progress bar) while queries are typed into the
search box key by key, as a user would while waiting; then, on the full archive, the queries
are typed again. Every keystroke goes through the window's own path: the debounced search on a
read worker, the results model, the facets, the reader, the snippets. A gap much longer than
the tick is a stall the user sees: a frozen window.
"""

from __future__ import annotations

import importlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.benchmarks.measure import peak_rss_mb, percentile
from tests.benchmarks.phases import corpus_path

TICK_MS = 5
#: About 65 words a minute: slower than the window's search debounce (150 ms), so that every
#: keystroke starts a search, the heaviest load typing can put on the window.
KEYSTROKE_MS = 180
#: After a whole query the typist reads the results before clearing the box.
READ_MS = 1000
#: Queries typed letter by letter after the import.
TYPED = ["security council", "заседания совета", "sanctions date:[2014 to 2016]", "pres* OR econ*"]
#: Gaps longer than this are listed with what the import was doing.
NOTABLE_MS = 50.0


def gui_status() -> tuple[bool, str]:
    """Whether `archive_browser.gui` can be imported, and if not, why."""
    try:
        module = importlib.import_module("archive_browser.gui")
    except Exception as e:  # any import failure means the window cannot be measured yet
        return False, f"importing archive_browser.gui failed: {type(e).__name__}: {e}"
    if getattr(module, "__file__", None) is None:
        return False, "archive_browser/gui/ has no __init__.py yet (an empty namespace package)"
    return True, "archive_browser.gui imports"


class Heartbeat:
    """Notes the gaps between the ticks of a precise QTimer, with a label of what was going
    on at each notable gap."""

    def __init__(self, label: Any) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.label = label
        self.gaps: list[float] = []
        self.notable: list[tuple[float, str]] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        self._last = now
        self.gaps.append(gap)
        if gap > NOTABLE_MS:
            self.notable.append((round(gap, 1), self.label()))

    def summary(self) -> dict[str, Any]:
        longest = sorted(self.notable, reverse=True)[:8]
        return {
            "ticks": len(self.gaps),
            "max_gap_ms": round(max(self.gaps), 1) if self.gaps else None,
            "p99_gap_ms": round(percentile(self.gaps, 99), 1) if self.gaps else None,
            "gaps_over_50ms": len(self.notable),
            "longest": [{"ms": ms, "during": what} for ms, what in longest],
        }


def _key(widget: Any, key: Any, text: str) -> None:
    """Presses and releases a key carrying `text` (any letter, Cyrillic too) on `widget`, as
    the keyboard would. (QTest.sendKeyEvent drops a reference to None per call in PySide6
    6.12: after a few thousand keys the interpreter aborts when it exits.)"""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, text))


def gui_phase(workdir: Path, n: int, seed: int, *, standin: bool = False) -> dict[str, Any]:
    """Measures the window's stalls (`standin` is accepted for the command line's sake: there
    is no stand-in for the real window any more)."""
    ok, why = gui_status()
    if not ok:
        message = f"Window measurement skipped: {why}."
        print(message, file=sys.stderr)
        return {"gui_max_stall_ms": None, "skipped": message}
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # the window remembers its layout; keep that out of the user's own settings
    home = os.environ["ARCHIVE_BROWSER_HOME"] = tempfile.mkdtemp(prefix="ab-bench-home-")
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication

    from archive_browser.gui.dialogs import ImportSummaryDialog
    from archive_browser.gui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    # Each phase runs in a local event loop: QApplication.quit() would close the window.
    loop = QEventLoop()
    folder = workdir / "gui-app"
    shutil.rmtree(folder, ignore_errors=True)
    window = MainWindow()
    window.ask = lambda _title, _question: True
    errors: list[str] = []

    def on_error(summary: str, details: str = "") -> None:  # no modal box in a benchmark
        errors.append(f"{summary}\n{details}")
        loop.quit()

    window.errors.show_message = on_error
    window.errors.show_bug = on_error
    window.resize(1280, 800)
    window.show()
    if not window.open_archive(folder):
        raise RuntimeError(f"the window could not open {folder}")
    edit = window.search.edit
    state = {"doing": "starting", "text": ""}
    outcome: dict[str, Any] = {"progress_signals": 0}
    keystrokes: list[float] = []

    def on_progress(progress: Any) -> None:
        outcome["progress_signals"] += 1
        state["doing"] = progress.message

    # the typist: one key every KEYSTROKE_MS, query after query, clearing the box in between
    script = [ch for q in TYPED for ch in [*q, "\n"]]
    cursor = {"i": 0, "rounds": 0}
    typing = {"on": False, "once": False}

    def type_next() -> None:
        if not typing["on"]:
            return
        i = cursor["i"]
        if i >= len(script):
            cursor["i"] = i = 0
            cursor["rounds"] += 1
            if typing["once"]:
                typing["on"] = False
                _wait_idle()
                return
        ch = script[i]
        cursor["i"] += 1
        t = time.perf_counter()
        if ch == "\n":
            edit.selectAll()
            _key(edit, Qt.Key.Key_Backspace, "")
        else:
            _key(edit, Qt.Key(ord(ch.upper())) if ch.isascii() else Qt.Key.Key_unknown, ch)
        keystrokes.append((time.perf_counter() - t) * 1000)
        state["text"] = edit.text()
        ends_query = cursor["i"] < len(script) and script[cursor["i"]] == "\n"
        QTimer.singleShot(READ_MS if ends_query else KEYSTROKE_MS, type_next)

    def _wait_idle() -> None:
        if window.search_idle:
            loop.quit()
        else:
            QTimer.singleShot(20, _wait_idle)

    def on_finished(report: Any) -> None:
        outcome["imported"] = len(report.imported_ids) if report is not None else 0
        for dialog in window.findChildren(ImportSummaryDialog):  # the user reads it, clicks OK
            dialog.accept()
        typing["on"] = False
        QTimer.singleShot(KEYSTROKE_MS * 2, loop.quit)

    # 1. importing (child process) while typing
    window.job_finished.connect(on_finished)
    beat = Heartbeat(lambda: f"{state['doing']} / typing {state['text']!r}")
    t0 = time.perf_counter()
    beat.start()
    window.features.importing.start([corpus_path(workdir, n, seed)], preview=False)
    job = window.context.jobs.current
    if job is None:
        raise RuntimeError("the window did not start the import")
    job.signals.progressed.connect(on_progress)
    typing["on"] = True
    QTimer.singleShot(KEYSTROKE_MS, type_next)
    loop.exec()
    beat.stop()
    import_s = time.perf_counter() - t0
    importing = beat.summary()
    window.job_finished.disconnect(on_finished)
    if errors or not outcome.get("imported"):
        raise RuntimeError(f"the window's import failed: {errors or 'it stored nothing'}")
    typed_while_importing = len(keystrokes)

    # 2. typing on the full archive; each query's results must come back before the next
    searches_before = window.features.results.searches_answered
    edit.clear()
    cursor.update(i=0, rounds=0)
    typing.update(on=True, once=True)
    state["doing"] = "idle"
    beat = Heartbeat(lambda: f"typing {state['text']!r}")
    beat.start()
    t1 = time.perf_counter()
    QTimer.singleShot(KEYSTROKE_MS, type_next)
    loop.exec()
    beat.stop()
    typing_s = time.perf_counter() - t1
    typed = beat.summary()
    count = window.search.count.text()
    searches_after = window.features.results.searches_answered - searches_before
    window.close()
    shutil.rmtree(home, ignore_errors=True)
    stalls = [s for s in (importing["max_gap_ms"], typed["max_gap_ms"]) if s is not None]
    return {
        "gui_max_stall_ms": max(stalls) if stalls else None,
        "harness": "archive_browser.gui.mainwindow.MainWindow, off-screen",
        "tick_ms": TICK_MS,
        "keystroke_ms": KEYSTROKE_MS,
        "releases": n,
        "imported": outcome.get("imported"),
        "import_s": round(import_s, 1),
        "progress_signals": outcome["progress_signals"],
        "keystrokes_while_importing": typed_while_importing,
        "keystrokes_after": len(keystrokes) - typed_while_importing,
        "searches_answered_after": searches_after,
        "typing_s": round(typing_s, 1),
        "last_count": count,
        "import_max_stall_ms": importing["max_gap_ms"],
        "typing_max_stall_ms": typed["max_gap_ms"],
        "keystroke_handling_ms": {
            "p50": round(percentile(keystrokes, 50), 1),
            "max": round(max(keystrokes), 1) if keystrokes else None,
        },
        "importing": importing,
        "typing": typed,
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }

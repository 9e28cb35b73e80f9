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
    on at each notable gap and where its time went: the main thread's own processor time
    (work of the window), the other threads' (a worker holding the interpreter), or neither
    (the main thread waited: the OS scheduler under load, or a lock)."""

    def __init__(self, label: Any) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.label = label
        self.gaps: list[float] = []
        self.notable: list[dict[str, Any]] = []
        self._last = time.perf_counter()
        self._cpu = (time.thread_time(), time.process_time())
        self.sampler: StackSampler | None = None
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self._last = time.perf_counter()
        self._cpu = (time.thread_time(), time.process_time())
        if os.environ.get(PROBE_ENV):
            self.sampler = StackSampler(self)
            self.sampler.start()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        if self.sampler is not None:
            self.sampler.stop()

    @property
    def last_tick(self) -> float:
        return self._last

    def _tick(self) -> None:
        now = time.perf_counter()
        cpu = (time.thread_time(), time.process_time())
        gap = (now - self._last) * 1000
        main_ms = (cpu[0] - self._cpu[0]) * 1000
        others_ms = (cpu[1] - self._cpu[1]) * 1000 - main_ms
        self._last, self._cpu = now, cpu
        self.gaps.append(gap)
        samples = self.sampler.take() if self.sampler is not None else []
        if gap > NOTABLE_MS:
            entry: dict[str, Any] = {
                "ms": round(gap, 1),
                "during": self.label(),
                "main_cpu_ms": round(main_ms, 1),
                "other_threads_cpu_ms": round(others_ms, 1),
            }
            if samples:
                entry["main_stacks"] = samples
            self.notable.append(entry)

    def summary(self) -> dict[str, Any]:
        longest = sorted(self.notable, key=lambda e: -e["ms"])[:12]
        return {
            "ticks": len(self.gaps),
            "max_gap_ms": round(max(self.gaps), 1) if self.gaps else None,
            "p99_gap_ms": round(percentile(self.gaps, 99), 1) if self.gaps else None,
            "gaps_over_50ms": len(self.notable),
            "longest": longest,
        }


#: Set (to anything) to sample the main thread's stack during gaps (see StackSampler).
PROBE_ENV = "ARCHIVE_BROWSER_STALL_PROBE"


class StackSampler:
    """While the heartbeat is late, samples the stacks of the main thread and of any other
    thread running Python, every few milliseconds, so that a gap names the code it ran."""

    INTERVAL_S = 0.004
    LATE_MS = 15.0

    def __init__(self, beat: Heartbeat) -> None:
        import threading

        self.beat = beat
        self.main = threading.main_thread().ident
        self._samples: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def take(self) -> list[str]:
        with self._lock:
            samples, self._samples = self._samples, []
        if not samples:
            return []
        from collections import Counter

        return [f"{n}x {where}" for where, n in Counter(samples).most_common(4)]

    def _run(self) -> None:
        import threading

        me = threading.get_ident()
        while not self._stop.wait(self.INTERVAL_S):
            if (time.perf_counter() - self.beat.last_tick) * 1000 < self.LATE_MS:
                continue
            frames = sys._current_frames()
            parts = []
            for ident, frame in frames.items():
                if ident == me:
                    continue
                where = _where(frame)
                if ident == self.main:
                    parts.insert(0, f"main: {where}")
                elif where:
                    parts.append(f"thread: {where}")
            with self._lock:
                self._samples.append(" | ".join(parts))


def _where(frame: Any, depth: int = 3) -> str:
    """The innermost frames of the project's code (and Whoosh's) in a stack, innermost last."""
    names: list[str] = []
    while frame is not None and len(names) < depth:
        path = frame.f_code.co_filename
        if ("archive_browser" in path or "whoosh" in path) and "benchmarks" not in path:
            names.append(f"{Path(path).stem}.{frame.f_code.co_name}:{frame.f_lineno}")
        frame = frame.f_back
    return " < ".join(names)


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

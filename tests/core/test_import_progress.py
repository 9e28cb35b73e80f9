"""An import's progress is one bar over reading, storing and indexing; searching during an
import, and after it, gives what a fresh process gives."""

from __future__ import annotations

import csv
import random
import threading
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import Progress, run

WORDS = [
    "security",
    "council",
    "meeting",
    "summit",
    "treaty",
    "energy",
    "gas",
    "supplies",
    "president",
    "minister",
    "cooperation",
    "border",
    "customs",
    "railway",
    "agreement",
    "statement",
    "talks",
    "delegation",
]


def _csv(path: Path, rows: int, seed: int) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["title", "date", "body"])
        for i in range(rows):
            body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 400)))
            title = " ".join(rng.choice(WORDS) for _ in range(4))
            writer.writerow(
                [f"{title} {seed}-{i}", f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}", body]
            )
    return path


def test_progress_is_monotonic_names_its_phases_and_ends_at_one(
    archive: Archive, tmp_path: Path, sample: Path
) -> None:
    files = [_csv(tmp_path / "a.csv", 1200, 1), sample, _csv(tmp_path / "b.csv", 300, 2)]
    steps: list[Progress] = []
    report = run(archive.import_paths(files), steps.append)
    assert report is not None and len(report.imported_ids) == 1505
    fractions = [p.fraction for p in steps]
    assert all(f is not None for f in fractions)
    assert fractions == sorted(fractions), "the bar went backwards"
    assert fractions[-1] == 1.0 and fractions[0] == 0.0
    messages = [p.message for p in steps]
    assert "Reading a.csv" in messages and "Reading b.csv" in messages
    assert any(m.startswith("Storing a.csv: ") and m.endswith(" stored") for m in messages)
    indexing = [p for p in steps if p.message.startswith("Indexing ")]
    assert indexing and "of 1,505" in indexing[-2].message
    # the bar moves while a file is read, not only between files
    reading_a = {p.done for p in steps if p.message.startswith(("Reading a", "Storing a"))}
    assert len(reading_a) > 5
    assert messages[-1] == "Imported 1,505 releases"


QUERIES = ("security council", "gas OR railway", '"energy cooperation"', "summ* NOT treaty")


def _results(archive: Archive) -> list[tuple[list[int], list[float]]]:
    return [(found.ids, found.scores) for found in (archive.search(q, limit=30) for q in QUERIES)]


def test_searching_during_an_import_then_after_equals_a_fresh_process(tmp_path: Path) -> None:
    folder = tmp_path / "arch"
    first, second = _csv(tmp_path / "first.csv", 400, 3), _csv(tmp_path / "second.csv", 900, 4)
    with Archive.open(folder) as archive:
        run(archive.import_paths([first]))
        before = _results(archive)
        during: list[object] = []
        job = archive.import_paths([second])
        stop = threading.Event()

        def search_meanwhile() -> None:  # the window's search thread
            while not stop.is_set():
                during.append(_results(archive))

        thread = threading.Thread(target=search_meanwhile)
        thread.start()
        try:
            for step, _progress in enumerate(job):
                if step % 10 == 0:
                    during.append(_results(archive))  # and on the job's own thread
        finally:
            stop.set()
            thread.join()
        assert during and during[0] == before  # the partial index, as it was
        after = _results(archive)
        on_thread: list[object] = []
        thread = threading.Thread(target=lambda: on_thread.append(_results(archive)))
        thread.start()
        thread.join()
        with Archive.open(folder, readonly=True) as fresh:
            expected = _results(fresh)
        assert after == expected and on_thread == [expected]
        assert after != before

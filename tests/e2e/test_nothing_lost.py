"""Nothing lost: killed processes, a second writer, stale locks, read-only folders, full disks.

These run real processes and kill them with SIGKILL, as a crash or a power cut would.
"""

from __future__ import annotations

import csv
import itertools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from tests.conftest import REPO, run_cli

#: Seconds after the first committed batch (import) or the start (tagging) to kill at: from
#: before anything is indexed, through batches and index commits, to the end.
IMPORT_KILLS = [0.0, 0.15, 0.3, 0.5, 0.7, 0.9, 1.1, 1.4, 1.7, 2.0, 2.5, 3.5]
TAG_KILLS = [0.0, 0.1, 0.25, 0.5, 0.8, 1.2, 2.0]


def real_releases(corpus: Path, folder: Path, count: int) -> Path:
    """The first `count` releases of the shared corpus, as a CSV of their own."""
    csv.field_size_limit(1 << 24)
    out = folder / f"first-{count}.csv"
    with (corpus / "zelenskyy.csv").open(encoding="utf-8", newline="") as f:
        rows = list(itertools.islice(csv.reader(f), count + 1))
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return out


def start_driver(*args: str | Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.driver", *map(str, args)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def lines_until_killed(process: subprocess.Popen[str], after: float, first: str) -> list[str]:
    """Reads the driver's lines; `after` seconds after it printed a line starting with
    `first` (or as soon as it finished), kills it. Returns what it said."""
    assert process.stdout is not None
    said: list[str] = []
    started = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            said.append(line.rstrip("\n"))
            if line.startswith(first):
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    while not started.wait(0.01) and process.poll() is None:
        pass
    deadline = time.monotonic() + after
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    reader.join(timeout=5)
    return said


def reopened(folder: Path) -> Iterator[Archive]:
    """Opens an archive as the program does after a crash: leftover work applied first."""
    archive = Archive.open(folder)
    if archive.needs_repair:
        run(archive.repair())
    return archive


def test_killed_imports_lose_nothing(tmp_path: Path, corpus: Path) -> None:
    source = real_releases(corpus, tmp_path, 400)
    survived = 0
    for i, delay in enumerate(IMPORT_KILLS):
        folder = tmp_path / f"a{i}"
        Archive.open(folder).close()
        said = lines_until_killed(start_driver("import", folder, source), delay, "stored")
        reported = max(
            (int(line.split()[1]) for line in said if line.startswith("stored")), default=0
        )
        archive = reopened(folder)
        try:
            report = archive.check()
            assert report.consistent, (delay, report)
            releases = list(archive.iter_releases())
            assert len(releases) >= reported, (delay, len(releases), reported)
            for release in releases:
                # Whole: text, title, checksum and the import's tag, all or nothing.
                assert release.body and release.title and release.checksum
                assert release.tags == ["crash"]
                assert archive.search(f"id:{release.id}").ids == [release.id]
            for release in releases[::25]:
                words = " ".join(release.body.split()[:4])
                phrase = '"' + words.replace('"', " ") + '"'
                assert release.id in archive.search(f"exact:{phrase}", limit=None).ids
            survived += 1
        finally:
            archive.close()
        # The interrupted import can simply be run again: nothing is duplicated.
        if i == 3:
            result = run_cli("import", source, "--json", archive=folder)
            assert result.returncode == 0, result.stderr
            again = json.loads(result.stdout)
            assert again["failed"] == [] and again["imported"] + again["duplicates"] == 400
            assert again["duplicates"] == len(releases)
    assert survived == len(IMPORT_KILLS)


def test_killed_bulk_tagging_is_all_or_nothing(tmp_path: Path, corpus: Path) -> None:
    base = tmp_path / "base"
    with Archive.open(base) as archive:
        run(archive.import_paths([real_releases(corpus, tmp_path, 250)]))
        total = archive.count()
    for i, delay in enumerate(TAG_KILLS):
        folder = tmp_path / f"t{i}"
        shutil.copytree(base, folder)
        lines_until_killed(start_driver("tag", folder, "bulk"), delay, "start")
        archive = reopened(folder)
        try:
            tagged = archive.ids_with_tag("bulk")
            assert len(tagged) in (0, total), (delay, len(tagged))
            assert archive.search("tag:bulk", limit=None).total == len(tagged)
            assert archive.check().consistent
        finally:
            archive.close()


def test_a_second_writer_is_refused_and_a_dead_ones_lock_recovered(
    tmp_path: Path, sample: Path
) -> None:
    folder = tmp_path / "a"
    assert run_cli("import", sample, archive=folder).returncode == 0
    holder = start_driver("hold", folder)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
    try:
        second = run_cli("import", sample, archive=folder)
        assert second.returncode == 1
        assert "open in another window or process" in second.stderr
        assert "Traceback" not in second.stderr
        reader = run_cli("search", "Bishkek", "--json", archive=folder)
        assert reader.returncode == 0 and json.loads(reader.stdout)["total"] == 1
        assert reader.stderr == ""  # the read-only notice is for a terminal only
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    # The killed process left its lock file behind; the lock itself died with it.
    assert (folder / "archive.lock").exists()
    after = run_cli("tag", "add", "after", "--query", "Bishkek", archive=folder)
    assert after.returncode == 0, after.stderr
    assert run_cli("check", archive=folder).returncode == 0


def _limit_file_size(limit: int):
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def run_cli_with_file_limit(
    limit: int, *args: str | Path, archive: Path
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process that cannot write files beyond `limit` bytes: a full disk
    as the program sees it (writes fail with EFBIG)."""
    cmd = [sys.executable, "-m", "archive_browser", "--archive", str(archive), *map(str, args)]
    return subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        preexec_fn=_limit_file_size(limit),
    )


def test_full_disk_during_import_is_clear_and_keeps_the_archive(
    tmp_path: Path, sample: Path, corpus: Path
) -> None:
    folder = tmp_path / "a"
    assert run_cli("import", sample, archive=folder).returncode == 0
    with Archive.open(folder) as archive:
        before = [r.to_dict() for r in archive.iter_releases()]
    limit = (folder / "archive.sqlite3").stat().st_size + 400_000
    result = run_cli_with_file_limit(limit, "import", corpus / "putin.csv", archive=folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "disk is full" in result.stderr and "Traceback" not in result.stderr
    archive = reopened(folder)
    try:
        assert archive.check().consistent
        after = {r.id: r.to_dict() for r in archive.iter_releases()}
        assert all(after[r["id"]] == r for r in before)  # what was there is untouched
        for release in archive.iter_releases():
            assert release.body and release.checksum
    finally:
        archive.close()


def test_full_disk_during_export_leaves_no_file(tmp_path: Path, sample: Path) -> None:
    folder = tmp_path / "a"
    assert run_cli("import", sample, archive=folder).returncode == 0
    out = tmp_path / "out" / "selection.pdf"
    out.parent.mkdir()
    result = run_cli_with_file_limit(40_000, "export", out, "--query", "*", archive=folder)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "disk is full" in result.stderr
    assert list(out.parent.iterdir()) == []


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder that cannot be written: a read-only tmpfs when running as root (root ignores
    file modes), file modes otherwise."""
    folder = tmp_path / "ro"
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], check=True)
        yield folder
        subprocess.run(["umount", str(folder)], check=False)
    else:
        yield folder
        for path in [folder, *folder.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)


def make_read_only(folder: Path) -> None:
    if os.geteuid() == 0:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
    else:
        for path in [*folder.rglob("*"), folder]:
            path.chmod(0o555 if path.is_dir() else 0o444)


def test_read_only_archive_folder(read_only_folder: Path, sample: Path, tmp_path: Path) -> None:
    folder = read_only_folder / "a"
    assert run_cli("import", sample, archive=folder).returncode == 0
    # Leave no WAL behind, as a copy on a read-only medium would be.
    with Archive.open(folder) as archive:
        archive.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        archive.store.db.execute("PRAGMA journal_mode = DELETE")
    make_read_only(read_only_folder)
    write = run_cli("import", sample, archive=folder)
    assert write.returncode == 1 and "cannot be written to" in write.stderr
    assert "Traceback" not in write.stderr
    read = run_cli("search", "Bishkek", "--json", archive=folder)
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)["total"] == 1 and read.stderr == ""  # notice: terminals only
    out = tmp_path / "copy"
    backup = run_cli("backup", out, archive=folder)
    assert backup.returncode == 0, backup.stderr
    assert run_cli("search", "Bishkek", archive=out).returncode == 0

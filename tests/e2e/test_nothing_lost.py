"""Nothing lost: killed processes, a second writer, stale locks, read-only folders, full disks.

These run real processes and kill them with SIGKILL, as a crash or a power cut would.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from tests.conftest import REPO, run_cli

#: Where an import of 400 releases (batches of 40) is killed: after the first, fifth and last
#: batch is committed to SQLite, in the middle of indexing them, and just before the index is
#: committed. (progress message, which occurrence of it).
IMPORT_KILLS = [
    ("stored", 1),
    ("stored", 5),
    ("stored", 10),
    ("Indexing ", 1),  # "Indexing 10%: 40 of 400"
    ("writing the index", 1),
]


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


def killed_when_paused(process: subprocess.Popen[str]) -> list[str]:
    """Reads the driver's lines until it says it paused at its point, then kills it. Returns
    what it said; fails if it finished (or died) without reaching the point."""
    assert process.stdout is not None
    said: list[str] = []
    for line in process.stdout:
        said.append(line.rstrip("\n"))
        if line.startswith("paused"):
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    errors = process.stderr.read()
    assert said and said[-1].startswith("paused"), (said, errors)
    assert "done" not in said  # killed before it finished
    assert process.returncode == -signal.SIGKILL, (process.returncode, errors)
    return said


def reopened(folder: Path) -> Iterator[Archive]:
    """Opens an archive as the program does after a crash: leftover work applied first."""
    archive = Archive.open(folder)
    if archive.needs_repair:
        run(archive.repair())
    return archive


def test_killed_imports_lose_nothing(tmp_path: Path, corpus: Path) -> None:
    source = real_releases(corpus, tmp_path, 400)
    for i, (point, nth) in enumerate(IMPORT_KILLS):
        folder = tmp_path / f"a{i}"
        Archive.open(folder).close()
        said = killed_when_paused(start_driver("import", folder, point, nth, source))
        reported = max(int(line.split()[1]) for line in said if line.startswith("stored"))
        expected = 40 * nth if point == "stored" else 400
        assert reported == expected, (point, said)
        archive = Archive.open(folder)
        try:
            # Killed after batches were committed and before the index was: reopening finds
            # every stored release recorded as index work to do, and does it.
            assert archive.needs_repair, point
            before = archive.check()
            assert before.pending == reported and before.indexed == 0, (point, before)
            assert len(before.missing) == reported
            run(archive.repair())
            report = archive.check()
            assert report.consistent, (point, report)
            releases = list(archive.iter_releases())
            assert len(releases) == reported, (point, len(releases), reported)
            for release in releases:
                # Whole: text, title, checksum and the import's tag, all or nothing.
                assert release.body and release.title and release.checksum
                assert release.tags == ["crash"]
                assert archive.search(f"id:{release.id}").ids == [release.id]
            for release in releases[::25]:
                words = " ".join(release.body.split()[:4])
                phrase = '"' + words.replace('"', " ") + '"'
                assert release.id in archive.search(f"exact:{phrase}", limit=None).ids
        finally:
            archive.close()
        # The interrupted import can simply be run again: nothing is duplicated.
        if i == 1:
            result = run_cli("import", source, "--json", archive=folder)
            assert result.returncode == 0, result.stderr
            again = json.loads(result.stdout)
            assert again["failed"] == [] and again["imported"] + again["duplicates"] == 400
            assert again["duplicates"] == len(releases) == 200


def test_killed_bulk_tagging_is_all_or_nothing(tmp_path: Path, corpus: Path) -> None:
    base = tmp_path / "base"
    with Archive.open(base) as archive:
        run(archive.import_paths([real_releases(corpus, tmp_path, 250)]))
        total = archive.count()
    assert total == 250
    for point, tagged_after in (("transaction", 0), ("index", total)):
        folder = tmp_path / point
        shutil.copytree(base, folder)
        said = killed_when_paused(start_driver("tag", folder, point, "bulk"))
        writes = int(said[-1].split()[-1])
        assert writes >= 3, said  # the tags, the revisions and the index work were written
        archive = Archive.open(folder)
        try:
            if point == "index":
                # Committed to SQLite, not to the index: reopening has the work to do.
                assert archive.needs_repair and archive.check().pending == total
                assert sorted(archive.ids_with_tag("bulk")) == sorted(
                    archive.search("", limit=None).ids
                )
                assert archive.search("tag:bulk", limit=None).total == 0
                run(archive.repair())
            else:
                # Killed at the commit: SQLite discards the written, uncommitted changes.
                assert not archive.needs_repair
            tagged = archive.ids_with_tag("bulk")
            assert len(tagged) == tagged_after, (point, len(tagged))
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


#: Ways of making a folder read-only: file modes, which hold for any user but root (so as root
#: the program is run as "nobody"), and, where the tests run as root, a read-only mount,
#: which holds for root too.
READ_ONLY_WAYS = ["file modes", *(["mount"] if os.geteuid() == 0 else [])]
NOBODY = 65534


def as_nobody() -> None:
    """Gives up root in a child process before it runs the program."""
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


@pytest.fixture(params=READ_ONLY_WAYS)
def read_only_way(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def base_folder(read_only_way: str, tmp_path: Path) -> Iterator[Path]:
    """A folder for the archive: tmp_path itself, or, when the program runs as nobody, a
    folder nobody can reach (tmp_path's parents are private to root)."""
    if os.geteuid() != 0 or read_only_way == "mount":
        yield tmp_path
        return
    base = Path(tempfile.mkdtemp(prefix="archive-browser-ro-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        for path in [base, *base.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        shutil.rmtree(base)


def run_cli_as(
    way: str, *args: str | Path, archive: Path, home: Path
) -> subprocess.CompletedProcess[str]:
    """The real CLI (its `main`) in a child process: as nobody when file modes must hold and
    the tests run as root. Forked rather than started: nobody may not run root's Python."""
    argv = ["--archive", str(archive), *map(str, args)]
    drop = way == "file modes" and os.geteuid() == 0
    out_r, out_w = os.pipe()
    err_r, err_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no return from here
        code = 70
        try:
            os.dup2(out_w, 1)
            os.dup2(err_w, 2)
            sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
            os.environ["ARCHIVE_BROWSER_HOME"] = str(home)
            from archive_browser.cli import main

            for name in ("latin-1", "ascii", "utf-8", "utf-16", "cp1252", "idna"):
                codecs.lookup(name)  # loaded now: nobody may not read them from root's Python
            time.strptime("2013-05-28", "%Y-%m-%d")  # and the module that parses dates
            if drop:
                as_nobody()

            code = main(argv)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(out_w)
    os.close(err_w)
    with os.fdopen(out_r, encoding="utf-8") as out, os.fdopen(err_r, encoding="utf-8") as err:
        stdout = out.read()  # the CLI's output is small: one pipe read after the other
        stderr = err.read()
    _, status = os.waitpid(pid, 0)
    return subprocess.CompletedProcess(argv, os.waitstatus_to_exitcode(status), stdout, stderr)


def test_read_only_archive_folder(
    read_only_way: str, base_folder: Path, sample: Path, tmp_path: Path
) -> None:
    home = base_folder / "home"
    ro = base_folder / "ro"
    home.mkdir()
    ro.mkdir()
    if read_only_way == "mount":
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(ro)], check=True)
    folder = ro / "a"
    try:
        assert run_cli("import", sample, archive=folder).returncode == 0
        # Leave no WAL behind, as a copy on a read-only medium would be.
        with Archive.open(folder) as archive:
            archive.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            archive.store.db.execute("PRAGMA journal_mode = DELETE")
        names = sorted(p.name for p in folder.iterdir())
        if read_only_way == "mount":
            subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        else:
            for path in [*ro.rglob("*"), ro]:
                path.chmod(0o555 if path.is_dir() else 0o444)
            home.chmod(0o777)  # the program's own folder stays writable
        write = run_cli_as(read_only_way, "import", sample, archive=folder, home=home)
        assert write.returncode == 1 and "cannot be written to" in write.stderr, write.stderr
        assert "Traceback" not in write.stderr
        read = run_cli_as(read_only_way, "search", "Bishkek", "--json", archive=folder, home=home)
        assert read.returncode == 0, read.stderr
        assert json.loads(read.stdout)["total"] == 1 and read.stderr == ""  # notice: terminals only
        out = home / "copy"
        backup = run_cli_as(read_only_way, "backup", out, archive=folder, home=home)
        assert backup.returncode == 0, backup.stderr
        again = run_cli_as(read_only_way, "search", "Bishkek", "--json", archive=out, home=home)
        assert again.returncode == 0 and json.loads(again.stdout)["total"] == 1, again.stderr
        # Nothing was changed: the archive is as the import left it.
        assert sorted(p.name for p in folder.iterdir()) == names
    finally:
        if read_only_way == "mount":
            subprocess.run(["umount", str(ro)], check=False)

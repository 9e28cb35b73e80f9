"""The tests' CLI launcher gives what a real `python -m archive_browser` launch gives: the
same output, exit codes, stdin, environment and folder, and a real launch when it cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_launcher import Launcher, startup_env
from tests.conftest import _command_name, _Launches, run_cli

RELEASE = (
    "Harvest talks in the north\n\n"
    "Moscow, 3 March 2021. The ministers met today and spoke about the harvest in the north, "
    "the grain prices of the spring and the roads the farmers need.\n"
)


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    log = tmp_path_factory.mktemp("launcher") / "launcher.log"
    started = Launcher.start(env, log=log)
    yield started
    started.close()


def both(
    launcher: Launcher,
    *argv: str | Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    forked_cwd: Path | None = None,
    input: str | None = None,
    stdin_file: Path | None = None,
) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """The same call launched for real and forked from the launcher (in `forked_cwd` if
    given, for a call that changes what it finds there)."""
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    args = [str(a) for a in argv]
    with open(stdin_file or os.devnull, "rb") as stdin:
        real = subprocess.run(
            [sys.executable, "-m", "archive_browser", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=full_env,
            cwd=cwd,
            input=input,
            stdin=None if input is not None else stdin,
            timeout=300,
            check=False,
        )
    with open(stdin_file or os.devnull, "rb") as stdin:
        forked = launcher.run(
            args,
            env=full_env,
            cwd=forked_cwd or cwd,
            input=input,
            stdin=stdin.fileno(),
            timeout=300,
        )
    return real, forked


def same(
    pair: tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]],
) -> subprocess.CompletedProcess[str]:
    real, forked = pair
    assert (forked.returncode, forked.stdout, forked.stderr) == (
        real.returncode,
        real.stdout,
        real.stderr,
    )
    assert forked.args == real.args
    return forked


def test_output_and_exit_codes_are_a_real_launchs(
    launcher: Launcher, tmp_path: Path, sample: Path
) -> None:
    folder = tmp_path / "a"
    assert run_cli("import", sample, archive=folder, real=True).returncode == 0
    hits = same(both(launcher, "--archive", folder, "search", "Bishkek", "--json"))
    assert hits.returncode == 0 and '"total"' in hits.stdout
    assert same(both(launcher, "--archive", folder, "stats")).stdout.strip()
    missing = same(both(launcher, "--archive", folder, "show", "999"))
    assert missing.returncode == 1 and "999" in missing.stderr
    # argparse's own exits (SystemExit 0 and 2) and the window's refusal without a display.
    assert same(both(launcher, "--version")).returncode == 0
    bad = same(both(launcher, "--archive", folder, "no-such-command"))
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
    no_display = {"QT_QPA_PLATFORM": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    window = same(both(launcher, "--archive", folder, env=no_display))
    assert window.returncode == 1 and "display" in window.stderr


def test_stdin_env_and_cwd_are_the_calls(launcher: Launcher, tmp_path: Path) -> None:
    release = tmp_path / "harvest.txt"
    release.write_text(RELEASE, encoding="utf-8")
    stdin = tmp_path / "stdin.txt"  # the importer reads files of known types
    stdin.symlink_to("/dev/stdin")
    # stdin: a file read through /dev/stdin, and a pipe (which the import refuses to wait on).
    (tmp_path / "real").mkdir()
    (tmp_path / "forked").mkdir()
    where = {"cwd": tmp_path / "real", "forked_cwd": tmp_path / "forked"}
    done = same(both(launcher, "--archive", "a", "import", stdin, stdin_file=release, **where))
    assert done.returncode == 0 and "Imported 1 releases" in done.stdout
    for name in ("real/a", "forked/a"):
        found = run_cli("search", "harvest", "--json", archive=tmp_path / name, real=True)
        assert '"total": 1' in found.stdout, found.stdout
    piped = same(both(launcher, "--archive", tmp_path / "real/a", "import", stdin, input=RELEASE))
    assert piped.returncode == 2 and "named pipe" in piped.stderr
    # The environment: the archive named by $ARCHIVE_BROWSER_ARCHIVE; the folder: a
    # relative --archive.
    env = {"ARCHIVE_BROWSER_ARCHIVE": str(tmp_path / "real/a")}
    by_env = same(both(launcher, "search", "harvest", env=env))
    assert "Harvest talks" in by_env.stdout
    by_cwd = same(both(launcher, "--archive", "a", "search", "harvest", cwd=tmp_path / "real"))
    assert "Harvest talks" in by_cwd.stdout


def test_a_timeout_kills_the_child_and_the_server_goes_on(
    launcher: Launcher, tmp_path: Path, corpus: Path
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    argv = ["--archive", str(tmp_path / "a"), "import", str(corpus / "putin.csv")]
    with pytest.raises(subprocess.TimeoutExpired):
        launcher.run(argv, env=env, timeout=0.5)
    assert launcher.alive()
    after = launcher.run(["--version"], env=env, timeout=60)
    assert after.returncode == 0 and after.stdout.startswith("archive-browser ")


def test_the_server_holds_no_archive_after_a_call(launcher: Launcher, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = launcher.run(["--archive", str(tmp_path / "a"), "stats"], env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    held = {os.readlink(p) for p in Path(f"/proc/{launcher.process.pid}/fd").iterdir()}
    assert not [p for p in held if str(tmp_path) in p], held


def test_a_call_a_fresh_interpreter_would_read_differently_is_launched_for_real(
    launcher: Launcher,
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    assert launcher.can_run({**env, "ARCHIVE_BROWSER_HOME": "/elsewhere", "COLUMNS": "40"})
    for name, value in (("PYTHONIOENCODING", "latin-1"), ("LC_ALL", "C"), ("PYTHONPATH", "/x")):
        assert not launcher.can_run({**env, name: value}), name
    assert "LANG" in startup_env({"LANG": "C.UTF-8", "HOME": "/root"})


def test_the_first_call_of_each_command_is_real_and_a_dead_server_means_real_launches(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    launches = _Launches()
    try:
        assert launches.forked(["--archive", "x", "search", "a"], env) is None
        forked = launches.forked(["--archive", "x", "search", "b"], env)
        assert forked is not None and forked.alive()
        assert launches.forked(["stats"], env) is None
        assert launches.forked(["stats"], {**env, "ARCHIVE_BROWSER_TEST_REAL_LAUNCH": "1"}) is None
        forked.process.kill()
        forked.process.wait()
        with pytest.warns(UserWarning, match="real launches from now on"):
            assert launches.forked(["stats"], env) is None
        assert launches.forked(["search", "c"], env) is None
    finally:
        launches.close()
    assert _command_name(["--archive", "x", "tag", "add", "t"]) == "tag"
    assert _command_name(["--version"]) == "--version"

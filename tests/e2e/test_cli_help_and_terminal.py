"""The command line's help, and what it says on a terminal: the real CLI as a subprocess."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from archive_browser.core.query_help import EXAMPLES, query_help_text
from tests.conftest import run_cli
from tests.e2e.test_nothing_lost import real_releases

COMMANDS = ("import", "search", "show", "tag", "export", "stats", "check", "backup", "restore")


def run_on_terminal(*args: str | Path, archive: Path) -> tuple[int, str, str]:
    """Runs the CLI with its stderr on a pseudo-terminal; returns (status, stdout, stderr)."""
    master, slave = pty.openpty()
    cmd = [sys.executable, "-m", "archive_browser", "--archive", str(archive), *map(str, args)]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"}
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=slave, env=env)
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:  # a terminal's buffer is small: read while the command runs
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, _ = process.communicate(timeout=300)
    reader.join(timeout=30)
    os.close(master)
    return process.returncode, out.decode("utf-8"), b"".join(chunks).decode("utf-8", "replace")


def test_help_query_prints_the_popovers_examples() -> None:
    result = run_cli("help", "query")
    assert result.returncode == 0, result.stderr
    assert result.stdout == query_help_text()
    for query, meaning in EXAMPLES:
        assert query in result.stdout and meaning in result.stdout
    assert "date:2013-05" in result.stdout and "exact:" in result.stdout
    unknown = run_cli("help", "nonsense")
    assert unknown.returncode == 1 and "query" in unknown.stderr
    assert "Traceback" not in unknown.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_is_described_and_examples_are_given(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "examples:\n  archive-browser " + command in text
    options = text.split("options:", 1)[1].split("examples:", 1)[0]
    # every option line has a description after it (on its line or the next)
    lines = [line for line in options.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if line.lstrip().startswith("-") and len(line.split("  ")) < 3:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            assert following.startswith(" " * 10) and not following.lstrip().startswith("-"), (
                command,
                line,
            )
    if "--json" in options:
        assert "JSON" in options.split("--json", 1)[1]
    if command == "search":
        assert "newest first" in options and "help query" in text


def test_every_commands_output_ends_with_a_newline(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    assert run_cli("import", sample, archive=arch).returncode == 0
    empty = run_cli("tag", "list", archive=arch)
    assert empty.returncode == 0 and empty.stdout == "No tags yet.\n"
    assert run_cli("tag", "add", "csto", "--query", "CSTO", archive=arch).returncode == 0
    for args in (
        ("tag", "list"),
        ("tag", "list", "--json"),
        ("search", "Bishkek"),
        ("search", "nothingmatchesthis"),
        ("stats",),
        ("check",),
        ("show", "1"),
        ("help", "query"),
        ("search", "--help"),
    ):
        result = run_cli(*args, archive=arch)
        assert result.returncode == 0, (args, result.stderr)
        assert result.stdout.endswith("\n"), args


def test_read_only_notice_once_and_only_on_a_terminal(tmp_path: Path, sample: Path) -> None:
    arch = tmp_path / "arch"
    assert run_cli("import", sample, archive=arch).returncode == 0
    holder = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.driver", "hold", str(arch)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        piped = run_cli("search", "Bishkek", archive=arch)
        assert piped.returncode == 0 and piped.stderr == ""
        status, out, err = run_on_terminal("search", "Bishkek", archive=arch)
        assert status == 0 and "1 release match" in out
        assert err.count("the archive is open elsewhere; reading it only") == 1
    finally:
        holder.kill()
        holder.wait()


def test_import_progress_on_a_terminal_names_its_phases(tmp_path: Path, corpus: Path) -> None:
    # The first 300 real releases (batches of them stored, then indexed) show every phase
    # as the whole file does, in a third of the time.
    source = tmp_path / "in" / "zelenskyy.csv"
    source.parent.mkdir()
    real_releases(corpus, source.parent, 300).rename(source)
    status, out, err = run_on_terminal("import", source, archive=tmp_path / "a")
    assert status == 0, err
    assert "Imported " in out
    assert "Reading zelenskyy.csv" in err
    assert "Storing zelenskyy.csv: " in err
    assert "Indexing " in err
    percents = [int(p.split("%")[0].split("]")[-1]) for p in err.split("\r") if "%" in p]
    assert percents == sorted(percents) and percents[-1] == 100

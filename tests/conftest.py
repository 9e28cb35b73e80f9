"""Shared fixtures: a private home for every test, real archives in tmp_path, the shared data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from archive_browser.core.model import Release
from archive_browser.core.textnorm import checksum
from tests.cli_launcher import Launcher, LauncherDied

# Qt must never look for a display, in any test.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("ARCHIVE_BROWSER_SHARED", REPO.parent / "shared")).resolve()
SAMPLE = SHARED / "samples" / "csto-releases.txt"
CORPUS = SHARED / "corpora" / "kremlin-en-2021-2022"


def shared_file(path: Path) -> Path:
    """A file of the shared data; a missing one fails the test (it is never skipped)."""
    if not path.exists():
        pytest.fail(
            f"{path} is missing: the tests read the shared releases from ../shared next to the "
            "repository (or from $ARCHIVE_BROWSER_SHARED)."
        )
    return path


@pytest.fixture(autouse=True)
def private_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Data and config folders of a test live in a temporary folder, never the user's."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("ARCHIVE_BROWSER_HOME", str(home))
    monkeypatch.delenv("ARCHIVE_BROWSER_ARCHIVE", raising=False)
    return home


@pytest.fixture
def sample() -> Path:
    return shared_file(SAMPLE)


@pytest.fixture
def corpus() -> Path:
    return shared_file(CORPUS)


def copy_archive(folder: Path, to: Path) -> Path:
    """A copy of a closed archive folder, for a test that writes into an archive it shares
    with others (copying is far cheaper than importing again). The lock file stays behind."""
    shutil.copytree(folder, to, ignore=shutil.ignore_patterns("archive.lock"))
    return to


@pytest.fixture(scope="session")
def zelenskyy_archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder of an archive holding the 980 real releases of the corpus' zelenskyy.csv,
    imported once per session as the program imports them, and closed. Tests read it, or
    copy it with copy_archive before they change anything."""
    from archive_browser.core.archive import Archive
    from archive_browser.core.jobs import run

    source = shared_file(CORPUS / "zelenskyy.csv")
    root = tmp_path_factory.mktemp("zelenskyy")
    with pytest.MonkeyPatch.context() as m:
        m.setenv("ARCHIVE_BROWSER_HOME", str(root / "home"))
        m.delenv("ARCHIVE_BROWSER_ARCHIVE", raising=False)
        folder = root / "archive"
        with Archive.open(folder) as archive:
            report = run(archive.import_paths([source]))
        assert report is not None and len(report.imported_ids) == 980
    yield folder


@pytest.fixture
def archive(tmp_path: Path) -> Iterator:
    """A new, empty archive in tmp_path: a real SQLite file and a real Whoosh index."""
    from archive_browser.core.archive import Archive

    a = Archive.open(tmp_path / "archive")
    yield a
    a.close()


REAL_LAUNCH = "ARCHIVE_BROWSER_TEST_REAL_LAUNCH"


def _command_name(args: list[str]) -> str:
    """The command a CLI call runs: its first word that is neither an option nor its value."""
    words = iter(args)
    for word in words:
        if word == "--archive":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return " ".join(args)  # --version, --help, or the window


class _Launches:
    """Whether a CLI call is launched for real or forked from the warm server, and the server."""

    def __init__(self) -> None:
        self.seen: set[str] = set()
        self.launcher: Launcher | None = None
        self.broken = False

    def forked(self, cmd: list[str], env: dict[str, str]) -> Launcher | None:
        """The server to run this call, or None for a real launch: the first call of each
        command in a session, any call when $ARCHIVE_BROWSER_TEST_REAL_LAUNCH is 1, a call whose
        environment a fresh interpreter would read differently, or no working server."""
        name = _command_name(cmd)
        if name not in self.seen or env.get(REAL_LAUNCH) == "1" or self.broken:
            self.seen.add(name)
            return None
        if self.launcher is not None and not self.launcher.alive():
            self._broke("it stopped")
            return None
        if self.launcher is None:
            base = {k: v for k, v in env.items() if not k.startswith("ARCHIVE_BROWSER_")}
            log = Path(tempfile.gettempdir()) / f"archive-browser-cli-launcher-{os.getpid()}.log"
            try:
                self.launcher = Launcher.start(base, log=log)
            except (LauncherDied, OSError) as e:
                self._broke(str(e))
                return None
        return self.launcher if self.launcher.can_run(env) else None

    def _broke(self, why: str) -> None:
        self.broken = True
        self.close()
        warnings.warn(
            f"the CLI launcher is not there ({why}): real launches from now on", stacklevel=3
        )

    def close(self) -> None:
        if self.launcher is not None:
            self.launcher.close()
            self.launcher = None


_launches = _Launches()


@pytest.fixture(scope="session", autouse=True)
def cli_launcher() -> Iterator[None]:
    """Ends the warm CLI server with the session (its CPU time then counts as pytest's
    children's)."""
    yield
    _launches.close()


def run_cli(
    *args: str | Path,
    archive: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    input: str | None = None,
    real: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Runs the real command line: `python -m archive_browser` in a subprocess, or the same
    in a child forked from a warm server that imported it once (tests/cli_launcher.py). The
    first call of each command in a session is launched for real, and every call with
    `real=True` or $ARCHIVE_BROWSER_TEST_REAL_LAUNCH=1."""
    argv = ["--archive", str(archive)] if archive is not None else []
    argv += [str(a) for a in args]
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    launcher = None if real else _launches.forked(argv, full_env)
    if launcher is not None:
        try:
            return launcher.run(argv, env=full_env, input=input, timeout=timeout)
        except LauncherDied as e:
            _launches._broke(str(e))
    return subprocess.run(
        [sys.executable, "-m", "archive_browser", *argv],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        timeout=timeout,
        input=input,
        check=False,
    )


def index_release(i: int, body: str, *, title: str = "", language: str = "") -> Release:
    """A release as the store would give it, for tests that fill an index directly: by
    default as a plain text file gives it, with no title, source or language of its own."""
    return Release(
        id=i,
        title=title,
        body=body,
        date=None,
        summary="",
        source="",
        url="",
        language=language,
        place="",
        kind="",
        notes="",
        orig_path="",
        orig_format="",
        checksum=checksum(body),
        added="",
        modified="",
        rev=1,
    )


@pytest.fixture
def spilled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many runs each index writer had after each time its pool was written as one."""
    import archive_browser.core.index.pool as pool_module

    counts: list[int] = []
    spill = pool_module.PoolSegmentWriter._spill

    def counted(self: pool_module.PoolSegmentWriter) -> None:
        spill(self)
        counts.append(len(self.runs))

    monkeypatch.setattr(pool_module.PoolSegmentWriter, "_spill", counted)
    return counts

"""Starting the window where it cannot start: a clear paragraph and exit 1, never a core dump."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from archive_browser.gui.preflight import NO_DISPLAY, display_problem
from tests.conftest import run_cli


def test_no_display_is_said_and_exits_1(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    done = subprocess.run(
        [sys.executable, "-m", "archive_browser", "--archive", str(tmp_path / "a")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "no display" in done.stderr and "archive-browser search" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "a").exists()  # nothing was created either


def test_missing_xcb_cursor_names_the_packages() -> None:
    env = {"DISPLAY": ":0"}
    problem = display_problem(
        env, loads=lambda name: name != "libxcb-cursor.so.0", platform="linux"
    )
    assert problem is not None
    assert "sudo apt install libxcb-cursor0." in problem
    assert "sudo dnf install xcb-util-cursor." in problem


def test_every_library_present_or_headless_is_fine() -> None:
    assert display_problem({"DISPLAY": ":0"}, loads=lambda _n: True, platform="linux") is None
    nothing = {"QT_QPA_PLATFORM": "offscreen"}
    assert display_problem(nothing, loads=lambda _n: False, platform="linux") is None
    assert display_problem({}, loads=lambda _n: True, platform="linux") == NO_DISPLAY
    assert display_problem({}, loads=lambda _n: False, platform="win32") is None
    # On Wayland the X11 plugin's libraries are not needed.
    wayland = {"WAYLAND_DISPLAY": "wayland-0"}
    assert display_problem(wayland, loads=lambda n: "xcb" not in n, platform="linux") is None


def test_cli_commands_do_not_need_a_display(tmp_path: Path, sample: Path) -> None:
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = run_cli("import", sample, archive=tmp_path / "a", env=env)
    assert done.returncode == 0, done.stderr

"""The layers of the code, checked by import-linter (contracts in pyproject.toml): the window
and the CLI on the background jobs, on the exporters, on the facade, on its parts; no Qt in the
core; no import cycle among the modules of a package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _lint_imports(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "lint-imports"
    return subprocess.run(
        [str(exe), "--no-cache", *args],
        cwd=REPO if env is None else env["PYTHONPATH"],
        env=None if env is None else {**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    result = _lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_qt_in_the_core_breaks_the_contracts(tmp_path: Path) -> None:
    """The contracts can fail: a copy of the package whose core imports Qt widgets."""
    copy = tmp_path / "archive_browser"
    shutil.copytree(REPO / "archive_browser", copy, ignore=shutil.ignore_patterns("__pycache__"))
    (copy / "core" / "qt_probe.py").write_text("from PySide6 import QtWidgets\n")
    result = _lint_imports(str(REPO / "pyproject.toml"), env={"PYTHONPATH": str(tmp_path)})
    assert result.returncode != 0
    assert "archive_browser.core is not allowed to import PySide6" in result.stdout
    assert "archive_browser.core.qt_probe -> PySide6" in result.stdout

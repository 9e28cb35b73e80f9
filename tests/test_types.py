"""The core passes mypy with the settings in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_the_core_passes_mypy() -> None:
    exe = Path(sys.executable).parent / "mypy"
    # The cache (ignored by git) makes a second run take seconds instead of half a minute.
    result = subprocess.run(
        [str(exe), "--cache-dir", str(REPO / ".mypy_cache"), "archive_browser/core"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout

"""Set-ups the end-to-end tests share: made once per session through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import CORPUS, run_cli, shared_file


@pytest.fixture(scope="session")
def corpus_imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    """The whole shared corpus imported once through the real CLI (`import FOLDER --json`):
    the archive's folder and the import's JSON report. Tests copy the folder
    (tests.conftest.copy_archive) before they change anything in it."""
    root = tmp_path_factory.mktemp("corpus-cli")
    folder = root / "arch"
    result = run_cli(
        "import",
        shared_file(CORPUS),
        "--json",
        archive=folder,
        env={"ARCHIVE_BROWSER_HOME": str(root / "home")},
    )
    assert result.returncode == 0, result.stderr
    return folder, json.loads(result.stdout)

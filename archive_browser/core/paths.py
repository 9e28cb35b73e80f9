"""Where things live: the user's data and config folders, the default archive, resources.

`ARCHIVE_BROWSER_HOME` (like qutebrowser's --basedir) moves data and config under one folder;
`ARCHIVE_BROWSER_ARCHIVE` names the archive to open when `--archive` is not given.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from archive_browser import APP_ID

ENV_HOME = "ARCHIVE_BROWSER_HOME"
ENV_ARCHIVE = "ARCHIVE_BROWSER_ARCHIVE"


def data_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser() / "data"
    return platformdirs.user_data_path(APP_ID, appauthor=False)


def config_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    if home:
        return Path(home).expanduser() / "config"
    return platformdirs.user_config_path(APP_ID, appauthor=False)


def default_archive() -> Path:
    """The archive opened when none is named: `ARCHIVE_BROWSER_ARCHIVE`, or one in the user's
    data folder."""
    named = os.environ.get(ENV_ARCHIVE)
    if named:
        return Path(named).expanduser()
    return data_dir() / "archive"


def resource_path(*parts: str) -> Path:
    """A file shipped with the program, from a source checkout, an installed wheel or a
    PyInstaller build alike."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = []
    if bundle:
        candidates.append(Path(bundle) / "resources")
    package = Path(__file__).resolve().parent.parent
    candidates += [package / "_resources", package.parent / "resources"]
    for base in candidates:
        path = base.joinpath(*parts)
        if path.exists():
            return path
    return candidates[-1].joinpath(*parts)

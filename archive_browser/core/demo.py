"""The demo releases a new default archive starts with, so a newcomer sees something real."""

from __future__ import annotations

from archive_browser.core.archive import Archive, ImportReport
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run
from archive_browser.core.paths import resource_path

DEMO_FILE = ("demo", "csto-releases.txt")
DEMO_TAG = "demo"


def seed_demo(archive: Archive) -> ImportReport | None:
    """Imports the bundled demo releases (tagged "demo", so they are easy to find and delete)."""
    path = resource_path(*DEMO_FILE)
    if not path.exists():
        return None
    options = ImportOptions(tags=[DEMO_TAG], source="CSTO")
    return run(archive.import_paths([path], options))

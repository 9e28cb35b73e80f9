"""The demo releases a new default archive starts with, so a newcomer sees something real."""

from __future__ import annotations

from archive_browser.core.archive import Archive, ImportReport
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import Job
from archive_browser.core.paths import resource_path

DEMO_FILE = ("demo", "csto-releases.txt")
DEMO_TAG = "demo"


def seed_demo(archive: Archive) -> Job[ImportReport]:
    """The job importing the bundled demo releases (tagged "demo", so that they are easy to
    find and delete)."""
    options = ImportOptions(tags=[DEMO_TAG], source="CSTO")
    return archive.import_paths([resource_path(*DEMO_FILE)], options)

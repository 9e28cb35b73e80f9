"""A process for the crash tests to kill: it imports, tags or holds an archive, and says on
stdout, line by line, what it has done so far (`python -m tests.e2e.driver ...`)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.archive import importing as archive_module
from archive_browser.core.importers import ImportOptions


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    command, folder = argv[0], Path(argv[1])
    # Small batches and frequent index commits: many different states to be killed in.
    archive_module.IMPORT_BATCH = 40
    archive_module.INDEX_COMMIT_EVERY = 160
    archive = Archive.open(folder)
    if command == "import":
        job = archive.import_paths([Path(p) for p in argv[2:]], ImportOptions(tags=["crash"]))
        for progress in job:
            if "stored" in progress.message:
                # Committed to SQLite: from here on these releases must survive.
                say(f"stored {archive.count()}")
        say("done")
    elif command == "tag":
        ids = archive.search("", limit=None).ids
        say(f"start {len(ids)}")
        archive.tag(ids, [argv[2]])
        say("done")
    elif command == "hold":
        say("open")
        time.sleep(600)
    archive.close()


if __name__ == "__main__":
    main(sys.argv[1:])

"""A process for the crash tests to kill: it imports, tags or holds an archive, and says on
stdout, line by line, what it has done so far (`python -m tests.e2e.driver ...`).

Told a point, it stops there and says `paused ...`, so that the test kills it at that point
and no other, whatever the machine's speed: nothing in the program is changed for this. An
import stops at the job's own progress events (the n-th batch committed, the n-th chunk
indexed, the index about to be written); tagging, which has none, at the statements SQLite
is given (seen through the connection's trace callback): the commit of the tag transaction,
or the first statement after it, before the index is brought up to date.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from archive_browser.core.archive import Archive, index_process
from archive_browser.core.archive import importing as archive_module
from archive_browser.core.importers import ImportOptions

#: Where tagging can be stopped: inside its SQLite transaction, at the COMMIT (every change
#: written, none committed), or after the commit, before the index has the change.
TAG_POINTS = ("transaction", "index")


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def pause(line: str) -> None:
    """Says where the driver stopped, and waits to be killed."""
    say(f"paused {line}")
    time.sleep(600)
    say("not killed")
    sys.exit(1)


def import_until(archive: Archive, point: str, nth: int, paths: list[str]) -> None:
    """Imports `paths`, stopping at the `nth` progress message that holds `point`."""
    job = archive.import_paths([Path(p) for p in paths], ImportOptions(tags=["crash"]))
    seen = 0
    child = None
    for progress in job:
        if child is None and archive.imports._child is not None:
            child = archive.imports._child.pid
            say(f"child {child}")  # the process that indexes beside the import
        if "stored" in progress.message:
            # Committed to SQLite: from here on these releases must survive.
            say(f"stored {archive.count()}")
        if point in progress.message:
            seen += 1
            if seen == nth:
                pause(f"{progress.message} {archive.count()}")
    say("done")


def tag_until(archive: Archive, point: str, name: str) -> None:
    """Tags every release with `name`, stopping at `point` (see TAG_POINTS)."""
    assert point in TAG_POINTS, point
    ids = archive.search("", limit=None).ids
    say(f"start {len(ids)}")
    writes = 0
    committed = False

    def trace(statement: str) -> None:
        nonlocal writes, committed
        words = statement.split(None, 1)
        verb = words[0].upper() if words else ""
        if committed and point == "index":
            pause(f"after commit {writes}")
        if verb in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
            writes += 1
        elif verb == "COMMIT" and writes:
            if point == "transaction":
                pause(f"at commit {writes}")
            committed = True

    archive.store.db.conn.set_trace_callback(trace)
    archive.tag(ids, [name])
    say("done")


def main(argv: list[str]) -> None:
    command, folder = argv[0], Path(argv[1])
    # Small batches: many committed batches to be killed after.
    archive_module.IMPORT_BATCH = 40
    archive = Archive.open(folder)
    if command == "import-beside":  # as import, indexing in a process of its own
        index_process.INDEX_PROCESS_BYTES = 0
        command = "import"
    if command == "import":  # import FOLDER POINT NTH FILE...
        import_until(archive, argv[2], int(argv[3]), argv[4:])
    elif command == "tag":  # tag FOLDER POINT TAG
        tag_until(archive, argv[2], argv[3])
    elif command == "hold":
        say("open")
        time.sleep(600)
    archive.close()


if __name__ == "__main__":
    main(sys.argv[1:])

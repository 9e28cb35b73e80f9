"""What every command shares: opening the archive, reading ids and mappings, printing JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive_browser import APP_ID
from archive_browser.cli.progress import run_job
from archive_browser.core import importers
from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.errors import (
    ArchiveLockedError,
    DiskFullError,
    NotFoundError,
    ReadOnlyArchiveError,
    UserFacingError,
)
from archive_browser.core.integrity import Damage, DamagedArchiveError
from archive_browser.core.paths import ENV_ARCHIVE, default_archive

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 2, 130


# --- opening the archive ----------------------------------------------------------------------


def open_archive(args: argparse.Namespace, *, write: bool) -> Archive:
    """Opens the archive the user named (or the default one, seeded with the demo releases
    when it is new). A command that only reads falls back to read-only when the archive is
    open for writing elsewhere."""
    explicit = args.archive is not None or bool(os.environ.get(ENV_ARCHIVE))
    folder = Path(args.archive) if args.archive is not None else default_archive()
    new = not (folder / DB_NAME).exists()
    try:
        archive = Archive.open(folder)
    except (ArchiveLockedError, ReadOnlyArchiveError) as e:
        if write:
            raise
        archive = Archive.open(folder, readonly=True)
        why = "open elsewhere" if isinstance(e, ArchiveLockedError) else "not writable"
        _notice(f"the archive is {why}; reading it only.")
    if archive.damage is not None:
        damage = archive.damage
        if write:
            archive.close()
            raise DamagedArchiveError(damage)
        _opened_damage.append(damage)
        print(f"{APP_ID}: {damage.message()}", file=sys.stderr)
    if not archive.readonly:
        if archive.needs_repair:
            if archive.index_problem:
                why = f"the search index cannot be used ({archive.index_problem}); rebuilding it"
                print(f"{APP_ID}: {why} from the archive...", file=sys.stderr)
            else:
                print(f"{APP_ID}: bringing the search index up to date...", file=sys.stderr)
            try:
                run_job(archive.repair())
            except DiskFullError:
                # Reading needs no room: the work stays recorded and is done on a later
                # opening, when there is room again.
                if write:
                    archive.close()
                    raise
                print(
                    f"{APP_ID}: the disk is full, so the search index could not be brought up "
                    f"to date ({archive.pending_index_count():,} updates wait); it will be when "
                    "there is room. Reading goes on; searches may miss the latest changes.",
                    file=sys.stderr,
                )
        if new and not explicit:
            from archive_browser.core.demo import seed_demo

            run_job(seed_demo(archive))
    return archive


_noticed: set[str] = set()


def _notice(message: str) -> None:
    """A remark for a person at a terminal (not for scripts reading stderr), once a process."""
    if message not in _noticed and sys.stderr.isatty():
        _noticed.add(message)
        print(f"{APP_ID}: {message}", file=sys.stderr)


def _print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


#: Damage met on opening in this run (the message of a later SQLite error names it).
_opened_damage: list[Damage] = []
#: SQLite's integers: an id beyond this names no release.
MAX_ID = 2**63 - 1


def _parse_id(text: str, what: str = "a release id") -> int:
    """A release id from the command line, or a clear error."""
    try:
        value = int(text.strip())
    except ValueError:
        raise UserFacingError(f"{what} is a whole number, not {_shown(text)}") from None
    if value < 1:
        raise UserFacingError(f"{what} is 1 or more, not {value}")
    if value > MAX_ID:
        raise NotFoundError(f"No release has the id {_shown(text)}.")
    return value


def _parse_ids(text: str) -> list[int]:
    parts = [part for part in text.replace(" ", "").split(",") if part]
    if not parts:
        raise UserFacingError("--ids names no release; give ids separated by commas, e.g. 1,2,5")
    ids = []
    for part in parts:
        try:
            ids.append(_parse_id(part, "each of --ids"))
        except NotFoundError:
            raise NotFoundError(f"No release has the id {_shown(part)}.") from None
        except UserFacingError:
            raise UserFacingError(
                f"--ids takes numbers separated by commas, not {_shown(text)}"
            ) from None
    return ids


def _shown(text: str, limit: int = 60) -> str:
    """User input in a message: quoted, escaped, cut short."""
    shown = repr(text[:limit])
    return shown + ("..." if len(text) > limit else "")


def _parse_mapping(items: Sequence[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        fieldname, sep, column = item.partition("=")
        if not sep or not fieldname or not column:
            raise UserFacingError(f"--map takes FIELD=COLUMN, not {item!r}")
        if fieldname not in importers.MAPPABLE_FIELDS:
            raise UserFacingError(
                f"--map: {fieldname!r} is not a field; fields are "
                + ", ".join(importers.MAPPABLE_FIELDS)
            )
        mapping[fieldname] = column
    return mapping


# --- commands ---------------------------------------------------------------------------------

"""The command line: the same jobs as the window, headless.

Run with no subcommand, the program opens its window. User-facing errors are one line on
stderr and a non-zero exit status: 1 for an error, 2 when an import left some files out.

Where things are: `commands.py` holds one `cmd_NAME` function per command, `parser.py`
its options and help, `common.py` what commands share, `help.py` the examples and
`archive-browser help TOPIC`, `progress.py` the terminal's progress bar. A new command is a
`cmd_NAME` in commands.py and its `add_parser` block in parser.py.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from archive_browser import APP_ID
from archive_browser.cli.commands import _archive_folder
from archive_browser.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    _opened_damage,
)
from archive_browser.cli.parser import build_parser
from archive_browser.core.archive import DB_NAME
from archive_browser.core.errors import (
    UserFacingError,
)
from archive_browser.core.integrity import Damage, DamagedArchiveError, is_damage

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from archive_browser.gui.preflight import display_problem

        problem = display_problem()
        if problem is not None:
            print(f"{APP_ID}: {problem}", file=sys.stderr)
            return EXIT_ERROR
        from archive_browser.gui.app import run_gui

        return run_gui(Path(args.archive) if args.archive else None)
    try:
        return int(args.func(args))
    except DamagedArchiveError as e:
        # The damage and the way out were said on opening; say only what was not done.
        print(f"{APP_ID}: {e.refusal if _opened_damage else e}", file=sys.stderr)
        return EXIT_ERROR
    except UserFacingError as e:
        print(f"{APP_ID}: {e}", file=sys.stderr)
        return EXIT_ERROR
    except sqlite3.DatabaseError as e:
        if not (is_damage(e) or _opened_damage):
            raise
        # Damage met after the checks on opening (they are bounded in time): named clearly.
        damage = (_opened_damage or [None])[-1] or Damage(
            _archive_folder(args) / DB_NAME, f"SQLite cannot read part of it ({e})"
        )
        if _opened_damage:
            print(
                f"{APP_ID}: this part of the damaged archive cannot be read ({e}).", file=sys.stderr
            )
        else:
            print(f"{APP_ID}: {damage.message()}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"\n{APP_ID}: interrupted; what was finished is kept.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK

"""`archive-browser verify`: the fixity check of the kept original files, and its log."""

from __future__ import annotations

import argparse
import sys

from archive_browser.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    _print_json,
    open_archive,
)
from archive_browser.cli.progress import run_job


def add_parser(sub: argparse._SubParsersAction, json_help: str) -> None:  # type: ignore[type-arg]
    """The `verify` command's arguments."""
    p = sub.add_parser(
        "verify",
        help="re-hash every kept original file (fixity check); exit status 1 when one is "
        "missing or changed",
        description="Reads every original file the archive keeps (in its originals folder) "
        "and compares its SHA-256 with the one recorded when it was imported. Missing and "
        "changed files are listed with their releases, and the check is logged in the "
        "archive (see --log). Exit status 1 when a file is missing or changed.",
    )
    p.add_argument("--log", action="store_true", help="list the earlier checks instead")
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_verify)


def cmd_verify(args: argparse.Namespace) -> int:
    with open_archive(args, write=False) as archive:
        if args.log:
            return _print_log(archive.fixity.verifications(), args.json)
        report = run_job(archive.verify())
        readonly = archive.readonly
    if report is None:
        return EXIT_INTERRUPTED
    if args.json:
        _print_json({**report.to_json(), "logged": not readonly})
        return EXIT_OK if report.ok else EXIT_ERROR
    for problem in report.problems:
        releases = ", ".join(map(str, problem.releases)) or "none"
        print(f"{problem.problem}: {problem.path} (releases {releases})")
    if report.ok:
        print(f"All {report.checked:,} kept original files are unchanged.")
    else:
        print(
            f"Checked {report.checked:,} kept original files: {len(report.missing):,} missing, "
            f"{len(report.changed):,} changed. Restore them from a backup "
            "('archive-browser restore')."
        )
    if readonly:
        print("(The archive is open elsewhere: this check was not logged.)", file=sys.stderr)
    return EXIT_OK if report.ok else EXIT_ERROR


def _print_log(rows: list, as_json: bool) -> int:  # type: ignore[type-arg]
    if as_json:
        _print_json(
            [
                {
                    "id": r.id,
                    "started": r.started,
                    "checked": r.checked,
                    "missing": r.missing,
                    "changed": r.changed,
                    "duration": round(r.duration, 3),
                    "cancelled": r.cancelled,
                    "problems": r.problems,
                }
                for r in rows
            ]
        )
        return EXIT_OK
    if not rows:
        print("No fixity check has been run in this archive yet ('archive-browser verify').")
    for r in rows:
        result = (
            "all unchanged"
            if not (r.missing or r.changed)
            else f"{r.missing:,} missing, {r.changed:,} changed"
        )
        stopped = " (cancelled)" if r.cancelled else ""
        print(f"{r.started}  {r.checked:,} checked in {r.duration:.1f} s: {result}{stopped}")
        for p in r.problems:
            ids = ", ".join(map(str, p.get("releases", []))) or "none"
            print(f"    {p.get('problem')}: {p.get('path')} (releases {ids})")
    return EXIT_OK

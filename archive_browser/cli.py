"""The command line: the same jobs as the window, headless.

Run with no subcommand, the program opens its window. User-facing errors are one line on
stderr and a non-zero exit status: 1 for an error, 2 when an import left some files out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from archive_browser import APP_ID, __version__
from archive_browser.cli_help import JSON_HELP, SORT_HELP, cmd_help, finish
from archive_browser.cli_progress import run_job
from archive_browser.core import importers
from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.archive.opening import inspect_file
from archive_browser.core.errors import (
    ArchiveLockedError,
    DiskFullError,
    IndexDamagedError,
    NotFoundError,
    ReadOnlyArchiveError,
    UserFacingError,
)
from archive_browser.core.integrity import Damage, DamagedArchiveError, is_damage
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


def cmd_import(args: argparse.Namespace) -> int:
    try:
        options = importers.ImportOptions(
            split=args.split,
            mapping=_parse_mapping(args.map),
            tags=args.tag,
            source=args.source or "",
            kind=args.kind or "",
        )
    except ValueError as e:
        raise UserFacingError(str(e)) from None
    with open_archive(args, write=True) as archive:
        report = run_job(archive.import_paths(args.paths, options))
    if report is None:
        return EXIT_INTERRUPTED
    if args.json:
        _print_json(report.to_json())
    else:
        for path, error in report.failures:
            print(f"failed: {path}: {error}", file=sys.stderr)
        possible = [m for m in report.matches if m.kind == "possible"]
        for m in possible:
            print(f"possible duplicate: {m.id} {m.title!r} has the text of {m.matched_id}")
        print(
            f"Imported {len(report.imported_ids):,} releases"
            f"{f' ({len(possible):,} possible duplicates)' if possible else ''}; "
            f"{len(report.duplicate_ids):,} were already in the archive; "
            f"{len(report.failures):,} failed."
        )
    return EXIT_PARTIAL if report.failures else EXIT_OK


def _hit_json(release: Any, score: float | None, snippet: str) -> dict[str, Any]:
    return {
        "id": release.id,
        "title": release.title,
        "date": release.date,
        "source": release.source,
        "tags": release.tags,
        "score": round(score, 4) if score is not None else None,
        "snippet": snippet,
    }


def cmd_search(args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    if args.limit < 1:
        raise UserFacingError("--limit must be at least 1")
    with open_archive(args, write=False) as archive:
        for attempt in range(2):
            try:
                results = archive.search(text, sort=args.sort, limit=args.limit)
                releases = archive.get_many(results.ids)
                snippets = archive.snippets(results.ids, results.query)
                break
            except IndexDamagedError as e:
                # Marked damaged: rebuilt now (or by the next command that may write).
                if attempt or archive.readonly:
                    raise
                print(f"{APP_ID}: {e}", file=sys.stderr)
                run_job(archive.repair())
        scores = dict(zip(results.ids, results.scores, strict=False))
    if args.json:
        _print_json(
            {
                "total": results.total,
                "hits": [_hit_json(r, scores.get(r.id), snippets[r.id].marked()) for r in releases],
            }
        )
        return EXIT_OK
    tty = sys.stdout.isatty()
    bold, plain = ("\033[1m", "\033[0m") if tty else ("**", "**")
    what = f"match {text!r}" if text.strip() else "in the archive"
    print(f"{results.total:,} release{'s' if results.total != 1 else ''} {what}", end="")
    print(f" (showing {len(releases):,})" if len(releases) < results.total else "")
    width = min(shutil.get_terminal_size((100, 20)).columns, 110)
    for r in releases:
        tags = f"  [{', '.join(r.tags)}]" if r.tags else ""
        print(f"\n{r.id:>6}  {r.date or 'no date':<10}  {r.title}{tags}")
        meta = " · ".join(filter(None, [r.source, r.place, r.kind, r.language]))
        if meta:
            print(f"{'':>18}{meta}")
        snippet = snippets[r.id].marked(bold, plain)
        for line in textwrap.wrap(snippet, width - 18):
            print(f"{'':>18}{line}")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    release_id = _parse_id(args.id)
    with open_archive(args, write=False) as archive:
        release = archive.get(release_id)
    if args.json:
        _print_json(release.to_dict())
        return EXIT_OK
    print(release.title)
    print("=" * min(len(release.title), 78))
    for label, value in (
        ("Id", release.id),
        ("Date", release.date or "unknown"),
        ("Source", release.source),
        ("Place", release.place),
        ("Kind", release.kind),
        ("Language", release.language),
        ("URL", release.url),
        ("Tags", ", ".join(release.tags)),
        ("File", release.orig_path),
        ("Added", release.added),
    ):
        if value not in ("", None):
            print(f"{label + ':':<10} {value}")
    if release.summary:
        print(f"\n{release.summary}")
    print()
    print(release.body)
    if release.notes:
        print(f"\nNotes:\n{release.notes}")
    return EXIT_OK


def _target_ids(archive: Archive, args: argparse.Namespace) -> list[int]:
    if args.ids is not None:
        ids = _parse_ids(args.ids)
        missing = sorted(set(ids) - set(archive.existing_ids(ids)))
        if missing:
            raise UserFacingError(f"No release has the id {', '.join(map(str, missing))}.")
        return ids
    return archive.search(args.query, limit=None).ids


def cmd_tag(args: argparse.Namespace) -> int:
    action = args.tag_command
    if action == "list":
        with open_archive(args, write=False) as archive:
            counts = archive.tag_counts()
        if args.json:
            _print_json([{"tag": name, "count": n} for name, n in counts])
        elif not counts:
            print("No tags yet.")
        else:
            print("\n".join(f"{n:>7,}  {name}" for name, n in counts))
        return EXIT_OK
    with open_archive(args, write=True) as archive:
        if action in ("add", "remove"):
            ids = _target_ids(archive, args)
            if action == "add":
                changed = archive.tag(ids, args.tags).releases
                print(f"Tagged {len(changed):,} of {len(ids):,} releases.")
            else:
                changed = archive.untag(ids, args.tags).releases
                print(f"Untagged {len(changed):,} of {len(ids):,} releases.")
        elif action == "rename":
            changed = archive.rename_tag(args.old, args.new).releases
            print(f"Renamed {args.old!r} to {args.new!r} on {len(changed):,} releases.")
        elif action == "delete":
            changed = archive.delete_tag(args.name).releases
            print(f"Deleted {args.name!r} from {len(changed):,} releases.")
    return EXIT_OK


def _export_ids(archive: Archive, args: argparse.Namespace) -> list[int]:
    """The releases to export, in the order asked for."""
    if args.query is not None:
        ids = archive.search(args.query, sort=args.sort or "relevance", limit=None).ids
        if not ids:
            raise UserFacingError(f"No release matches {args.query!r}; nothing to export.")
        return ids
    ids = list(dict.fromkeys(_target_ids(archive, args)))
    if args.sort in ("date", "-date"):
        ids = archive.sort_ids(ids, args.sort)
    return ids


def cmd_export(args: argparse.Namespace) -> int:
    from archive_browser.core.export import export_format, export_releases

    export_format(args.out)  # an unknown ending fails before the archive is opened
    with open_archive(args, write=False) as archive:
        ids = _export_ids(archive, args)
        report = run_job(
            export_releases(
                archive, ids, args.out, query=args.query or None, highlight=args.highlight
            )
        )
    if report is None:
        return EXIT_INTERRUPTED
    if args.json:
        _print_json(report.to_json())
        return EXIT_OK
    size = f"{report.bytes / 1e6:.1f} MB" if report.bytes >= 1e6 else f"{report.bytes / 1e3:.0f} kB"
    pages = f", {report.pages:,} page{'s' if report.pages != 1 else ''}" if report.pages else ""
    print(
        f"Exported {report.count:,} release{'s' if report.count != 1 else ''} to {report.path} "
        f"({size}{pages}{f'; written through the link {report.link}' if report.link else ''})."
    )
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    with open_archive(args, write=False) as archive:
        stats = archive.stats()
        stats["archive"] = str(archive.folder)
    if args.json:
        _print_json(stats)
        return EXIT_OK
    print(f"Archive:   {stats['archive']}")
    print(f"Releases:  {stats['releases']:,} ({stats['undated']:,} without a date)")
    for title, key in (
        ("By year", "by_year"),
        ("By source", "by_source"),
        ("By language", "by_language"),
        ("By kind", "by_kind"),
        ("By tag", "by_tag"),
    ):
        if stats[key]:
            print(f"\n{title}:")
            for name, n in list(stats[key].items())[:25]:
                print(f"{n:>9,}  {name or '(none)'}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    folder = Path(args.archive) if args.archive is not None else default_archive()
    try:
        archive = Archive.open(folder)
    except (ArchiveLockedError, ReadOnlyArchiveError):
        archive = Archive.open(folder, readonly=True)
    repaired = None
    with archive:
        damage = archive.damage
        # --deep reads the whole index through; damage found marks it for the rebuild below.
        first = archive.check(deep=True, full=True) if args.deep else None
        if not args.no_repair and not archive.readonly and archive.needs_repair:
            # What any open does: apply index work left by a crash, or rebuild an index that
            # is missing, damaged or outdated. Say so.
            before = first or archive.check()
            run_job(archive.repair())
            repaired = _describe_repair(before)
            first = None
        report = first or archive.check(full=True)
    if args.json:
        _print_json({**report.to_json(), "repaired": repaired})
        return EXIT_OK if report.consistent else EXIT_ERROR
    if repaired:
        print(f"Repaired on opening: {repaired}.")
    if report.file_damage:
        print(f"The archive's file is damaged: {report.file_damage}.")
        shown = damage or Damage(archive.folder / DB_NAME, report.file_damage)
        print(shown.message().split(". ", 1)[1])
    if report.consistent:
        print(f"The archive is consistent: {report.releases:,} releases, all indexed.")
    elif report.file_damage and not report.releases:
        pass
    else:
        print("The index does not match the archive:")
        if report.index_problem:
            print(f"  the index cannot be used: {report.index_problem}")
        for label, ids in (
            ("missing from the index", report.missing),
            ("in the index but not in the archive", report.extra),
            ("outdated in the index", report.stale),
        ):
            if ids:
                shown = ", ".join(map(str, ids[:20])) + (" ..." if len(ids) > 20 else "")
                print(f"  {len(ids):,} {label}: {shown}")
        if report.pending:
            print(f"  {report.pending:,} index updates recorded but not applied")
        print("Run 'archive-browser reindex' to rebuild the index.")
    return EXIT_OK if report.consistent else EXIT_ERROR


def _describe_repair(before: Any) -> str:
    if before.index_problem:
        return f"rebuilt the index ({before.index_problem})"
    return f"applied {before.pending:,} index updates left unfinished"


def cmd_backup(args: argparse.Namespace) -> int:
    with open_archive(args, write=False) as archive:
        report = run_job(archive.backup(args.out))
    if report is None:
        return EXIT_INTERRUPTED
    if args.json:
        _print_json(report.to_json())
    else:
        print(
            f"Backed up {report.releases:,} releases to {report.path} "
            f"({report.bytes / 1e6:.1f} MB). Open it with --archive, or use 'restore'."
        )
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    folder = _archive_folder(args)
    damage = inspect_file(folder / DB_NAME) if (folder / DB_NAME).exists() else None
    if damage is not None and damage.foreign:
        raise DamagedArchiveError(damage)
    if damage is not None:
        # Never opened: the damaged file is moved aside, unchanged.
        report = run_job(Archive.restore_damaged(folder, args.backup))
        if report is None:
            return EXIT_INTERRUPTED
        print(
            f"Restored {report.releases:,} releases from {args.backup}; the damaged file "
            f"({damage.what}) is kept aside, unchanged, as {report.kept}."
        )
        return EXIT_OK
    with open_archive(args, write=True) as archive:
        report = run_job(archive.restore(args.backup))
    if report is None:
        return EXIT_INTERRUPTED
    print(
        f"Restored {report.releases:,} releases from {args.backup}; "
        f"the archive as it was is kept in {report.kept}."
    )
    return EXIT_OK


def cmd_salvage(args: argparse.Namespace) -> int:
    from archive_browser.core.salvage import salvage

    folder = _archive_folder(args)
    report = run_job(salvage(folder / DB_NAME, args.dest))
    if report is None:
        return EXIT_INTERRUPTED
    if args.json:
        _print_json(report.to_json())
    else:
        print(report.summary())
    return EXIT_OK


def _archive_folder(args: argparse.Namespace) -> Path:
    return (Path(args.archive) if args.archive is not None else default_archive()).absolute()


def cmd_reindex(args: argparse.Namespace) -> int:
    started = time.monotonic()
    with open_archive(args, write=True) as archive:
        run_job(archive.reindex())
        count = archive.count()
    print(f"Rebuilt the index of {count:,} releases in {time.monotonic() - started:.1f} s.")
    return EXIT_OK


# --- the parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_ID,
        description="Keep, search, read, tag and export collections of press releases. "
        "With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--archive",
        metavar="DIR",
        help=f"the archive folder (default: ${ENV_ARCHIVE}, or one in your data folder); "
        "a folder that does not exist yet becomes a new, empty archive",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "import",
        help="import files and folders of releases",
        description="Import files, and the files of known types in folders. Formats: "
        + "; ".join(f"{f.label} ({', '.join(f.extensions)})" for f in importers.formats())
        + ".",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", type=Path)
    p.add_argument("--tag", action="append", default=[], help="tag every imported release")
    p.add_argument(
        "--split",
        choices=importers.SPLIT_STRATEGIES,
        default="auto",
        help="how to split text files holding several releases: auto (headlines and blank "
        "lines), file (one release per file), blank (at two or more blank lines), heading "
        "(before each headline)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read FIELD from COLUMN of CSV/JSON files (fields: "
        + ", ".join(importers.MAPPABLE_FIELDS)
        + ")",
    )
    p.add_argument("--source", help="source of releases whose file names none")
    p.add_argument("--kind", help="kind of releases (otherwise guessed: news, speech, ...)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "search",
        help="search the archive",
        description="Print the releases matching QUERY, best first, with a snippet around "
        "the words found. 'archive-browser help query' explains the query language.",
    )
    p.add_argument(
        "query", nargs="+", help="the query, e.g. 'tag:afghanistan date:2013' (see help query)"
    )
    p.add_argument("--limit", type=int, default=20, help="how many hits to show (default 20)")
    p.add_argument(
        "--sort", choices=("relevance", "date", "-date"), default="relevance", help=SORT_HELP
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("show", help="print one release")
    p.add_argument("id", help="the release's id (as search prints it)")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("tag", help="add, remove, rename and list tags")
    tag_sub = p.add_subparsers(dest="tag_command", metavar="ACTION", required=True)
    for action, help_text in (("add", "add tags to releases"), ("remove", "remove tags")):
        t = tag_sub.add_parser(action, help=help_text)
        t.add_argument("tags", nargs="+", metavar="TAG")
        target = t.add_mutually_exclusive_group(required=True)
        target.add_argument("--ids", help="release ids, separated by commas")
        target.add_argument("--query", help="every release matching this query")
    t = tag_sub.add_parser("rename", help="rename a tag (merging it into NEW if NEW exists)")
    t.add_argument("old", metavar="OLD")
    t.add_argument("new", metavar="NEW")
    t = tag_sub.add_parser("delete", help="remove a tag from every release")
    t.add_argument("name", metavar="TAG")
    t = tag_sub.add_parser("list", help="list tags with counts")
    t.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_tag)

    p = sub.add_parser(
        "export",
        help="write releases to a PDF, CSV or JSON file",
        description="Write releases to OUT: a PDF to read, print and file (cover, contents, "
        "one release after another), or CSV / JSON that 'import' reads back. The format "
        "follows the ending of OUT.",
    )
    p.add_argument("out", metavar="OUT", type=Path, help="the file to write: .pdf, .csv or .json")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--ids", help="release ids, separated by commas, in the order wanted")
    target.add_argument("--query", help="every release matching this query")
    p.add_argument(
        "--sort",
        choices=("relevance", "date", "-date"),
        help="order: relevance (the default for --query), date (oldest first) or -date "
        "(newest first); with --ids the default is the order given",
    )
    p.add_argument(
        "--highlight", metavar="QUERY", help="mark the words this query matches (PDF only)"
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("stats", help="counts by year, source, language, kind and tag")
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "check",
        help="verify that the index matches the archive",
        description="Applies index work left unfinished by a crash (or rebuilds an index that "
        "is missing, damaged or outdated), as opening the archive does, then compares the "
        "index with the archive release by release. Exit status 1 when they differ.",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.add_argument(
        "--no-repair", action="store_true", help="only report; change nothing (not even the index)"
    )
    p.add_argument(
        "--deep",
        action="store_true",
        help="also read the whole index through (every stored document and posting) to find damage",
    )
    p.set_defaults(func=cmd_check)

    p = sub.add_parser(
        "backup",
        help="write a consistent copy of the archive, even while it is open",
        description="Copies the archive's database with SQLite's online backup. OUT is a new "
        "folder (it then opens as an archive with --archive OUT) or a file ending in .sqlite3.",
    )
    p.add_argument("out", metavar="OUT", type=Path)
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="replace the archive with a backup (the current one is kept in backups/)",
    )
    p.add_argument("backup", metavar="BACKUP", type=Path, help="a backup folder or .sqlite3 file")
    p.set_defaults(func=cmd_restore)

    p = sub.add_parser(
        "salvage",
        help="copy every readable release, tag and saved search of a damaged archive into a "
        "new one",
        description="Reads what can be read of the archive named by --archive (which may be "
        "damaged; it is never written) and copies every readable release, tag and saved "
        "search into the new archive NEW_FOLDER, then says how many were saved and lost.",
    )
    p.add_argument("dest", metavar="NEW_FOLDER", type=Path, help="a folder without an archive")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.set_defaults(func=cmd_salvage)

    p = sub.add_parser("reindex", help="rebuild the index from the archive")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("help", help="explain the query language, or a command")
    p.add_argument(
        "topic", nargs="?", metavar="TOPIC", help="'query' (the query language) or a command"
    )
    p.set_defaults(func=lambda args: cmd_help(parser, args))
    finish(parser)
    return parser


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

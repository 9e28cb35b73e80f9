"""The commands: one `cmd_NAME(args) -> exit status` each (the parser in parser.py names them)."""

from __future__ import annotations

import argparse
import shutil
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

from archive_browser import APP_ID
from archive_browser.cli.common import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    _parse_id,
    _parse_ids,
    _parse_mapping,
    _print_json,
    open_archive,
)
from archive_browser.cli.progress import run_job
from archive_browser.core import importers
from archive_browser.core.archive import DB_NAME, Archive
from archive_browser.core.archive.opening import inspect_file
from archive_browser.core.errors import (
    ArchiveLockedError,
    IndexDamagedError,
    ReadOnlyArchiveError,
    UserFacingError,
)
from archive_browser.core.integrity import Damage, DamagedArchiveError
from archive_browser.core.paths import default_archive


def cmd_import(args: argparse.Namespace) -> int:
    try:
        options = importers.ImportOptions(
            split=args.split or "auto",
            pdf_split=args.split or "file",
            mapping=_parse_mapping(args.map),
            tags=args.tag,
            source=args.source or "",
            kind=args.kind or "",
            keep_originals=args.keep_originals,
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
        provenance = archive.provenance(release_id)
    if args.json:
        _print_json({**release.to_dict(), "provenance": provenance.to_json()})
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
    print("\nWhere this came from:")
    for label, value in provenance.rows():
        print(f"  {label + ':':<14} {value}")
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

    fmt = export_format(args.out)  # an unknown ending fails before the archive is opened
    if args.format not in (None, fmt):
        wanted = "a new folder or a .zip" if args.format == "bag" else f"a .{args.format} file"
        raise UserFacingError(f"--format {args.format} writes {wanted}; {args.out} is not one.")
    with open_archive(args, write=False) as archive:
        ids = _export_ids(archive, args)
        report = run_job(
            export_releases(
                archive,
                ids,
                args.out,
                query=args.query or None,
                highlight=args.highlight,
                organization=args.source_organization,
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
        return EXIT_OK if report.consistent and not report.missing_originals else EXIT_ERROR
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
    if report.missing_originals:
        n = len(report.missing_originals)
        print(f"{n:,} kept original file{'s are' if n != 1 else ' is'} missing (SHA-256):")
        for digest in report.missing_originals[:20]:
            print(f"  {digest}")
        print("Run 'archive-browser verify' to list their releases; restore them from a backup.")
    return EXIT_OK if report.consistent and not report.missing_originals else EXIT_ERROR


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

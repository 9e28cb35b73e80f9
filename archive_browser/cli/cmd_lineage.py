"""The commands on versions of releases: `versions` and `clusters`."""

from __future__ import annotations

import argparse
import sys

from archive_browser import APP_ID
from archive_browser.cli.common import EXIT_OK, _parse_id, _print_json, open_archive
from archive_browser.cli.help import JSON_HELP
from archive_browser.cli.progress import run_job
from archive_browser.core.archive import Archive
from archive_browser.core.errors import UserFacingError
from archive_browser.core.lineage import DEFAULT_THRESHOLD

EXAMPLES = {
    "versions": """\
  archive-browser versions 42                 (its versions, first seen first)
  archive-browser versions 42 --json
  archive-browser versions --split 57         (57 is not a version of the others)
  archive-browser versions --merge 42 57      (one cluster, whatever the similarity)
  archive-browser versions --not-version 42 57
  archive-browser versions --rebuild          (compute every release's versions anew)""",
    "clusters": """\
  archive-browser clusters
  archive-browser clusters --min-similarity 0.9 --json""",
}


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The parsers of `versions` and `clusters`."""
    p = sub.add_parser(
        "versions",
        help="list a release's versions (re-issues, corrections, re-posts), or correct them",
        description="Print the versions of release ID: the releases whose text is at least "
        f"{DEFAULT_THRESHOLD} like it (the Jaccard similarity of their five-word shingles, "
        "typos aside, or the share of the shorter in the longer when one is the other with "
        "a passage added; found by MinHash and confirmed exactly), first seen first, then "
        "by date; the "
        "release itself is among them. --split, --merge and --not-version correct the "
        "clusters; what they record is kept by later imports and rebuilds.",
    )
    p.add_argument("id", nargs="?", help="the release's id (as search prints it)")
    action = p.add_mutually_exclusive_group()
    action.add_argument("--split", metavar="ID", help="take release ID out of its cluster")
    action.add_argument(
        "--merge", nargs=2, metavar=("A", "B"), help="make the clusters of A and B one"
    )
    action.add_argument(
        "--not-version",
        nargs=2,
        metavar=("A", "B"),
        help="A and B are not versions of each other (never clustered together again)",
    )
    action.add_argument(
        "--rebuild", action="store_true", help="compute the versions of every release anew"
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_versions)

    p = sub.add_parser(
        "clusters",
        help="list the clusters of versions in the archive",
        description="Print every cluster of two or more releases that are versions of each "
        "other, with its first seen release and the similarity of its weakest link (each "
        "member is at least that like another member).",
    )
    p.add_argument(
        "--min-similarity",
        type=float,
        default=DEFAULT_THRESHOLD,
        metavar="X",
        help=f"the least similarity of versions, 0.5 to 1 (default {DEFAULT_THRESHOLD})",
    )
    p.add_argument("--json", action="store_true", help=JSON_HELP)
    p.set_defaults(func=cmd_clusters)


def _ensure_built(archive: Archive) -> None:
    """Computes the versions of an archive made before they were kept (once)."""
    if archive.versions_built or archive.count() == 0:
        return
    if archive.readonly:
        print(
            f"{APP_ID}: the versions of this archive have not been computed yet; run "
            "'archive-browser versions --rebuild' where it can be written.",
            file=sys.stderr,
        )
        return
    print(f"{APP_ID}: finding the versions of every release (once)...", file=sys.stderr)
    run_job(archive.rebuild_versions())


def cmd_versions(args: argparse.Namespace) -> int:
    if args.rebuild:
        with open_archive(args, write=True) as archive:
            run_job(archive.rebuild_versions())
            count = len(archive.clusters())
        print(f"Found {count:,} cluster{'s' if count != 1 else ''} of versions.")
        return EXIT_OK
    if args.split is not None or args.merge or args.not_version:
        return _decide(args)
    if args.id is None:
        raise UserFacingError("versions needs a release id (or --split, --merge, --not-version)")
    release_id = _parse_id(args.id)
    with open_archive(args, write=False) as archive:
        _ensure_built(archive)
        report = archive.versions(release_id)
    if args.json:
        _print_json(report.to_json())
        return EXIT_OK
    others = report.others()
    if not others:
        print(f"Release {release_id} has no other version.")
        return EXIT_OK
    print(
        f"Release {release_id} has {len(others):,} other version{'s' if len(others) > 1 else ''}:"
    )
    for v in report.versions:
        mark = "first seen" if v.first else ("this one" if v.id == release_id else "")
        print(
            f"{v.id:>7}  {v.date or 'no date':<10}  {v.similarity:>5.0%}  {mark:<10}  "
            f"{v.title}  ({v.source or 'no source'})"
        )
    return EXIT_OK


def _decide(args: argparse.Namespace) -> int:
    with open_archive(args, write=True) as archive:
        _ensure_built(archive)
        if args.split is not None:
            release_id = _parse_id(args.split)
            archive.split_version(release_id)
            print(f"Release {release_id} is no longer a version of its cluster's other releases.")
        elif args.merge:
            a, b = (_parse_id(x) for x in args.merge)
            archive.merge_versions(a, b)
            n = len(archive.versions(a).versions)
            print(f"Releases {a} and {b} are versions of each other: {n:,} in their cluster.")
        else:
            a, b = (_parse_id(x) for x in args.not_version)
            archive.mark_not_version(a, b)
            print(f"Releases {a} and {b} are not versions of each other.")
    return EXIT_OK


def cmd_clusters(args: argparse.Namespace) -> int:
    with open_archive(args, write=False) as archive:
        _ensure_built(archive)
        clusters = archive.clusters(args.min_similarity)
        rows = archive.rows([c.first_id for c in clusters], ("date", "title"))
    if args.json:
        _print_json({"clusters": [c.to_json() for c in clusters]})
        return EXIT_OK
    if not clusters:
        print(f"No release has a version at a similarity of {args.min_similarity} or more.")
        return EXIT_OK
    print(f"{len(clusters):,} cluster{'s' if len(clusters) != 1 else ''} of versions:")
    for c in clusters:
        date, title = rows.get(c.first_id, (None, ""))
        print(
            f"{len(c.ids):>5} versions  first {c.first_id} ({date or 'no date'}) {title}\n"
            f"{'':>16}ids {', '.join(map(str, c.ids))}; weakest link {c.min_similarity:.0%}"
        )
    return EXIT_OK

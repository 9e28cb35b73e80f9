"""The lineage commands: `reuse ID` (paragraphs found in other releases), `translations ID`
(candidate translations, confirmed or rejected) and `compare A B` (what changed, in a line)."""

from __future__ import annotations

import argparse
import sys
import textwrap

from archive_browser import APP_ID
from archive_browser.cli.common import EXIT_OK, _parse_id, _print_json, open_archive
from archive_browser.cli.progress import run_job
from archive_browser.core.archive import Archive
from archive_browser.core.diff import word_diff
from archive_browser.core.diffsummary import kind_label, summarize
from archive_browser.core.errors import UserFacingError


def _bring_paragraphs_up_to_date(archive: Archive) -> int:
    """Hashes releases stored before paragraph reuse existed; returns how many are still
    missing (an archive open read-only cannot hash them)."""
    missing = archive.paragraphs_missing()
    if missing and not archive.readonly:
        print(f"{APP_ID}: finding the paragraphs of {missing:,} releases first...", file=sys.stderr)
        run_job(archive.build_paragraphs())
        missing = archive.paragraphs_missing()
    return missing


def cmd_reuse(args: argparse.Namespace) -> int:
    release_id = _parse_id(args.id)
    with open_archive(args, write=False) as archive:
        archive.get(release_id)  # a clear error for an unknown id before any work
        missing = _bring_paragraphs_up_to_date(archive)
        found = archive.paragraph_reuse(release_id)
    if args.json:
        _print_json(
            {
                "id": release_id,
                "paragraphs": [p.to_json() for p in found],
                "releases_not_compared": missing,
            }
        )
        return EXIT_OK
    if missing:
        print(
            f"({missing:,} releases stored before paragraph reuse are not compared yet: "
            "open the archive for writing once to include them.)"
        )
    reused = [p for p in found if p.count]
    if not reused:
        print(f"No paragraph of release {release_id} appears in another release.")
        return EXIT_OK
    for p in reused:
        print(f"\n¶{p.position + 1}: {p.describe()} (#{p.first_id}).")
        print(textwrap.indent(textwrap.shorten(p.text, 300, placeholder=" …"), "    "))
        shown = ", ".join(str(i) for i in p.ids[:20])
        more = f" and {p.count - 20:,} more" if p.count > 20 else ""
        print(f"    in: {shown}{more}")
    return EXIT_OK


def cmd_translations(args: argparse.Namespace) -> int:
    release_id = _parse_id(args.id)
    other = args.confirm or args.reject
    with open_archive(args, write=other is not None) as archive:
        archive.get(release_id)
        if args.confirm:
            archive.confirm_translation(release_id, _parse_id(args.confirm))
        elif args.reject:
            archive.reject_translation(release_id, _parse_id(args.reject))
        found = archive.translation_candidates(release_id, include_rejected=True)
    if args.json:
        _print_json({"id": release_id, "candidates": [c.to_json() for c in found]})
        return EXIT_OK
    if not found:
        print(f"No release in another language looks like a translation of {release_id}.")
        return EXIT_OK
    for c in found:
        mark = {"confirmed": "confirmed", "rejected": "rejected"}.get(
            c.decision, f"{c.score:.2f} {'likely' if c.likely else ''}"
        )
        print(f"{c.id:>6}  {mark:<11}  {c.date or 'no date':<10}  {c.language or '?':<3} {c.title}")
        if c.reasons:
            print(f"{'':>21}{'; '.join(c.reasons)}")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    left_id, right_id = _parse_id(args.left), _parse_id(args.right)
    if left_id == right_id:
        raise UserFacingError("Name two different releases to compare.")
    with open_archive(args, write=False) as archive:
        left, right = archive.get(left_id), archive.get(right_id)
    summary = summarize(left.body, right.body)
    similarity = word_diff(left.body, right.body).similarity
    if args.json:
        _print_json(
            {"left": left_id, "right": right_id, "similarity": round(similarity, 4)}
            | summary.to_json()
        )
        return EXIT_OK
    print(f"{kind_label(summary.kind)}: {summary.summary} ({similarity:.0%} of words in common)")
    return EXIT_OK


def add_parsers(sub: argparse._SubParsersAction, json_help: str) -> None:  # type: ignore[type-arg]
    """The parser blocks of these commands."""
    p = sub.add_parser(
        "reuse",
        help="paragraphs of a release that other releases have too",
        description="For each paragraph of release ID found in other releases: how many, "
        "since when, and which (talking points reused across releases and speeches). Short "
        "lines are not compared; a paragraph in very many releases is marked boilerplate.",
    )
    p.add_argument("id", help="the release's id (as search prints it)")
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_reuse)
    p.epilog = "examples:\n  archive-browser reuse 42\n  archive-browser reuse 42 --json"

    p = sub.add_parser(
        "translations",
        help="releases in another language that may be this one translated",
        description="Lists releases in another language dated within a few days of ID that "
        "share its figures, dates, names (in any script) or address number, best first, with "
        "the pairs confirmed or rejected. --confirm and --reject store a decision.",
    )
    p.add_argument("id", help="the release's id")
    decide = p.add_mutually_exclusive_group()
    decide.add_argument("--confirm", metavar="OTHER", help="confirm OTHER as its translation")
    decide.add_argument("--reject", metavar="OTHER", help="OTHER is not its translation")
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_translations)
    p.epilog = (
        "examples:\n  archive-browser translations 42\n"
        "  archive-browser translations 42 --confirm 1870\n"
        "  archive-browser translations 42 --reject 1871 --json"
    )

    p = sub.add_parser(
        "compare",
        help="what changed between two versions of a release, in one line",
        description="Says what changed from release LEFT to release RIGHT (paragraphs added "
        "or removed, dates and figures changed, words corrected) and whether the change is "
        "typo-level, substantive or retraction-like (a paragraph removed).",
    )
    p.add_argument("left", metavar="LEFT", help="the earlier version's id")
    p.add_argument("right", metavar="RIGHT", help="the later version's id")
    p.add_argument("--json", action="store_true", help=json_help)
    p.set_defaults(func=cmd_compare)
    p.epilog = "examples:\n  archive-browser compare 41 42\n  archive-browser compare 41 42 --json"

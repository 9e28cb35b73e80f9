"""The command line's parser: every command, its options and its help."""

from __future__ import annotations

import argparse
from pathlib import Path

import archive_browser.cli.cmd_lineage as cmd_lineage
import archive_browser.cli.cmd_reuse as cmd_reuse
from archive_browser import APP_ID, __version__
from archive_browser.cli.cmd_verify import add_parser as add_verify_parser
from archive_browser.cli.commands import (
    cmd_backup,
    cmd_check,
    cmd_export,
    cmd_import,
    cmd_reindex,
    cmd_restore,
    cmd_salvage,
    cmd_search,
    cmd_show,
    cmd_stats,
    cmd_tag,
)
from archive_browser.cli.help import EXAMPLES, JSON_HELP, SORT_HELP, cmd_help, finish
from archive_browser.core import importers
from archive_browser.core.paths import ENV_ARCHIVE


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
        default=None,
        help="how to split text files holding several releases: auto (headlines and blank "
        "lines; the default), file (one release per file), blank (at two or more blank "
        "lines), heading (before each headline); given, it splits the text of PDFs too "
        "(otherwise one release per PDF), each part recording its pages",
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
    p.add_argument(
        "--keep-originals",
        choices=("binary", "all", "none"),
        default="binary",
        help="keep the original files in the archive folder: binary (PDF, office, e-mail, "
        "web archives, zip members; the default), all (text formats too) or none",
    )
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
        help="write releases to a PDF, CSV or JSON file, or a BagIt bag",
        description="Write releases to OUT: a PDF to read, print and file (cover, contents, "
        "one release after another), CSV / JSON that 'import' reads back, or a BagIt bag "
        "for archives (text, metadata with provenance, Dublin Core and the kept originals, "
        "with SHA-256 manifests; 'import' reads it back). The format follows the ending of "
        "OUT: a folder or a .zip is a bag.",
    )
    p.add_argument(
        "out",
        metavar="OUT",
        type=Path,
        help="the file to write: .pdf, .csv or .json; a new folder or a .zip for a bag",
    )
    p.add_argument(
        "--format",
        choices=("pdf", "csv", "json", "bag"),
        help="the format, checked against OUT's ending (which otherwise chooses it)",
    )
    p.add_argument(
        "--source-organization",
        metavar="NAME",
        default="",
        help="the organisation a bag's bag-info.txt names as its source (default: the "
        "releases' source, when they all have one and the same)",
    )
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

    add_verify_parser(sub, JSON_HELP)
    cmd_reuse.add_parsers(sub, JSON_HELP)  # reuse, translations, compare (issue 16)

    p = sub.add_parser("reindex", help="rebuild the index from the archive")
    p.set_defaults(func=cmd_reindex)

    # Versions and clusters (cli/cmd_lineage.py).
    cmd_lineage.add_parsers(sub)
    EXAMPLES.update(cmd_lineage.EXAMPLES)

    p = sub.add_parser("help", help="explain the query language, or a command")
    p.add_argument(
        "topic", nargs="?", metavar="TOPIC", help="'query' (the query language) or a command"
    )
    p.set_defaults(func=lambda args: cmd_help(parser, args))
    finish(parser)
    return parser

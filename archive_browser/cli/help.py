"""What the command line's `--help` says beyond its options: examples for each command, and
`archive-browser help [TOPIC]`."""

from __future__ import annotations

import argparse
import sys
import textwrap

from archive_browser.core.errors import UserFacingError
from archive_browser.core.query_help import query_help_text

#: Examples shown at the end of each command's --help.
EXAMPLES: dict[str, str] = {
    "import": """\
  archive-browser import putin.csv zelenskyy.csv
  archive-browser import releases/ --tag csto --source "CSTO press office"
  archive-browser import export.csv --map title=Headline --map date=Published
  archive-browser import statements.txt --split heading --json""",
    "search": """\
  archive-browser search security council
  archive-browser search '"drug trafficking"' date:2013 --sort -date
  archive-browser search tag:afghanistan --limit 100 --json
  archive-browser help query        (the whole query language)""",
    "show": """\
  archive-browser show 42
  archive-browser show 42 --json""",
    "tag": """\
  archive-browser tag add afghanistan --query 'Afghanistan date:2021'
  archive-browser tag remove draft --ids 12,15,31
  archive-browser tag rename afganistan afghanistan
  archive-browser tag list --json""",
    "export": """\
  archive-browser export summit.pdf --query 'summit date:2022' --sort date
  archive-browser export picked.csv --ids 12,15,31
  archive-browser export all.json --query '' """,
    "stats": """\
  archive-browser stats
  archive-browser stats --json""",
    "check": """\
  archive-browser check
  archive-browser check --no-repair --json""",
    "backup": """\
  archive-browser backup ~/backups/releases-2024-07/
  archive-browser backup releases.sqlite3 --json""",
    "restore": """\
  archive-browser restore ~/backups/releases-2024-07/""",
    "reindex": """\
  archive-browser reindex""",
    "help": """\
  archive-browser help query
  archive-browser help search""",
}

JSON_HELP = "print the result as JSON (for scripts) instead of text"
SORT_HELP = (
    "order of the hits: relevance (best first; the default), date (oldest first) or -date "
    "(newest first)"
)


def finish(parser: argparse.ArgumentParser) -> None:
    """Gives every command's help a description (its one-line help when it has none), wrapped
    to a terminal, and its examples."""
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {a.dest: a.help or "" for a in action._choices_actions}
        for name, sub in action.choices.items():
            sub.formatter_class = argparse.RawDescriptionHelpFormatter
            text = sub.description or helps.get(name, "")
            if text and not sub.description:
                text = text[0].upper() + text[1:] + "."
            sub.description = textwrap.fill(text, 88) if text else None
            if name in EXAMPLES:
                sub.epilog = "examples:\n" + EXAMPLES[name]
            finish(sub)


def cmd_help(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.topic in (None, "query", "queries", "search-syntax"):
        if args.topic is None:
            parser.print_help()
            print()
        sys.stdout.write(query_help_text())
        return 0
    commands = parser._subparsers._group_actions[0].choices if parser._subparsers else {}
    if args.topic not in commands:
        raise UserFacingError(
            f"There is no help on {args.topic!r}: try 'query' or one of "
            + ", ".join(sorted(commands))
        )
    commands[args.topic].print_help()
    return 0

"""CSV cells that a spreadsheet will not run as formulas, and back.

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula to Excel,
LibreOffice and Google Sheets (`=HYPERLINK(...)` in an imported release would be a live link,
or worse). As OWASP advises, such a cell is exported behind a single quote. A cell that already
starts with quotes before such a character gets one more, so that the archive's own importer
can take exactly one away and give back the text as it was.
"""

from __future__ import annotations

import re

_FORMULA = re.compile(r"'*[=+\-@\t\r]")


def spreadsheet_safe(cell: str) -> str:
    """`cell` as it is written to CSV: behind a quote where a spreadsheet would run it."""
    return "'" + cell if _FORMULA.match(cell) else cell


def spreadsheet_restore(cell: str) -> str:
    """The text of a cell written by `spreadsheet_safe`."""
    if cell.startswith("'") and _FORMULA.match(cell, 1):
        return cell[1:]
    return cell

"""Limits that keep one hostile or broken file from stalling an import.

Each is far above what a real collection of press releases needs; a file beyond one gets a
clear error instead of minutes of work or gigabytes of memory.
"""

from __future__ import annotations

# The largest file read of each format is in its record (registry.ImportFormat.size_limit_mb).

#: Longest release text, in characters. The longest release of the real corpus has 176,484;
#: indexing a text of tens of millions of characters would keep Whoosh busy for minutes.
MAX_RELEASE_CHARS = 2_000_000

#: Longest cell a CSV file may hold: room for a release text, plus markup or white space
#: that cleaning removes. The csv module holds a cell as 4 bytes per character while reading
#: it, so an unlimited cell of a 1 GB file would take gigabytes.
MAX_CSV_CELL_CHARS = 4 * MAX_RELEASE_CHARS

#: Rows (or items) of one file reported one by one; further errors are counted. A file with
#: this many errors and no release yet is not read further: it does not hold releases.
MAX_ROW_ERRORS = 100

#: Most elements an HTML page may have. Extracting the main text takes time that grows faster
#: than the number of elements (5 seconds for 30,000 paragraphs, 45 for 100,000); a press
#: release page has a few thousand.
MAX_HTML_ELEMENTS = 30_000

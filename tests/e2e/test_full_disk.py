"""A full disk during an import: the message says what was stored and what was not, and while
the disk stays full, reading (search, show, stats, export, backup to another disk) goes on."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.jobs import run
from tests.conftest import run_cli
from tests.e2e.test_nothing_lost import run_cli_with_file_limit


def with_language(corpus: Path, folder: Path, count: int | None = None) -> Path:
    """The shared corpus's releases (the first `count` of them) with their language given, so
    that an import needs no language model (loading it writes a 68 MB temporary file, beyond
    the limit below)."""
    csv.field_size_limit(1 << 24)
    out = folder / "releases.csv"
    with out.open("w", encoding="utf-8", newline="") as f:
        writer = None
        for name in ("putin.csv",):
            with (corpus / name).open(encoding="utf-8", newline="") as source:
                for row in itertools.islice(csv.DictReader(source), count):
                    if writer is None:
                        writer = csv.DictWriter(f, [*row, "language"])
                        writer.writeheader()
                    writer.writerow({**row, "language": "en"})
    return out


def test_full_disk_import_tells_what_was_stored_and_reading_goes_on(
    tmp_path: Path, sample: Path, corpus: Path
) -> None:
    folder = tmp_path / "a"
    assert run_cli("import", sample, archive=folder).returncode == 0
    with Archive.open(folder) as archive:
        before = archive.count()
    # Files cannot grow beyond this: the archive's disk is full part way through the import.
    # 200 real releases: every command below tries the index work of each stored one again.
    releases = with_language(corpus, tmp_path, 200)
    # The limit lies halfway between the SQLite file the import leaves and the index's main
    # segment, measured by the same import without a limit: the releases are stored, the
    # index cannot be written.
    with Archive.open(tmp_path / "trial") as trial:
        run(trial.import_paths([sample]))
        run(trial.import_paths([releases]))
    store = (tmp_path / "trial" / "archive.sqlite3").stat().st_size
    index = max(p.stat().st_size for p in (tmp_path / "trial").glob("index*/*"))
    assert 1.5 * store < index, (store, index)
    limit = (store + index) // 2
    full = run_cli_with_file_limit(limit, "import", releases, archive=folder)
    assert full.returncode == 1, full.stdout + full.stderr
    assert "Traceback" not in full.stderr and "disk is full" in full.stderr
    assert "nothing stored before was changed" not in full.stderr
    with Archive.open(folder, readonly=True) as archive:
        stored = archive.count() - before
        pending = archive.pending_index_count()
    assert stored > 0
    said = re.search(r"([\d,]+) releases were stored; ([\d,]+) files? w", full.stderr)
    assert said is not None, full.stderr
    assert int(said.group(1).replace(",", "")) == stored
    assert said.group(2) in ("0", "1")  # the CSV file: read to the end, or not
    assert pending > 0 and "will be when there is room" in full.stderr

    # The disk is still full: every command that only reads works, and says once that the
    # index work waits.
    elsewhere = tmp_path / "other-disk"
    elsewhere.mkdir()
    reads = {
        "search": ("search", "Putin", "--json"),
        "show": ("show", "1"),
        "stats": ("stats", "--json"),
        "export": ("export", elsewhere / "some.json", "--ids", "1,2,3,7,11"),
        "backup": ("backup", elsewhere / "copy"),
    }
    for name, args in reads.items():
        result = run_cli_with_file_limit(limit, *args, archive=folder)
        assert result.returncode == 0, (name, result.stderr)
        assert "Traceback" not in result.stderr
        assert result.stderr.count("could not be brought up to date") == 1, (name, result.stderr)
    assert json.loads((elsewhere / "some.json").read_text(encoding="utf-8"))
    with Archive.open(elsewhere / "copy", readonly=True) as copy:
        assert copy.count() == before + stored
    with Archive.open(folder, readonly=True) as archive:
        assert archive.pending_index_count() == pending  # waits, unchanged

    # Room again: the next opening does the work, and nothing was lost.
    check = run_cli("check", archive=folder)
    assert check.returncode == 0, check.stdout + check.stderr
    with Archive.open(folder) as archive:
        assert archive.count() == before + stored
        assert archive.check().consistent

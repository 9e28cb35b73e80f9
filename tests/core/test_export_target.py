"""Where an export lands: through a symbolic link, and readable by its owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.export import export_releases
from archive_browser.core.jobs import run
from archive_browser.core.model import ReleaseDraft
from tests.conftest import run_cli


def test_export_onto_a_symlink_writes_through_it(archive: Archive, tmp_path: Path) -> None:
    ids, _ = archive.add_releases([ReleaseDraft(title="One", body="The first release.")])
    real = tmp_path / "elsewhere" / "releases.csv"
    real.parent.mkdir()
    real.write_text("old contents\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    report = run(export_releases(archive, ids, link))
    assert report is not None
    assert link.is_symlink() and link.resolve() == real
    assert report.path == real and report.link == link
    assert "The first release." in real.read_text(encoding="utf-8-sig")
    assert report.to_json()["link"] == str(link)


def test_export_files_are_private(archive: Archive, tmp_path: Path) -> None:
    ids, _ = archive.add_releases([ReleaseDraft(title="One", body="The first release.")])
    old = os.umask(0o022)
    try:
        report = run(export_releases(archive, ids, tmp_path / "out.json"))
    finally:
        os.umask(old)
    assert report is not None
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600


def test_cli_says_it_wrote_through_the_link(sample: Path, tmp_path: Path) -> None:
    folder = tmp_path / "a"
    assert run_cli("import", sample, archive=folder).returncode == 0
    real = tmp_path / "real.pdf"
    link = tmp_path / "out.pdf"
    link.symlink_to(real)
    done = run_cli("export", link, "--query", "CSTO", archive=folder)
    assert done.returncode == 0, done.stderr
    assert f"to {real}" in done.stdout and f"through the link {link}" in done.stdout
    assert link.is_symlink() and real.stat().st_size > 1000

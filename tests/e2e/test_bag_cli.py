"""BagIt through the real command line: `export --format bag` to a .zip and to a folder, the
bag validated by bagit, `import` of it into a new archive giving the same releases with
their provenance (`show --json`); a bag with a changed byte refused, naming the file."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import bagit

from tests.conftest import run_cli
from tests.fixtures import formats as F


def _show(archive: Path, release_id: int) -> dict[str, object]:
    shown = run_cli("show", str(release_id), "--json", archive=archive)
    assert shown.returncode == 0, shown.stderr
    return json.loads(shown.stdout)


def _provenance(bag: Path) -> list[tuple[str, str, str, str, bool]]:
    """(title, file, SHA-256, record, original kept) of each release of a bag."""
    out = []
    for path in (bag / "data" / "releases").glob("*.json"):
        r = json.loads(path.read_text(encoding="utf-8"))
        p = r["provenance"]
        out.append((r["title"], p["path"], p["sha256"], p["record"], bool(r["original"])))
    return sorted(out)


def test_export_a_bag_validate_it_and_import_it_into_a_new_archive(tmp_path: Path) -> None:
    pdf = F.pdf_pages(tmp_path / "r.pdf", ["Summit in Dushanbe\n" + " ".join(F.EN)])
    rows = tmp_path / "r.csv"
    rows.write_text("title,body,tags\nA,Text about Bishkek,x; y\nB,Текст о Москве,\n", "utf-8")
    first, second, fresh = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    imported = run_cli("import", pdf, rows, "--json", archive=first)
    assert imported.returncode == 0, imported.stderr
    ids = json.loads(imported.stdout)["ids"]
    out = tmp_path / "releases.zip"
    exported = run_cli(
        "export", out, "--format", "bag", "--query", "", "--sort", "date", "--json",
        "--source-organization", "CSTO Secretariat", archive=first,
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["format"] == "bag"
    folder = tmp_path / "folder-bag"
    exported = run_cli("export", folder, "--ids", ",".join(map(str, ids)), archive=first)
    assert exported.returncode == 0 and "Exported 3 releases" in exported.stdout
    bag = bagit.Bag(str(folder))
    bag.validate()
    assert "Source-Organization" not in bag.info  # the releases have no one source
    with zipfile.ZipFile(out) as z:
        info = z.read("releases/bag-info.txt").decode("utf-8")
    assert "Source-Organization: CSTO Secretariat" in info
    before = sorted((_show(first, i) for i in ids), key=lambda r: str(r["title"]))
    for archive, bag_path in ((second, out), (fresh, folder)):
        again = run_cli("import", bag_path, "--json", archive=archive)
        assert again.returncode == 0, again.stderr
        new_ids = json.loads(again.stdout)["ids"]
        assert len(new_ids) == 3
        after = sorted((_show(archive, i) for i in new_ids), key=lambda r: str(r["title"]))
        for b, a in zip(before, after, strict=True):
            for key in ("title", "body", "date", "tags", "source", "language", "orig_path"):
                assert a[key] == b[key], key
        # Provenance as the new archive has it: written into a bag of its own again.
        check = tmp_path / f"check-{archive.name}"
        assert run_cli("export", check, "--query", "", archive=archive).returncode == 0
        assert _provenance(check) == _provenance(folder)


def test_a_bag_with_a_changed_byte_is_refused_naming_the_file(tmp_path: Path) -> None:
    text = tmp_path / "n.txt"
    text.write_text("Ministers met in Moscow.\n", encoding="utf-8")
    assert run_cli("import", text, archive=tmp_path / "a").returncode == 0
    folder = tmp_path / "bag"
    assert run_cli("export", folder, "--ids", "1", archive=tmp_path / "a").returncode == 0
    payload = folder / "data" / "releases" / "1.txt"
    payload.chmod(0o600)
    payload.write_text("Ministers met in Minsk.\n"[:24].ljust(25, "\n"), encoding="utf-8")
    refused = run_cli("import", folder, archive=tmp_path / "b")
    assert refused.returncode != 0
    assert "does not validate" in refused.stderr and "data/releases/1.txt" in refused.stderr
    assert "Traceback" not in refused.stderr
    listed = run_cli("search", "ministers", "--json", archive=tmp_path / "b")
    assert json.loads(listed.stdout)["total"] == 0


def test_format_bag_names_a_folder_or_a_zip(tmp_path: Path) -> None:
    wrong = run_cli("export", tmp_path / "x.pdf", "--format", "bag", "--ids", "1")
    assert wrong.returncode != 0 and "--format bag writes a new folder or a .zip" in wrong.stderr

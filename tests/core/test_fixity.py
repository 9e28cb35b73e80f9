"""The fixity check: every kept original re-hashed; missing and changed files reported with
their releases; each check logged in the archive. Exports carry provenance."""

from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.export import export_releases
from archive_browser.core.jobs import cancel, run
from archive_browser.core.model import EXCHANGE_FIELDS, EXPORT_FIELDS
from archive_browser.core.provenance import NOT_RECORDED
from tests.conftest import run_cli
from tests.fixtures import formats as F


def _three_pdfs(archive: Archive, tmp_path: Path) -> dict[str, int]:
    ids = {}
    for name in ("alpha", "beta", "gamma"):
        pdf = F.pdf_pages(tmp_path / f"{name}.pdf", [f"The {name} statement on the treaty."])
        [ids[name]] = run(archive.import_paths([pdf])).imported_ids
    return ids


def _flip_a_byte(path: Path) -> None:
    os.chmod(path, 0o600)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_verify_finds_a_changed_byte_and_a_deleted_original(archive: Archive, tmp_path: Path):
    ids = _three_pdfs(archive, tmp_path)
    fine = run(archive.verify())
    assert fine.ok and fine.checked == 3 and fine.problems == []
    changed = archive.original_file(ids["alpha"])
    deleted = archive.original_file(ids["beta"])
    assert changed is not None and deleted is not None
    _flip_a_byte(changed)
    deleted.unlink()
    report = run(archive.verify())
    assert not report.ok and report.checked == 3
    assert [(p.problem, p.releases) for p in report.changed] == [("changed", [ids["alpha"]])]
    assert [(p.problem, p.releases) for p in report.missing] == [("missing", [ids["beta"]])]
    assert report.changed[0].path == str(changed) and report.changed[0].found_sha256
    log = archive.fixity.verifications()
    assert [(r.checked, r.missing, r.changed) for r in log] == [(3, 1, 1), (3, 0, 0)]
    assert {p["problem"] for p in log[0].problems} == {"missing", "changed"}


def test_a_cancelled_verify_is_logged_as_cancelled(archive: Archive, tmp_path: Path) -> None:
    _three_pdfs(archive, tmp_path)
    job = archive.verify()
    next(job)
    report = cancel(job)
    assert report is not None and report.cancelled and not report.ok
    assert archive.fixity.verifications()[0].cancelled


def test_the_verify_command_exits_1_with_the_release_ids(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    with Archive.open(folder) as archive:
        ids = _three_pdfs(archive, tmp_path)
        kept = archive.original_file(ids["gamma"])
    ok = run_cli("verify", "--json", archive=folder)
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["checked"] == 3 and json.loads(ok.stdout)["ok"]
    assert kept is not None
    _flip_a_byte(kept)
    bad = run_cli("verify", archive=folder)
    assert bad.returncode == 1
    assert f"changed: {kept} (releases {ids['gamma']})" in bad.stdout
    assert "Traceback" not in bad.stderr
    bad_json = run_cli("verify", "--json", archive=folder)
    assert bad_json.returncode == 1
    as_json = json.loads(bad_json.stdout)
    assert as_json["changed"] == 1 and as_json["problems"][0]["releases"] == [ids["gamma"]]
    log = run_cli("verify", "--log", archive=folder)
    assert log.returncode == 0 and log.stdout.count("3 checked") == 3
    assert "0 missing, 1 changed" in log.stdout and f"changed: {kept}" in log.stdout
    logged = json.loads(run_cli("verify", "--log", "--json", archive=folder).stdout)
    assert [e["changed"] for e in logged] == [1, 1, 0]


def test_show_json_and_text_carry_the_provenance(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    text = tmp_path / "note.txt"
    text.write_text("A note on the council of foreign ministers.")
    result = run_cli("import", text, "--keep-originals", "all", archive=folder)
    assert result.returncode == 0, result.stderr
    shown = json.loads(run_cli("show", "1", "--json", archive=folder).stdout)
    prov = shown["provenance"]
    assert set(prov) == {
        "recorded", "note", "name", "path", "sha256", "record", "importer",
        "importer_version", "batch", "part_of_id", "original_kept", "found_in",
    }  # fmt: skip
    assert prov["recorded"] and prov["name"] == "note.txt" and prov["original_kept"]
    assert prov["importer"] == "text" and prov["batch"]["options"]["keep_originals"] == "all"
    assert prov["found_in"][0]["path"] == str(text.resolve())
    plain = run_cli("show", "1", archive=folder).stdout
    assert "Where this came from:" in plain and prov["sha256"] in plain
    refused = run_cli("import", text, "--keep-originals", "some", archive=folder)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr


def test_csv_and_json_exports_carry_provenance_and_import_back(
    archive: Archive, tmp_path: Path
) -> None:
    ids = _three_pdfs(archive, tmp_path)
    archive.store.db.execute(
        "INSERT INTO releases (title, body, checksum, text_checksum, added, modified) "
        "VALUES ('=Old', '=1+1 stored before provenance', 'c', 't', '2020', '2020')"
    )
    archive.store.conn.commit()
    run(archive.repair())
    old = archive.store.db.execute("SELECT max(id) FROM releases").fetchone()[0]
    every = [*ids.values(), old]
    out_csv, out_json = tmp_path / "out.csv", tmp_path / "out.json"
    run(export_releases(archive, every, out_csv))
    run(export_releases(archive, every, out_json))
    with open(out_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert tuple(rows[0]) == (*EXPORT_FIELDS, "translations") and EXPORT_FIELDS[
        : len(EXCHANGE_FIELDS)
    ] == (EXCHANGE_FIELDS)
    alpha = archive.provenance(ids["alpha"])
    assert rows[0]["provenance_sha256"] == alpha.sha256
    assert rows[0]["provenance_path"] == alpha.path
    assert rows[0]["provenance_importer"].startswith("pdf ")
    assert rows[0]["provenance_imported"] == alpha.batch.started  # type: ignore[union-attr]
    assert rows[3]["provenance_sha256"] == ""
    data = json.loads(out_json.read_text())
    assert data["releases"][1]["provenance"]["sha256"] == archive.provenance(ids["beta"]).sha256
    assert data["releases"][3]["provenance"]["note"] == NOT_RECORDED
    # Both read back as the archive's own files: the same releases, formulas restored.
    for out in (out_csv, out_json):
        with Archive.open(tmp_path / f"again-{out.suffix[1:]}") as again:
            report = run(again.import_paths([out]))
            assert len(report.imported_ids) == 4 and not report.failures
            titles = {r.title for r in again.get_many(report.imported_ids)}
            assert "=Old" in titles
            back = again.provenance(report.imported_ids[0])
            assert back.path == str(out.resolve()) and back.importer == out.suffix[1:]


def test_the_pdf_export_names_where_each_release_came_from(archive: Archive, tmp_path: Path):
    ids = _three_pdfs(archive, tmp_path)
    out = tmp_path / "out.pdf"
    run(export_releases(archive, list(ids.values()), out))
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())  # a long path wraps
    sha = archive.provenance(ids["beta"]).sha256
    assert "FROM" in words and f"SHA-256 {sha[:16]}" in words and "beta.pdf" in words

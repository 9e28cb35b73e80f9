"""Releases of the same text: a copy is skipped, another release (title, date, URL or source
differs) is stored and linked as a possible duplicate; schema 4 migrates older archives."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import sqlite_utils

from archive_browser.core.archive import Archive
from archive_browser.core.errors import UserFacingError
from archive_browser.core.jobs import run
from archive_browser.core.store import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION
from archive_browser.core.textnorm import checksum, record_checksum

BODY = "The President congratulated the officers and personnel of the brigade on its anniversary."


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["title", "date", "url", "source", "body"])
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row(title: str, date: str = "2021-12-02", url: str = "", source: str = "") -> dict[str, str]:
    return {"title": title, "date": date, "url": url, "source": source, "body": BODY}


def test_same_text_other_fields_is_stored_and_linked(archive: Archive, tmp_path: Path) -> None:
    path = _csv(
        tmp_path / "brigades.csv",
        [
            _row("Congratulations to the 155th brigade", url="http://k.ru/1"),
            _row("Congratulations to the 126th brigade", url="http://k.ru/2"),
            _row("Congratulations to the 155th brigade", date="2021-12-20", url="http://k.ru/1"),
            _row("Congratulations to the 155th brigade", url="http://k.ru/1", source="other"),
            # white space, quotes and case of the text do not make another release
            {**_row("Congratulations to the 155th brigade", url="http://k.ru/1"),
             "body": BODY.upper().replace(" ", "  ")},
        ],
    )  # fmt: skip
    report = run(archive.import_paths([path]))
    assert report is not None and len(report.imported_ids) == 4
    first, *others = report.imported_ids
    data = report.to_json()
    assert data["duplicates"] == 1
    assert data["matches"] == [
        {"path": str(path), "title": t, "id": i, "matched_id": first, "kind": "possible"}
        for t, i in zip(
            ["Congratulations to the 126th brigade"] + ["Congratulations to the 155th brigade"] * 2,
            others,
            strict=True,
        )
    ] + [
        {
            "path": str(path),
            "title": "Congratulations to the 155th brigade",
            "id": None,
            "matched_id": first,
            "kind": "same",
        }
    ]
    assert archive.search("126th").ids == [others[0]]
    assert archive.possible_duplicates(first) == [(i, "possible") for i in others]
    assert archive.possible_duplicates(others[0]) == [(first, "possible")] + [
        (i, "possible") for i in others[1:]
    ]
    archive.delete([others[0]])
    assert archive.possible_duplicates(first) == [(i, "possible") for i in others[1:]]


def test_reimporting_the_same_file_adds_nothing(archive: Archive, tmp_path: Path) -> None:
    path = _csv(tmp_path / "a.csv", [_row("One"), _row("Two"), _row("Three", date="")])
    first = run(archive.import_paths([path]))
    assert first is not None and len(first.imported_ids) == 3
    again = run(archive.import_paths([path]))
    assert again is not None and again.imported_ids == []
    assert again.to_json()["duplicates"] == 3
    assert [(m.id, m.kind) for m in again.matches] == [(None, "same")] * 3
    assert sorted(m.matched_id for m in again.matches) == sorted(first.imported_ids)
    assert archive.count() == 3


def _schema_3_archive(folder: Path) -> None:
    """An archive as the previous version wrote it: migrations 1-3, checksums of the text."""
    folder.mkdir()
    db = sqlite_utils.Database(folder / "archive.sqlite3")
    for number in range(1, 4):
        with db.atomic():
            MIGRATIONS[number - 1](db)
            db.execute(f"PRAGMA user_version = {number}")
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    for title, body in (("Kept", BODY), ("Other", "Another text altogether.")):
        db.execute(
            "INSERT INTO releases (title, date, body, url, source, checksum, added, modified) "
            "VALUES (?, '2021-12-02', ?, 'http://k.ru/1', 'en.kremlin.ru', ?, '2021', '2021')",
            [title, body, checksum(body)],
        )
    db.close()


def test_migration_from_schema_3(tmp_path: Path) -> None:
    folder = tmp_path / "old"
    _schema_3_archive(folder)
    with Archive.open(folder) as archive:
        run(archive.repair())
        db = archive.store.db
        assert archive.store.schema_version() == SCHEMA_VERSION
        rows = db.execute("SELECT id, checksum, text_checksum FROM releases ORDER BY id").fetchall()
        assert rows[0] == (
            1,
            record_checksum(BODY, "Kept", "2021-12-02", "http://k.ru/1", "en.kremlin.ru"),
            checksum(BODY),
        )
        plan = str(
            db.execute(
                "EXPLAIN QUERY PLAN SELECT id FROM releases WHERE text_checksum = 'x'"
            ).fetchall()
        )
        assert "releases_text_checksum" in plan
        # The old release is found as a copy, or as the match of another release.
        path = _csv(
            tmp_path / "again.csv",
            [
                _row("Kept", url="http://k.ru/1", source="en.kremlin.ru"),
                _row("Renamed", url="http://k.ru/1", source="en.kremlin.ru"),
            ],
        )
        report = run(archive.import_paths([path]))
        assert report is not None
        assert [(m.title, m.id is None, m.matched_id, m.kind) for m in report.matches] == [
            ("Kept", True, 1, "same"),
            ("Renamed", False, 1, "possible"),
        ]
        assert archive.possible_duplicates(1) == [(report.imported_ids[0], "possible")]
        assert json.loads(json.dumps(report.to_json()))["duplicates"] == 1
        assert archive.check().consistent


def test_an_edit_keeps_the_checksum_in_step(archive: Archive, tmp_path: Path) -> None:
    old = _csv(tmp_path / "old.csv", [_row("Old headline"), _row("Other headline")])
    report = run(archive.import_paths([old]))
    assert report is not None
    first, second = report.imported_ids
    archive.update(first, title="New headline")
    edited = run(archive.import_paths([_csv(tmp_path / "new.csv", [_row("New headline")])]))
    assert edited is not None and [(m.kind, m.matched_id) for m in edited.matches] == [
        ("same", first)
    ]
    with pytest.raises(UserFacingError, match="same text, title, date, URL and source"):
        archive.update(second, title="New headline")
    assert archive.get(second).title == "Other headline"

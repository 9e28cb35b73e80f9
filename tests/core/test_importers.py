"""Importers of CSV, JSON, JSON Lines, HTML, text and Markdown, with what they complete."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive_browser.core.errors import UnreadableInputError
from archive_browser.core.importers import ImportOptions, RowError, discover, read_file
from archive_browser.core.model import ReleaseDraft

BODY = "The ministers met in Moscow and discussed regional security at length."


def drafts_and_errors(path: Path, **options: object) -> tuple[list[ReleaseDraft], list[RowError]]:
    items = list(read_file(path, ImportOptions(**options)))  # type: ignore[arg-type]
    return (
        [i for i in items if isinstance(i, ReleaseDraft)],
        [i for i in items if isinstance(i, RowError)],
    )


def test_csv_columns_are_mapped_by_common_names(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "link,headline,published,location,summary,text,keywords\n"
        f'https://example.org/a,Ministers meet,2022-06-24T17:30:00Z,NA,A lead.,"{BODY}","a; b"\n',
        encoding="utf-8",
    )
    (draft,), errors = drafts_and_errors(path)
    assert errors == []
    assert draft.title == "Ministers meet"
    assert draft.date == "2022-06-24"
    assert draft.place == ""  # "NA" means unknown
    assert draft.url == "https://example.org/a"
    assert draft.source == "example.org"  # taken from the url when no column names it
    assert draft.summary == "A lead."
    assert draft.body == BODY
    assert draft.tags == ["a", "b"]
    assert draft.language == "en"
    assert draft.orig_format == "csv" and draft.orig_path == str(path.resolve())


def test_explicit_mapping_wins(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(f'title,article_text,text\nT,"{BODY}",not this\n', encoding="utf-8")
    (draft,), _ = drafts_and_errors(path, mapping={"body": "article_text"})
    assert draft.body == BODY


def test_csv_without_a_text_column_names_the_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("title,when\nA,2020-01-01\n", encoding="utf-8")
    with pytest.raises(UnreadableInputError, match=r"'title', 'when'.*--map body=COLUMN"):
        drafts_and_errors(path)


def test_ragged_and_empty_rows_are_reported_and_skipped(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        f'title,body\nGood,"{BODY}"\nBad,x,extra\nEmpty,\nAlso good,"{BODY} Again."\n',
        encoding="utf-8",
    )
    drafts, errors = drafts_and_errors(path)
    assert [d.title for d in drafts] == ["Good", "Also good"]
    assert [e.where for e in errors] == ["row 3", "row 4"]
    assert "3 cells" in errors[0].error and "empty" in errors[1].error


def test_semicolon_csv_in_windows_1251(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    text = "Заголовок;Дата;Текст\nЗаседание совета;28.05.2013;Президенты обсудили ситуацию.\n"
    path.write_bytes(text.encode("cp1251"))
    (draft,), _ = drafts_and_errors(path)
    assert draft.title == "Заседание совета"
    assert draft.date == "2013-05-28"
    assert draft.language == "ru"


@pytest.mark.parametrize(
    "payload",
    [
        [{"title": "A", "content": BODY, "tags": ["x", "y"]}],
        {"releases": [{"title": "A", "content": BODY, "tags": ["x", "y"]}]},
        {"title": "A", "content": BODY, "tags": "x, y"},
    ],
)
def test_json_shapes(tmp_path: Path, payload: object) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps(payload), encoding="utf-8")
    (draft,), errors = drafts_and_errors(path)
    assert errors == [] and draft.title == "A" and draft.body == BODY and draft.tags == ["x", "y"]


def test_json_of_the_wrong_shape_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"foo": 1}), encoding="utf-8")
    with pytest.raises(UnreadableInputError, match="unknown shape"):
        drafts_and_errors(path)
    path.write_text(json.dumps([1, "two", {"body": BODY}]), encoding="utf-8")
    drafts, errors = drafts_and_errors(path)
    assert len(drafts) == 1 and [e.where for e in errors] == ["item 1", "item 2"]
    path.write_text("{broken", encoding="utf-8")
    with pytest.raises(UnreadableInputError, match="malformed JSON"):
        drafts_and_errors(path)


def test_json_lines_with_a_bad_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        json.dumps({"headline": "One", "body": BODY})
        + "\n{oops\n"
        + json.dumps({"headline": "Two", "body": BODY + " Two."})
        + "\n",
        encoding="utf-8",
    )
    drafts, errors = drafts_and_errors(path)
    assert [d.title for d in drafts] == ["One", "Two"]
    assert errors == [RowError("line 2", "malformed JSON on this line")]


def test_html_main_text_without_boilerplate(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        """<html lang="en"><head><title>Ministers meet | Example</title>
        <meta property="article:published_time" content="2024-07-25T10:00:00+03:00"></head>
        <body><nav><a href="/">Home</a> <a href="/news">News archive</a></nav>
        <main><article><h1>Ministers meet</h1><time datetime="2024-07-25">25 July 2024</time>
        <p>The ministers of foreign affairs met in Moscow and discussed regional security.</p>
        <p>They agreed to meet again next year in Minsk to continue the talks on cooperation.</p>
        <script>document.title = "hacked"</script>
        <img src="http://tracker.invalid/pixel.gif"></article></main>
        <footer>Copyright 2024 Example. All rights reserved. Contacts and sitemap.</footer>
        </body></html>""",
        encoding="utf-8",
    )
    (draft,), _ = drafts_and_errors(path)
    assert draft.title == "Ministers meet"
    assert draft.date == "2024-07-25"
    assert draft.body.startswith("The ministers of foreign affairs met")
    assert "Minsk" in draft.body
    for boilerplate in ("Home", "News archive", "Copyright", "hacked", "tracker"):
        assert boilerplate not in draft.body
    assert draft.body.count("\n\n") == 1  # two paragraphs
    assert draft.language == "en" and draft.orig_format == "html"


def test_russian_html_date_from_text(tmp_path: Path) -> None:
    path = tmp_path / "ru.htm"
    path.write_bytes(
        """<html><head><meta charset="windows-1251"><title>Заседание</title></head><body>
        <div><h1>Заседание Совета</h1><p>28 мая 2013 г.</p>
        <p>В Бишкеке прошло заседание глав государств ОДКБ. Президенты обсудили ситуацию.</p>
        <p>Второй абзац текста про безопасность и стабильность в регионе Центральной Азии.</p>
        </div></body></html>""".encode("cp1251")
    )
    (draft,), _ = drafts_and_errors(path)
    assert draft.date == "2013-05-28"
    assert "Бишкеке" in draft.body and draft.language == "ru"


def test_text_file_items_get_dates_kinds_and_tags(sample: Path) -> None:
    drafts, errors = drafts_and_errors(sample, tags=["CSTO", "csto"])
    assert errors == []
    by_start = {d.body[:12]: d for d in drafts}
    assert by_start["On 25 July 2"].date == "2024-07-25"
    bishkek = next(d for d in drafts if d.title.startswith("Informal meeting"))
    assert bishkek.date == "2013-05-28"
    belta = next(d for d in drafts if "BELTA" in d.body)
    assert belta.kind == "interview"
    speech = next(d for d in drafts if d.body.startswith("Allow me to thank"))
    assert speech.kind == "speech"
    assert all(d.tags == ["CSTO"] for d in drafts)  # one tag, whatever its case
    assert all(d.language == "en" for d in drafts)


def test_discover_walks_folders_and_reports_missing_paths(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "b" / "two.CSV").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "a" / ".hidden.txt").write_text("x", encoding="utf-8")
    files, problems = discover([tmp_path / "a", tmp_path / "nope.txt"])
    assert [f.name for f in files] == ["two.CSV", "one.txt"]
    assert problems == [(tmp_path / "nope.txt", "no such file or folder")]


def test_unknown_file_types_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableInputError, match="not a file type"):
        drafts_and_errors(path)

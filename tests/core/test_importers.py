"""Importers of CSV, JSON, JSON Lines, HTML, text and Markdown, with what they complete."""

from __future__ import annotations

import importlib
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
    path = tmp_path / "x.pages"
    path.write_bytes(b"PK\x03\x04")
    with pytest.raises(UnreadableInputError, match="not a file type"):
        drafts_and_errors(path)


# --- large files read a line at a time


def _read_all(path: Path) -> list:
    return [
        (d.title, d.date, d.body, d.place, d.url) if isinstance(d, ReleaseDraft) else str(d)
        for d in read_file(path, ImportOptions())
    ]


def _streaming_from(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    # (the package's name "decode" is the function; the module is reached by its full name)
    decoding = importlib.import_module("archive_browser.core.importers.decode")
    monkeypatch.setattr(decoding, "STREAM_FROM_BYTES", size)


def _reads_whole(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Records which files are decoded whole."""
    from archive_browser.core.importers import registry as importers

    whole: list[Path] = []
    real = importers.read_bytes

    def spy(path: Path, limit_mb: int) -> bytes:
        whole.append(path)
        return real(path, limit_mb)

    monkeypatch.setattr(importers, "read_bytes", spy)
    return whole


def test_a_large_csv_read_line_by_line_gives_the_same_releases(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = corpus / "zelenskyy.csv"
    whole = _read_all(path)
    assert len(whole) > 100
    _streaming_from(monkeypatch, 0)
    decoded_whole = _reads_whole(monkeypatch)
    assert _read_all(path) == whole
    assert decoded_whole == []  # it was streamed


def test_json_lines_and_odd_line_ends_read_line_by_line_give_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    jsonl = tmp_path / "r.jsonl"
    rows = [
        {"title": "Заседание\u2028совета", "date": "2013-05-28", "text": "Ёлка и ель.\r\nДа."},
        {"title": "Second", "date": "2014-01-02", "body": "Line one\nline two"},
    ]
    jsonl.write_text(
        "\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{bad\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "r.csv"
    csv_file.write_bytes(
        b'title,date,body\r\n"A","2020-01-01","one\rtwo"\rB,2021-02-03,"x y"\n'
        b"C,2022-03-04,short row,extra\n"
    )
    expected = {p: _read_all(p) for p in (jsonl, csv_file)}
    assert len([r for r in expected[jsonl] if isinstance(r, tuple)]) == 2
    _streaming_from(monkeypatch, 0)
    decoded_whole = _reads_whole(monkeypatch)
    for path, before in expected.items():
        assert _read_all(path) == before, path
    assert decoded_whole == []


def test_a_large_file_not_in_utf8_is_still_decoded_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "cp1251.csv"
    text = "title,body\n" + "".join(
        f"Заседание {i},Совет собрался на заседание номер {i}.\n" for i in range(200)
    )
    path.write_bytes(text.encode("cp1251"))
    _streaming_from(monkeypatch, 0)
    decoded_whole = _reads_whole(monkeypatch)
    drafts = [d for d in read_file(path, ImportOptions()) if isinstance(d, ReleaseDraft)]
    assert len(drafts) == 200 and drafts[7].title == "Заседание 7"
    assert decoded_whole == [path]

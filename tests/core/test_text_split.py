"""Splitting plain text that holds several releases (the shared CSTO sample and variants)."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.importers.text import (
    first_sentence,
    is_headline,
    propose_starts,
    read_paragraphs,
    split_text,
)


def test_sample_splits_into_whole_releases(sample: Path) -> None:
    items = split_text(sample.read_text(encoding="utf-8"))
    titles = [title for title, _ in items]
    bishkek = [item for item in items if item[0].startswith("Informal meeting of the heads")]
    assert len(bishkek) == 1, titles
    title, body = bishkek[0]
    assert title == (
        "Informal meeting of the heads of the CSTO member states of the Central Asian region "
        "in Bishkek on May 28, 2013"
    )
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith("Heads of the CSTO member states")
    assert paragraphs[-1].startswith("Nikolai Bordyuzha also said")
    assert "railway" in paragraphs[-1]
    assert any(p.startswith('"The presidents made specific decisions') for p in paragraphs)
    # The title line is not repeated in the body, and nothing of the other releases leaked in.
    assert "BELTA" not in body and "25 July 2024" not in body


def test_sample_keeps_other_releases_apart(sample: Path) -> None:
    items = split_text(sample.read_text(encoding="utf-8"))
    belta = [i for i, (_, body) in enumerate(items) if "BELTA" in body]
    july = [i for i, (_, body) in enumerate(items) if body.startswith("On 25 July 2024")]
    assert len(belta) == 1 and len(july) == 1
    assert belta[0] != july[0]
    assert "Informal meeting" not in items[belta[0]][1]
    assert len(items) == 5


def test_file_strategy_keeps_one_item(sample: Path) -> None:
    items = split_text(sample.read_text(encoding="utf-8"), "file")
    assert len(items) == 1
    assert "BELTA" in items[0][1] and "railway" in items[0][1]


def test_blank_strategy_splits_at_every_double_blank_line(sample: Path) -> None:
    items = split_text(sample.read_text(encoding="utf-8"), "blank")
    assert len(items) == 6  # the Bishkek release is cut in two at its double blank line


def test_heading_strategy_splits_only_before_headlines(sample: Path) -> None:
    items = split_text(sample.read_text(encoding="utf-8"), "heading")
    assert len(items) == 2
    assert items[1][0].startswith("Informal meeting")


def test_unknown_strategy_is_refused() -> None:
    with pytest.raises(ValueError, match="split strategy"):
        propose_starts(read_paragraphs("One.\n\nTwo."), "bogus")


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "Informal meeting of the heads of the CSTO member states in Bishkek on May 28, 2013",
            True,
        ),
        ("Заседание Совета коллективной безопасности ОДКБ", True),
        ("Nikolai Bordyuzha said that the meeting dealt with drugs.", False),
        ("lowercase start is not a headline", False),
        ("Word", False),
        ("What did the summit decide?", True),
    ],
)
def test_headline_detection(line: str, expected: bool) -> None:
    assert is_headline(line) is expected


def test_hard_wrapped_lines_join_into_paragraphs() -> None:
    text = (
        "The secretary general met the\nministers of foreign affairs and\ndiscussed security.\n\n"
        "A second paragraph that\nis also wrapped."
    )
    paras = read_paragraphs(text)
    assert [p.text for p in paras] == [
        "The secretary general met the ministers of foreign affairs and discussed security.",
        "A second paragraph that is also wrapped.",
    ]


def test_one_paragraph_per_line_texts_split_at_headlines() -> None:
    text = (
        "First release headline\n"
        "The first release says something long enough to be a paragraph of its own here.\n"
        "It goes on with a second paragraph that also ends like a sentence does.\n"
        "Second release headline\n"
        "The second release has its own text that ends with a period as well."
    )
    items = split_text(text)
    assert [t for t, _ in items] == ["First release headline", "Second release headline"]
    assert items[0][1].count("\n\n") == 1


def test_markdown_headings_are_titles() -> None:
    items = split_text(
        "# A statement on security.\n\nText of the statement.\n\n# Next one\n\nMore."
    )
    assert [t for t, _ in items] == ["A statement on security.", "Next one"]


def test_first_sentence_is_cut_at_a_word() -> None:
    long = "word " * 80 + "end."
    title = first_sentence(long, limit=50)
    assert len(title) <= 51 and title.endswith("…") and " wor…" not in title
    assert first_sentence("Short one. Second sentence.") == "Short one."

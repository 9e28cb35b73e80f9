"""Diff summaries on real releases edited the way offices edit them: a typo fixed, a date
changed, a paragraph added or dropped, a figure corrected."""

from __future__ import annotations

from pathlib import Path

import pytest

from archive_browser.core.diffsummary import kind_label, summarize
from archive_browser.core.lineage.reuse import split_paragraphs
from archive_browser.core.model import ReleaseDraft
from tests.corpus_rows import rows

SAMPLE_DATE = "held on 19 July 2024 at the UN Security Council"


def paragraphed(corpus: Path, office: str = "zelenskyy", skip: int = 0) -> str:
    """A real release of several sentences, one a paragraph (as a site with paragraphs
    gives it: the corpus flattened them)."""
    found = [r for r in rows(corpus, office) if 1500 < len(r["body"]) < 6000][skip]
    body = found["body"]
    return "\n\n".join(body[s:e] for s, e in split_paragraphs(body))


def test_the_same_text_and_punctuation_only(corpus: Path) -> None:
    body = paragraphed(corpus)
    assert summarize(body, body).kind == "identical"
    respaced = body.replace(". ", ".  ").replace('"', "“", 2).upper()
    change = summarize(body, respaced)
    assert (change.kind, change.summary) == ("typo", "punctuation, case or spacing only")


def test_typos_fixed(corpus: Path) -> None:
    body = paragraphed(corpus, "putin")
    words = [w for w in body.split() if w.isalpha() and len(w) > 6][:3]
    typoed = body
    for w in words:
        typoed = typoed.replace(w, w[0] + w[2] + w[1] + w[3:], 1)  # two letters swapped
    change = summarize(typoed, body)
    assert change.kind == "typo" and change.words_corrected == 3
    assert change.summary == "3 words corrected"
    assert kind_label(change.kind) == "typo-level"
    # Two letters swapped in a short word are a typo too; another word is no typo.
    short = summarize(body, body.replace(" the ", " teh ", 1))
    assert short.summary == "1 word corrected"
    place = "The ministers met in Minsk on Monday to discuss the transit of goods."
    moved = summarize(place, place.replace("Minsk", "Astana"))
    assert moved.summary == "1 word added, 1 word removed" and moved.words_corrected == 0
    assert moved.kind == "substantive"
    doubled = summarize(place, place.replace("met in", "met in in"))
    assert (doubled.kind, doubled.summary) == ("typo", "1 word added")


def test_a_date_changed_and_a_paragraph_added(sample: Path) -> None:
    text = sample.read_text(encoding="utf-8")
    assert SAMPLE_DATE in text
    later = text.replace(SAMPLE_DATE, SAMPLE_DATE.replace("19 July", "20 July"))
    later += "\n\nThe Secretary General also met the heads of the delegations of Kazakhstan."
    change = summarize(text, later)
    assert change.summary == "1 paragraph added, a date changed 19 → 20 July"
    assert change.kind == "substantive" and change.dates == [("19", "20 July")]
    moved = summarize(text, text.replace("19 July 2024", "2 August 2024"))
    assert moved.summary == "a date changed 19 July → 2 August"
    month_first = summarize(
        "It was on May 28, 2013 in Bishkek.", "It was on May 29, 2013 in Bishkek."
    )
    assert month_first.dates == [("May 28", "May 29")]


def test_a_paragraph_dropped_is_retraction_like(corpus: Path) -> None:
    body = paragraphed(corpus, skip=3)
    paragraphs = body.split("\n\n")
    longest = max(paragraphs[1:], key=len)
    dropped = "\n\n".join(p for p in paragraphs if p != longest)
    change = summarize(body, dropped)
    assert change.kind == "retraction" and change.removed == 1
    assert change.summary.startswith("1 paragraph removed")
    assert kind_label(change.kind) == "retraction-like"
    # A stray short line dropped is no retraction.
    short = summarize(body + "\n\nPhoto: press office", body)
    assert short.kind != "retraction"


def test_figures_and_rewording(corpus: Path) -> None:
    body = "In total, 300 tonnes of aid were delivered to the region by the government today."
    change = summarize(body, body.replace("300", "350"))
    assert change.summary == "a figure changed 300 → 350" and change.kind == "substantive"
    real = paragraphed(corpus, skip=5)
    first = real.split("\n\n")[0]
    reworded = real.replace(first, first + " The meeting lasted for more than three hours.")
    change = summarize(real, reworded)
    assert change.words_added == 8 and change.kind == "substantive"
    assert change.summary == "8 words added"


def test_bodies_flattened_to_one_line_speak_of_sentences(corpus: Path) -> None:
    body = next(r["body"] for r in rows(corpus, "putin") if len(r["body"]) > 5000)
    sentences = [body[s:e] for s, e in split_paragraphs(body)]
    shorter = body.replace(sentences[3], "").replace("  ", " ")
    change = summarize(body, shorter)
    assert change.unit == "sentence" and change.summary.startswith("1 sentence removed")


@pytest.mark.parametrize("other", ["", "   ", "Completely different text about something else."])
def test_odd_inputs_give_an_answer(other: str) -> None:
    change = summarize("A release about the meeting of the ministers in Minsk.", other)
    assert change.kind in ("substantive", "retraction", "unrelated") and change.summary


def test_a_translation_is_not_called_a_retraction(sample: Path, corpus: Path) -> None:
    """The English and Russian releases of one CSTO meeting share almost no words: they are
    named unrelated texts, not a version with its paragraphs removed; a real release cut down
    to its first sentences is still a retraction."""
    from archive_browser.core import importers

    english = next(
        d.body
        for d in importers.read_file(sample, importers.ImportOptions())
        if isinstance(d, ReleaseDraft) and "Bishkek" in d.body
    )
    russian = (Path(__file__).parents[1] / "fixtures" / "ru-zasedanie.txt").read_text("utf-8")
    change = summarize(english, russian)
    assert change.kind == "unrelated" and kind_label(change.kind) == "not versions", change
    body = next(r["body"] for r in rows(corpus, "putin") if len(r["body"]) > 5000)
    start = " ".join(body[s:e] for s, e in split_paragraphs(body)[:3])
    cut = summarize(body, start)
    assert cut.kind == "retraction", cut

"""Folding and hit marking: the fast paths give exactly what the plain definitions give."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from archive_browser.core.index import highlight
from archive_browser.core.index.analysis import iter_words, stems
from archive_browser.core.index.highlight import HighlightTerms, match_spans
from archive_browser.core.textnorm import fold


def _fold_by_definition(text: str) -> str:
    return text.translate(str.maketrans({"ё": "е", "Ё": "е"})).casefold()


@given(st.text())
def test_fold_is_case_folding_with_yo_as_ye(text: str) -> None:
    assert fold(text) == _fold_by_definition(text)


def test_fold_agrees_on_every_code_point() -> None:
    every = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
    assert fold(every) == _fold_by_definition(every)
    assert fold("Ёлка ЁЖИК Straße") == "елка ежик strasse"


def _spans_word_by_word(text: str, terms: HighlightTerms, monkeypatch) -> list:
    with monkeypatch.context() as m:
        m.setattr(highlight, "_candidate_words", lambda t, _terms: list(iter_words(t)))
        return match_spans(text, terms)


def test_marked_words_are_the_same_as_checking_every_word(sample: Path, monkeypatch) -> None:
    """Only the words a regular expression picks are stemmed; the marks must not change."""
    text = sample.read_text(encoding="utf-8")
    texts = [*text.split("\n\n"), "Straße STRASSE ﬁnance Ёлки ёлка happy happiness skies dying"]
    rnd = random.Random(7)
    checked = 0
    for _ in range(400):
        t = rnd.choice(texts)
        words = [w for _, _, w in iter_words(t)]
        if not words:
            continue
        picked = [rnd.choice(words) for _ in range(rnd.randint(1, 4))]
        found = stems(picked)
        terms = (
            HighlightTerms(stems=frozenset(found.values()))
            if rnd.random() < 0.5
            else HighlightTerms(stems=frozenset([found[picked[0]]]), forms=frozenset(picked[1:]))
        )
        expected = _spans_word_by_word(t, terms, monkeypatch)
        assert expected  # the picked words are in the text
        assert match_spans(t, terms) == expected, terms
        checked += 1
    assert checked > 300
    # Irregular stems and folded letters are found too.
    odd = "Happy are the skies, and the ёлка by the Straße."
    terms = HighlightTerms(stems=frozenset(stems(["happiness", "sky", "елка", "strasse"]).values()))
    marked = [odd[s:e] for s, e in match_spans(odd, terms)]
    assert marked == ["Happy", "skies", "ёлка", "Straße"]

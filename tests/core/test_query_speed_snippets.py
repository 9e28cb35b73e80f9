"""Hit marking's quick searches (a literal search per word start, phrases found from their
first word's letters) mark exactly the words that comparing every word of the text marks."""

from __future__ import annotations

import random
from pathlib import Path

from archive_browser.core.index import highlight
from archive_browser.core.index.analysis import iter_words, stems
from archive_browser.core.index.highlight import HighlightTerms, match_spans


def _by_every_word(text: str, terms: HighlightTerms) -> list[tuple[int, int]]:
    """The plain definition: every word folded and stemmed, phrases compared word by word."""
    words = list(iter_words(text))
    stem_of = stems(w for _, _, w in words)
    seq_stems = [stem_of[w] for _, _, w in words]
    seq_forms = [w for _, _, w in words]
    marked = [w in terms.forms or seq_stems[i] in terms.stems for i, (_, _, w) in enumerate(words)]
    for phrases, seq in ((terms.stem_phrases, seq_stems), (terms.form_phrases, seq_forms)):
        for phrase in phrases:
            n = len(phrase)
            for i in range(len(seq) - n + 1):
                if tuple(seq[i : i + n]) == phrase:
                    marked[i : i + n] = [True] * n
    return highlight._join(text, [(s, e) for (s, e, _), m in zip(words, marked, strict=True) if m])


def _texts(sample: Path) -> list[str]:
    text = sample.read_text(encoding="utf-8")
    return [p for p in text.split("\n\n") if len(p) > 80] + [
        "The the the THE the. Happy happiness, happier; the United States in the United States."
    ]


def test_many_words_marked_as_by_every_word(sample: Path) -> None:
    """More word starts than are searched one by one: one pattern of alternatives."""
    rnd = random.Random(11)
    checked = 0
    for t in _texts(sample) * 4:
        words = [w for _, _, w in iter_words(t)]
        if len(set(words)) < 12:
            continue
        picked = rnd.sample(sorted(set(words)), rnd.randint(highlight._SEPARATE_STARTS + 1, 12))
        found = stems(picked)
        terms = HighlightTerms(
            stems=frozenset(found[w] for w in picked[::2]), forms=frozenset(picked[1::2])
        )
        if len(highlight._candidate_patterns(terms) or ()) != 1:
            continue  # words of one stem: few enough starts to be searched apart
        expected = _by_every_word(t, terms)
        assert expected
        assert match_spans(t, terms) == expected, terms
        checked += 1
    assert checked >= 40


def test_phrases_marked_as_by_every_word(sample: Path) -> None:
    """Phrases of 2-4 adjacent words taken from the text (stems, or forms as written), some
    with a single word beside them, and phrases that are not there."""
    rnd = random.Random(5)
    checked = 0
    for t in _texts(sample) * 8:
        words = [w for _, _, w in iter_words(t)]
        if len(words) < 6:
            continue
        n = rnd.randint(2, 4)
        k = rnd.randrange(len(words) - n + 1)
        sequence = tuple(words[k : k + n])
        stem_of = stems(words)
        as_stems = tuple(stem_of[w] for w in sequence)
        absent = (*as_stems[1:], as_stems[0])
        single = frozenset([stem_of[rnd.choice(words)]]) if rnd.random() < 0.5 else frozenset()
        for terms in (
            HighlightTerms(stems=single, stem_phrases=frozenset([as_stems, absent])),
            HighlightTerms(form_phrases=frozenset([sequence])),
        ):
            expected = _by_every_word(t, terms)
            assert expected
            assert match_spans(t, terms) == expected, terms
            checked += 1
    assert checked > 100


def test_repeated_and_overlapping_phrases_are_all_marked() -> None:
    text = "the the the, and the united states; The United-States"
    terms = HighlightTerms(stem_phrases=frozenset([("the", "the"), ("unit", "state")]))
    assert match_spans(text, terms) == _by_every_word(text, terms)
    assert [text[s:e] for s, e in match_spans(text, terms)] == [
        "the the the",
        "united states",
        "United",  # words apart other than by white space are marked apart
        "States",
    ]

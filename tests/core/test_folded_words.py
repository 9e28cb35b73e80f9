"""Words are folded in one pass over the whole text when that gives the words folded one by
one: the condition holds for every code point, and both ways agree on real and odd texts."""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from archive_browser.core.index.analysis import WORD_PATTERN, folded_words
from archive_browser.core.textnorm import fold
from tests.benchmarks.russian import RussianWriter
from tests.corpus_rows import rows

WORD = re.compile(WORD_PATTERN)


def by_word(text: str) -> list[str]:
    return [fold(w) for w in WORD.findall(text)]


def test_only_one_code_point_folds_into_another_kind_of_character() -> None:
    changed = []
    for c in range(sys.maxunicode + 1):
        if 0xD800 <= c <= 0xDFFF:
            continue
        ch = chr(c)
        f = fold(ch)
        assert f, f"U+{c:04X} folds to nothing"
        if len(f) == 1 and bool(WORD.fullmatch(ch)) != bool(WORD.fullmatch(f)):
            changed.append(c)
    assert changed == [0x345]


def test_the_whole_text_folded_at_once_gives_each_word_folded(corpus: Path, sample: Path) -> None:
    texts = [
        "ΟΔΟΣ ΟΔΟΣ. Ёлка, ЁЖ — «Москва» “quoted” naïve CAFÉ",
        "Straße STRASSE ﬁnance İstanbul ǅemal",  # folding that lengthens: the slow way
        "ᾳ ΑΙ ᾼ \u0345 x\u0345y",  # U+0345 folds into a letter, with lengthening folds
        "ΑΙ \u0345 x\u0345y ёЁ",  # U+0345 where every fold keeps the length
        "",
        "only ascii words here",
    ]
    texts += [r["body"] for r in rows(corpus, "zelenskyy")[:300]]
    texts += sample.read_text(encoding="utf-8").split("\n\n")
    rng = random.Random(7)
    writer = RussianWriter(rng)
    texts += [writer.body(300, 2022) for _ in range(50)]
    for alphabet in ("aZ ёЁ.ßİΣς\u0345ᾼ-1ǅﬁ", "aZ ёЁ.Σς\u0345-1ÉΩ", "aZ ёЁ.Σς-1ÉΩ"):
        texts += ["".join(rng.choice(alphabet) for _ in range(40)) for _ in range(1000)]
    for text in texts:
        assert folded_words(text) == by_word(text), text[:80]

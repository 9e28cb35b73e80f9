"""What changed between two versions of a release, said in one line and classified.

"2 paragraphs added, a date changed 19 → 20 July, 3 words corrected". The kind of change:
"typo" (words corrected, punctuation or a word or two), "substantive" (figures, dates,
sentences or paragraphs added or reworded), "retraction" (a paragraph removed: what offices
do when they withdraw a statement), "unrelated" (a translation, or another text: too few words
in common to name edits), or "identical". Paragraphs are those of paragraph reuse
(core.lineage.reuse: sentences in a body flattened to one line), aligned first; words are
then compared inside the paragraphs that were edited, as core.diff compares them.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from archive_browser.core.lineage.reuse import LONG_BLOCK, normalize_paragraph, split_paragraphs
from archive_browser.core.textnorm import fold, normalize_punctuation

KINDS = ("identical", "typo", "substantive", "retraction", "unrelated")
#: Below this share of the shorter text's words found in the other, two texts are not versions
#: of one another (a translation, or another release): no edit is named. The share is of the
#: shorter text, so that a version cut down to one paragraph is still a retraction.
UNRELATED_BELOW = 0.2
#: Two paragraphs in the same place sharing at least this share of words are one paragraph
#: edited, not one removed and another added.
SAME_PARAGRAPH = 0.5
#: A word replaced by one at most this many letters away (a letter added, dropped, changed
#: or two swapped) is a word corrected: one edit in words of up to five letters, two beyond.
TYPO_EDITS_SHORT, TYPO_EDITS_LONG = 1, 2
#: At most this many words added or removed (a word doubled, an article dropped; besides
#: corrections, and no word replaced by another) is still typo-level.
TYPO_WORDS = 2
#: A removed paragraph shorter than this many words (a stray line) is no retraction.
RETRACTION_WORDS = 5

_WORD = re.compile(r"\w+")
_MONTHS = frozenset(
    """
    january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec января февраля марта апреля мая июня
    июля августа сентября октября ноября декабря січня лютого березня квітня травня червня
    липня серпня вересня жовтня листопада грудня
    """.split()  # noqa: SIM905 (a list of words, read as prose)
)


@dataclass(frozen=True, slots=True)
class DiffSummary:
    """The change from the left text to the right one."""

    kind: str
    summary: str
    unit: str = "paragraph"  # or "sentence", for bodies flattened to one line
    added: int = 0  # paragraphs (or sentences)
    removed: int = 0
    edited: int = 0
    words_corrected: int = 0
    words_added: int = 0
    words_removed: int = 0
    dates: list[tuple[str, str]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "summary": self.summary,
            "unit": self.unit,
            "added": self.added,
            "removed": self.removed,
            "edited": self.edited,
            "words_corrected": self.words_corrected,
            "words_added": self.words_added,
            "words_removed": self.words_removed,
            "dates_changed": [list(d) for d in self.dates],
            "figures_changed": [list(f) for f in self.figures],
        }


@dataclass
class _Tally:
    added: int = 0
    removed: int = 0
    removed_words: int = 0
    edited: int = 0
    corrected: int = 0
    words_added: int = 0
    words_removed: int = 0
    reworded: bool = False  # a word replaced by another (not a correction)
    dates: list[tuple[str, str]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)


def _paragraphs(text: str) -> list[str]:
    return [text[s:e] for s, e in split_paragraphs(text)]


def _words(text: str) -> list[str]:
    return _WORD.findall(normalize_punctuation(text))


def _likeness(a: list[str], b: list[str]) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and swaps of
    two neighbouring letters."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _is_typo(old: str, new: str) -> bool:
    old, new = fold(old), fold(new)
    allowed = TYPO_EDITS_SHORT if max(len(old), len(new)) <= 5 else TYPO_EDITS_LONG
    return abs(len(old) - len(new)) <= allowed and _edits(old, new) <= allowed


def _is_month(word: str) -> bool:
    return fold(word) in _MONTHS


def _is_day(word: str) -> bool:
    return word.isdigit() and 1 <= int(word) <= 31


def _compare_words(old: list[str], new: list[str], tally: _Tally) -> None:
    a, b = [fold(w) for w in old], [fold(w) for w in new]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        was, now = old[i1:i2], new[j1:j2]
        if tag == "delete":
            tally.words_removed += len(was)
            continue
        if tag == "insert":
            tally.words_added += len(now)
            continue
        before = old[i1 - 1] if i1 > 0 else ""
        after = old[i2] if i2 < len(old) else ""
        changed = [*was, *now]
        month_near = _is_month(before) or _is_month(after)
        if any(_is_month(w) for w in changed) or (
            month_near and all(_is_day(w) or w.isdigit() for w in changed)
        ):
            left, right = " ".join(was), " ".join(now)
            if _is_month(after) and not any(_is_month(w) for w in changed):
                right = f"{right} {after}"
            elif _is_month(before) and not any(_is_month(w) for w in changed):
                left, right = f"{before} {left}", f"{before} {right}"
            tally.dates.append((left, right))
        elif all(w.isdigit() for w in changed):
            tally.figures.append((" ".join(was), " ".join(now)))
        elif len(was) == len(now) and all(_is_typo(x, y) for x, y in zip(was, now, strict=True)):
            tally.corrected += len(was)
        else:
            tally.reworded = True
            tally.words_removed += len(was)
            tally.words_added += len(now)


def _removed(tally: _Tally, paragraph: list[str]) -> None:
    tally.removed += 1
    tally.removed_words = max(tally.removed_words, len(paragraph))


def _could_be_alike(a: Counter[str], b: Counter[str]) -> bool:
    """False when two paragraphs cannot reach SAME_PARAGRAPH (the words they share bound
    SequenceMatcher's ratio): most pairs of an unrelated replace block are rejected so."""
    total = sum(a.values()) + sum(b.values())
    return total > 0 and 2 * sum((a & b).values()) / total >= SAME_PARAGRAPH


def _align(left: list[list[str]], right: list[list[str]], tally: _Tally) -> None:
    keys_l = [fold(" ".join(p)) for p in left]
    keys_r = [fold(" ".join(p)) for p in right]
    bags_l = [Counter(k.split()) for k in keys_l]
    bags_r = [Counter(k.split()) for k in keys_r]
    matcher = difflib.SequenceMatcher(None, keys_l, keys_r, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        unused = list(range(j1, j2))
        for i in range(i1, i2):
            best, likeness = None, SAME_PARAGRAPH
            for j in unused:
                if not _could_be_alike(bags_l[i], bags_r[j]):
                    continue
                found = _likeness([fold(w) for w in left[i]], [fold(w) for w in right[j]])
                if found >= likeness:
                    best, likeness = j, found
            if best is None:
                _removed(tally, left[i])
                continue
            unused.remove(best)
            tally.edited += 1
            _compare_words(left[i], right[best], tally)
        tally.added += len(unused)


def _count(n: int, what: str, done: str) -> str:
    return f"{n} {what}{'s' if n != 1 else ''} {done}"


def _changes(items: list[tuple[str, str]], what: str) -> str:
    if len(items) == 1:
        old, new = items[0]
        return f"a {what} changed {old} → {new}"
    return f"{len(items)} {what}s changed"


def summarize(left: str, right: str) -> DiffSummary:
    """The change from `left` to `right` (e.g. an earlier version to a later one)."""
    flattened = any("\n\n" not in t and len(t) > LONG_BLOCK for t in (left, right))
    unit = "sentence" if flattened else "paragraph"
    if left.strip() == right.strip():
        return DiffSummary("identical", "no change", unit)
    lp, rp = _paragraphs(left), _paragraphs(right)
    if [normalize_paragraph(p) for p in lp] == [normalize_paragraph(p) for p in rp]:
        return DiffSummary("typo", "punctuation, case or spacing only", unit)
    common = _common_words(left, right)
    if common < UNRELATED_BELOW:
        return DiffSummary(
            "unrelated",
            f"different texts (only {common:.0%} of the shorter one's words in the other)",
            unit,
        )
    tally = _Tally()
    _align([_words(p) for p in lp], [_words(p) for p in rp], tally)
    parts = []
    if tally.added:
        parts.append(_count(tally.added, unit, "added"))
    if tally.removed:
        parts.append(_count(tally.removed, unit, "removed"))
    if tally.dates:
        parts.append(_changes(tally.dates, "date"))
    if tally.figures:
        parts.append(_changes(tally.figures, "figure"))
    if tally.corrected:
        parts.append(_count(tally.corrected, "word", "corrected"))
    if tally.words_added:
        parts.append(_count(tally.words_added, "word", "added"))
    if tally.words_removed:
        parts.append(_count(tally.words_removed, "word", "removed"))
    if tally.removed and tally.removed_words >= RETRACTION_WORDS:
        kind = "retraction"
    elif (
        tally.added
        or tally.removed
        or tally.dates
        or tally.figures
        or tally.reworded
        or tally.words_added + tally.words_removed > TYPO_WORDS
    ):
        kind = "substantive"
    else:
        kind = "typo"
    summary = ", ".join(parts) or "punctuation, case or spacing only"
    return DiffSummary(
        kind,
        summary,
        unit,
        tally.added,
        tally.removed,
        tally.edited,
        tally.corrected,
        tally.words_added,
        tally.words_removed,
        tally.dates,
        tally.figures,
    )


def _common_words(left: str, right: str) -> float:
    """The share of the shorter text's distinct words that the other has too."""
    a = {w.casefold() for w in _words(left)}
    b = {w.casefold() for w in _words(right)}
    return len(a & b) / min(len(a), len(b)) if a and b else 1.0


def kind_label(kind: str) -> str:
    """How a kind of change is named to the user."""
    return {
        "identical": "identical",
        "typo": "typo-level",
        "substantive": "substantive",
        "retraction": "retraction-like",
        "unrelated": "not versions",
    }[kind]

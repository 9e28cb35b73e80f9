"""Versions of real releases made the way press offices make them, for the tests and the
benchmark of versions: typo fixes, a paragraph added or dropped, dates changed, a re-post
under another title and source, boilerplate added. Deterministic for a given seed."""

from __future__ import annotations

import csv
import random
import re
from collections.abc import Callable
from pathlib import Path

csv.field_size_limit(1 << 30)

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
_DAY = re.compile(
    r"\b([12]?\d|3[01])( (?:January|February|March|April|May|June|July|August|"
    r"September|October|November|December))\b"
)
BOILER_TOP = "FOR IMMEDIATE RELEASE. Press service of the office, media contacts below."
BOILER_BOTTOM = (
    "For further information please contact the press office by telephone or e-mail. "
    "Follow us on social media for the latest news and statements."
)


def read_releases(path: Path, limit: int | None = None) -> list[dict[str, str]]:
    """Releases of one of the shared corpus files (columns link, headline, date, location,
    summary, body)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if (r.get("body") or "").strip()]
    return rows[:limit] if limit else rows


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def typo_fixes(body: str, rng: random.Random) -> str:
    """Three words corrected (here: misspelt, which is the same difference)."""
    words = body.split(" ")
    long_ones = [i for i, w in enumerate(words) if len(w) > 5 and w.isalpha()]
    for i in rng.sample(long_ones, min(3, len(long_ones))):
        w = words[i]
        j = rng.randrange(1, len(w) - 2)
        words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _words(text: str) -> int:
    return len(text.split())


def paragraph_dropped(body: str, rng: random.Random) -> str:
    """A run of sentences (at most a tenth of the words, at least one sentence) taken out."""
    parts = sentences(body)
    if len(parts) < 3:
        return body
    budget = max(1, _words(body) // 10)
    start = rng.randrange(1, len(parts) - 1)
    end = start + 1
    while end < len(parts) - 1 and sum(map(_words, parts[start : end + 1])) <= budget:
        end += 1
    return " ".join(parts[:start] + parts[end:])


def paragraph_added(body: str, rng: random.Random, donor: str) -> str:
    """A paragraph of another release (at most a tenth of the words) put in."""
    parts = sentences(body)
    extra: list[str] = []
    for s in sentences(donor):
        if extra and _words(" ".join([*extra, s])) > max(12, _words(body) // 10):
            break
        extra.append(s)
    at = rng.randrange(1, max(2, len(parts)))
    return " ".join(parts[:at] + extra + parts[at:])


def dates_changed(body: str, rng: random.Random) -> str:
    """Days of the month moved by one ("19 July" -> "20 July"), or a year added."""
    changed = _DAY.sub(lambda m: f"{(int(m.group(1)) % 28) + 1}{m.group(2)}", body)
    return changed if changed != body else body + " Updated on 20 July."


def boilerplate_added(body: str, _rng: random.Random) -> str:
    return f"{BOILER_TOP}\n\n{body}\n\n{BOILER_BOTTOM}"


EDITS: dict[str, Callable[..., str]] = {
    "typos": typo_fixes,
    "paragraph dropped": paragraph_dropped,
    "paragraph added": paragraph_added,
    "dates changed": dates_changed,
    "boilerplate": boilerplate_added,
    "re-posted": lambda body, _rng: body,
}


def make_version(
    row: dict[str, str], kind: str, rng: random.Random, donor: str = ""
) -> dict[str, str]:
    """A version of a release: its body edited by `kind` (see EDITS); a re-post has another
    title, source and link, and is dated a day or two later."""
    body = row["body"]
    new = EDITS[kind](body, rng, donor) if kind == "paragraph added" else EDITS[kind](body, rng)
    out = dict(row, body=new)
    if kind == "re-posted":
        out["headline"] = "Re-posted: " + row["headline"]
        out["source"] = "news.example.org"
        out["link"] = row["link"] + "?repost"
    else:
        out["link"] = row["link"] + f"?v={kind.replace(' ', '-')}"
    return out


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    names = ["link", "headline", "date", "location", "summary", "body", "source"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, names, extrasaction="ignore")
        writer.writeheader()
        for r in rows:
            writer.writerow({n: r.get(n, "") for n in names})
    return path

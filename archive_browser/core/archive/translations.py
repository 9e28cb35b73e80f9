"""Translations: candidate pairs of releases in two languages, and the user's decisions.

Candidates of a release are the releases in another language dated at most WINDOW_DAYS
from it, scored by what they share (see core.lineage.translations); a pair the user
rejected is not proposed again, a pair confirmed stays linked whatever the score.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from archive_browser.core.archive.base import ArchiveBase
from archive_browser.core.changes import Changes
from archive_browser.core.errors import NotFoundError, UserFacingError
from archive_browser.core.lineage.translations import (
    MIN_SCORE,
    WINDOW_DAYS,
    Score,
    Signals,
    days_between,
    score,
    script_language,
    signals,
)
from archive_browser.core.model import Release
from archive_browser.core.store import Store, now_iso

DECISIONS = ("confirmed", "rejected")
#: How many of a release's best candidates are checked for being likely (the check reads
#: the candidate's own candidates).
LIKELY_CHECKED = 5
#: How many releases' signals are kept between questions (about 1 KB each).
SIGNALS_KEPT = 20000
#: Releases read during one question: the release, its signals, its language.
_Seen = dict[int, tuple[Release, Signals, str]]


@dataclass(frozen=True, slots=True)
class TranslationCandidate:
    """Another release that may be this one translated; `decision` is "confirmed",
    "rejected" or "" (not decided)."""

    id: int
    title: str
    date: str | None
    language: str
    url: str
    score: float
    reasons: tuple[str, ...]
    decision: str = ""
    #: Each is the other's best candidate, sharing more than a date (what the precision in
    #: the README is of).
    likely: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "language": self.language,
            "url": self.url,
            "score": self.score,
            "reasons": list(self.reasons),
            "decision": self.decision,
            "likely": self.likely,
        }


def _signals(release: Release) -> Signals:
    return signals(release.title, release.body, release.url, release.year)


class TranslationManager:
    """Proposes translation pairs and stores the user's decisions on them."""

    def __init__(self, archive: ArchiveBase) -> None:
        self._archive = archive
        # Signals of releases read lately, by (id, modified): the releases of nearby days are
        # read again for the next release, and reading their signals is most of the work.
        self._signals: dict[tuple[int, str], tuple[Signals, str]] = {}

    def decisions(self, release_id: int) -> dict[int, str]:
        """The decided pairs of a release: other id -> "confirmed" / "rejected"."""
        rows = self._archive.store.db.execute(
            "SELECT other_id, decision FROM translation_decisions WHERE release_id = :id "
            "UNION ALL SELECT release_id, decision FROM translation_decisions "
            "WHERE other_id = :id",
            {"id": release_id},
        ).fetchall()
        return {int(i): str(d) for i, d in rows}

    def _window(self, release: Release) -> list[int]:
        if release.date is None:
            return []
        try:
            day = date.fromisoformat(release.date)
        except ValueError:
            return []
        low = (day - timedelta(days=WINDOW_DAYS)).isoformat()
        high = (day + timedelta(days=WINDOW_DAYS)).isoformat()
        rows = self._archive.store.db.execute(
            "SELECT id FROM releases WHERE date BETWEEN ? AND ? AND id != ? ORDER BY id",
            [low, high, release.id],
        ).fetchall()
        return [int(r[0]) for r in rows]

    def _load(self, ids: list[int], seen: _Seen) -> None:
        wanted = [i for i in ids if i not in seen]
        for release in self._archive.store.get_releases(wanted):
            key = (release.id, release.modified)
            known = self._signals.get(key)
            if known is None:
                if len(self._signals) >= SIGNALS_KEPT:
                    self._signals.clear()
                language = script_language(release.body, release.language)
                known = self._signals[key] = (_signals(release), language)
            seen[release.id] = (release, *known)

    def _scored(self, release_id: int, seen: _Seen) -> list[tuple[int, Score]]:
        """Releases in another language near this one's date with at least MIN_SCORE,
        best first."""
        release, mine, language = seen[release_id]
        if not language:
            return []
        window = self._window(release)
        self._load(window, seen)
        out = []
        for other_id in window:
            other, theirs, other_language = seen[other_id]
            if other_language == language or not other_language:
                continue
            apart = days_between(release.date, other.date)
            found = score(mine, theirs, WINDOW_DAYS if apart is None else apart)
            if found.value >= MIN_SCORE:
                out.append((other_id, found))
        out.sort(key=lambda x: (-x[1].value, x[0]))
        return out

    def candidates(
        self, release_id: int, *, limit: int = 10, include_rejected: bool = False
    ) -> list[TranslationCandidate]:
        """The likeliest translations of a release, best first: confirmed pairs, then the
        undecided with a score of at least MIN_SCORE, those `likely` first (each the other's
        best candidate), then rejected ones when asked."""
        seen: _Seen = {}
        self._load([release_id], seen)
        if release_id not in seen:
            raise NotFoundError(f"There is no release with id {release_id}.")
        release, mine, _language = seen[release_id]
        decided = self.decisions(release_id)
        scored = dict(self._scored(release_id, seen))
        self._load(list(decided), seen)
        for other_id in decided:
            if other_id not in scored and other_id in seen:
                other = seen[other_id][0]
                apart = days_between(release.date, other.date)
                scored[other_id] = score(
                    mine, seen[other_id][1], WINDOW_DAYS if apart is None else apart
                )
        out: list[TranslationCandidate] = []
        checked = 0
        for other_id, found in sorted(scored.items(), key=lambda x: (-x[1].value, x[0])):
            decision = decided.get(other_id, "")
            if decision == "rejected" and not include_rejected:
                continue
            likely = False
            # A date alone is shared by every release of that day: likely needs more.
            more_than_a_date = any(r != "dates in common" for r in found.reasons)
            if not decision and checked < LIKELY_CHECKED and more_than_a_date:
                checked += 1
                theirs = [
                    i for i, _ in self._scored(other_id, seen) if decided.get(i) != "rejected"
                ]
                likely = bool(theirs) and theirs[0] == release_id
            other, _, other_language = seen[other_id]
            out.append(
                TranslationCandidate(
                    other.id,
                    other.title,
                    other.date,
                    other_language,
                    other.url,
                    found.value,
                    found.reasons,
                    decision,
                    likely,
                )
            )
        rank = {"confirmed": 0, "": 1, "rejected": 2}
        out.sort(key=lambda c: (rank[c.decision], not c.likely, -c.score, c.id))
        return out[:limit] if limit else out

    def translations(
        self, release_id: int, *, confirmed_only: bool = True
    ) -> list[TranslationCandidate]:
        """The confirmed translations of a release (with `confirmed_only` False, every
        candidate not rejected too)."""
        if not confirmed_only:
            return self.candidates(release_id, limit=0)
        self._archive.store.get_release(release_id)  # a clear error for an unknown id
        out = []
        for other in self._archive.store.get_releases(
            self.confirmed_links([release_id]).get(release_id, [])
        ):
            language = script_language(other.body, other.language)
            out.append(
                TranslationCandidate(
                    other.id, other.title, other.date, language, other.url, 1.0, (), "confirmed"
                )
            )
        return out

    def confirmed_links(self, ids: Sequence[int]) -> dict[int, list[int]]:
        """The confirmed translations of many releases at once (for exports): id -> ids."""
        links: dict[int, list[int]] = {}
        db = self._archive.store.db
        for start in range(0, len(ids), 400):
            chunk = list(ids[start : start + 400])
            marks = ",".join("?" * len(chunk))
            for a, b in db.execute(
                "SELECT release_id, other_id FROM translation_decisions "
                f"WHERE decision = 'confirmed' AND (release_id IN ({marks}) "
                f"OR other_id IN ({marks})) ORDER BY release_id, other_id",
                chunk + chunk,
            ):
                links.setdefault(a, []).append(b)
                links.setdefault(b, []).append(a)
        wanted = set(ids)
        return {i: sorted(set(v)) for i, v in links.items() if i in wanted}

    def decide(self, release_id: int, other_id: int, decision: str | None) -> Changes:
        """Stores "confirmed" or "rejected" for a pair (None forgets the decision)."""
        self._archive.require_writable()
        if decision is not None and decision not in DECISIONS:
            raise ValueError(f"unknown decision {decision!r}")
        if release_id == other_id:
            raise UserFacingError("A release is not a translation of itself.")
        archive = self._archive
        missing = {release_id, other_id} - set(archive.store.existing_ids([release_id, other_id]))
        if missing:
            raise NotFoundError(f"There is no release with id {min(missing)}.")
        low, high = sorted((release_id, other_id))

        def apply(store: Store) -> None:
            db = store.db
            if decision is None:
                db.execute(
                    "DELETE FROM translation_decisions WHERE release_id = ? AND other_id = ?",
                    [low, high],
                )
            else:
                db.execute(
                    "INSERT INTO translation_decisions (release_id, other_id, decision, decided) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (release_id, other_id) DO UPDATE SET "
                    "decision = excluded.decision, decided = excluded.decided",
                    [low, high, decision, now_iso()],
                )

        archive.change(apply)
        return Changes()  # nothing a search shows: the translations section refreshes itself

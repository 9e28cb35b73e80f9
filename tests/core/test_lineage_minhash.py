"""Shingles, signatures, band keys and the clustering rules, on real release texts."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from archive_browser.core.lineage import minhash as mh
from archive_browser.core.lineage.clusters import Decisions, cluster
from tests.lineage_edits import make_version, read_releases


@pytest.fixture(scope="module")
def bodies(corpus: Path) -> list[str]:
    rows = read_releases(corpus / "putin.csv", 80)
    return [r["body"] for r in rows if len(r["body"].split()) > 150][:30]


@pytest.fixture(scope="module")
def corpus() -> Path:  # (module scope: the shared corpus' folder)
    from tests.conftest import CORPUS, shared_file

    return shared_file(CORPUS / "putin.csv").parent


def test_shingles_are_five_word_runs_lowercased() -> None:
    a = mh.shingles("One two three four five six")
    b = mh.shingles("ONE two, three; four five.  six")
    assert len(a) == 2 and np.array_equal(a, b)
    assert len(mh.shingles("Too short")) == 1  # a text shorter than a shingle is one shingle
    assert len(mh.shingles("  ... ")) == 0
    assert mh.signature(mh.shingles(""))[0] == mh.EMPTY
    assert mh.jaccard(mh.shingles(""), mh.shingles("")) == 0.0
    # Any script: Cyrillic words are words.
    assert len(mh.shingles("Президент России провёл совещание с членами Совбеза")) == 3


def test_a_swapped_letter_keeps_the_shingles_but_a_changed_name_or_number_does_not() -> None:
    text = "The government adopted the resolution on the regional programme in Moscow on 19 July"
    fixed = text.replace("government", "governmnet").replace("programme", "porgramme")
    assert np.array_equal(mh.shingles(text), mh.shingles(fixed))
    for other in (
        text.replace("Moscow", "Samara"),
        text.replace("19", "20"),
        text.replace("adopted the", "adopted a"),
        text.replace("programme", "budget"),
    ):
        assert not np.array_equal(mh.shingles(text), mh.shingles(other)), other
    assert mh.word_key("Moscow") == mh.word_key("Mocsow") != mh.word_key("Samara")
    assert mh.word_key("2022") == "2022" and mh.word_key("20th") == "20th"
    assert mh.word_key("governmnet") == mh.word_key("government") != mh.word_key("governments")


def test_containment_counts_for_a_passage_added_not_for_a_text_quoted_in_a_longer_one(
    bodies: list[str],
) -> None:
    body = bodies[0]
    words = body.split(" ")
    half = len(words) // 2
    passage = " ".join(bodies[1].split(" ")[:60])
    added = " ".join([*words[:half], passage, *words[half:]])
    a, b = mh.shingles(body), mh.shingles(added)
    assert mh.similarity(a, b) > 0.95 > mh.jaccard(a, b)
    assert mh.similarity(a, b) == mh.similarity(b, a)
    # Words changed all through it (a template filled in again): Jaccard only.
    refilled = " ".join(w if n % 25 else "Kazakhstan" for n, w in enumerate(words))
    c = mh.shingles(refilled)
    assert mh.similarity(a, c) == mh.jaccard(a, c) < 0.8
    # The opening quarter of a release, whole inside it, is not a version of it.
    start = mh.shingles(" ".join(words[: len(words) // 4]))
    assert mh.similarity(start, a) == mh.jaccard(start, a) < 0.5


def test_signatures_are_the_same_in_another_process(bodies: list[str]) -> None:
    """Stored signatures must not depend on the process (no randomised hash())."""
    here = mh.to_blob(mh.signature(mh.shingles(bodies[0]))).hex()
    code = (
        "import sys; from archive_browser.core.lineage import minhash as mh; "
        "print(mh.to_blob(mh.signature(mh.shingles(sys.stdin.read()))).hex())"
    )
    there = subprocess.run(
        [sys.executable, "-c", code],
        input=bodies[0],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "PATH": ""},
    ).stdout.strip()
    assert there == here


def test_estimate_follows_the_exact_similarity_of_edited_releases(bodies: list[str]) -> None:
    rng = random.Random(3)
    errors = []
    for i, body in enumerate(bodies):
        row = {"body": body, "headline": "t", "link": "l"}
        kind = ["typos", "paragraph dropped", "paragraph added", "dates changed", "boilerplate"][
            i % 5
        ]
        edited = make_version(row, kind, rng, donor=bodies[(i + 1) % len(bodies)])["body"]
        sa, sb = mh.shingles(body), mh.shingles(edited)
        exact = mh.jaccard(sa, sb)
        estimate = mh.estimate(mh.signature(sa), mh.signature(sb))
        errors.append(abs(exact - estimate))
        assert exact > 0.6, kind
    # 120 hash functions: a standard error of about 0.04 at these similarities.
    assert max(errors) < 0.16 and float(np.mean(errors)) < 0.05
    unrelated = mh.estimate(
        mh.signature(mh.shingles(bodies[0])), mh.signature(mh.shingles(bodies[1]))
    )
    assert unrelated < 0.1


def test_band_keys_are_equal_exactly_where_bands_agree(bodies: list[str]) -> None:
    a = mh.signature(mh.shingles(bodies[0]))
    b = a.copy()
    b[: mh.ROWS] += 1  # the first band differs, the others agree
    keys = mh.band_keys(np.stack([a, b]))
    assert keys.shape == (2, mh.BANDS)
    assert keys[0, 0] != keys[1, 0]
    assert (keys[0, 1:] == keys[1, 1:]).all()
    # The same values in two different bands give two keys (bands never collide).
    same = np.tile(a[: mh.ROWS], mh.BANDS)
    assert len(set(mh.band_keys(same[None, :])[0].tolist())) == mh.BANDS


def _similar_from(table: dict[tuple[int, int], float]):
    def similar(xs, ys) -> float:
        return min(table.get((min(x, y), max(x, y)), 0.0) for x in xs for y in ys)

    return similar


def test_a_chain_of_similar_pairs_does_not_join_releases_that_share_little() -> None:
    # 1~2~3~4~5, each step 0.85; 1 and 4 share little, 1 and 5 nothing.
    steps = [(1, 2, 0.85), (2, 3, 0.85), (3, 4, 0.85), (4, 5, 0.85)]
    table = {(a, b): s for a, b, s in steps}
    table.update({(1, 3): 0.7, (2, 4): 0.7, (3, 5): 0.7, (1, 4): 0.35, (2, 5): 0.35, (1, 5): 0.2})
    groups = cluster(steps, 0.8, Decisions(), _similar_from(table))
    assert groups == [[1, 2, 3], [4, 5]]
    # Without the guard (floor 0) it would be one chain of five.
    assert cluster(steps, 0.8, Decisions(), _similar_from(table), floor=0.0) == [[1, 2, 3, 4, 5]]


def test_decisions_come_before_the_pairs() -> None:
    pairs = [(1, 2, 0.95), (2, 3, 0.9), (4, 5, 0.99)]
    table = {(1, 2): 0.95, (2, 3): 0.9, (1, 3): 0.85, (4, 5): 0.99}
    similar = _similar_from(table)
    apart = Decisions(apart={(1, 3)})
    assert cluster(pairs, 0.8, apart, similar) == [[1, 2], [4, 5]]
    joined = Decisions(joined=[(1, 4), (1, 5)])
    # 2 and 3 are versions of 1, which the user put with 4 and 5: they join it.
    assert cluster(pairs, 0.8, joined, similar) == [[1, 2, 3, 4, 5]]
    both = Decisions(joined=[(1, 2)], apart={(1, 2)})
    assert cluster(pairs, 0.8, both, similar) == [[2, 3], [4, 5]]


def test_band_keys_of_many_signatures_are_those_of_each(
    bodies: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keys are computed a slice of signatures at a time: the same as one by one."""
    sigs = mh.signatures([mh.shingles(b) for b in bodies])
    assert len(sigs) >= 20
    monkeypatch.setattr(mh, "_KEY_ROWS", 7)
    keys = mh.band_keys(sigs)
    assert keys.shape == (len(sigs), mh.BANDS)
    assert [k.tolist() for k in keys] == [mh.band_keys(s[None, :])[0].tolist() for s in sigs]
    assert len({k for row in keys.tolist() for k in row}) > (len(sigs) - 5) * mh.BANDS

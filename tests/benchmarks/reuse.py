"""Figures for paragraph reuse, translation candidates and their quality (not a test).

    nice -n 19 python -m tests.benchmarks.reuse [--releases 20000] [--skip-speed]

- Paragraph reuse at N generated releases (tests/benchmarks/corpus.py: half of the paragraphs
  are real sentences of the corpus, so paragraphs do recur): import time with and without the
  paragraph step, and the time of `paragraph_reuse` for a release.
- Translation candidates on the labelled set of tests/translation_pairs.py (the real English
  corpus, a counterpart for every other release): precision and recall of the best candidate
  of each English release, with and without address numbers, and the time per release.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from archive_browser.core.archive import Archive
from archive_browser.core.archive import importing as importing_module
from archive_browser.core.jobs import run
from tests.benchmarks.corpus import write_jsonl
from tests.conftest import CORPUS
from tests.corpus_rows import draft, rows
from tests.translation_pairs import counterpart


def _import(folder: Path, data: Path, *, paragraphs: bool) -> float:
    saved = importing_module.record_paragraphs
    if not paragraphs:
        importing_module.record_paragraphs = lambda store, releases: None
    try:
        with Archive.open(folder) as archive:
            start = time.perf_counter()
            run(archive.import_paths([data]))
            return time.perf_counter() - start
    finally:
        importing_module.record_paragraphs = saved


def reuse_speed(n: int, work: Path) -> None:
    data = write_jsonl(work / f"corpus-{n}.jsonl", n)
    without = _import(work / "without", data, paragraphs=False)
    with_ = _import(work / "with", data, paragraphs=True)
    print(
        f"import of {n:,} releases: {without:.1f} s without the paragraph step, "
        f"{with_:.1f} s with it (+{(with_ / without - 1):.1%})"
    )
    with Archive.open(work / "with", readonly=True) as archive:
        rng = random.Random(7)
        ids = rng.sample(range(1, archive.count() + 1), 200)
        times, reused, paragraphs = [], 0, 0
        for i in ids:
            start = time.perf_counter()
            found = archive.paragraph_reuse(i)
            times.append(time.perf_counter() - start)
            paragraphs += len(found)
            reused += sum(1 for p in found if p.count)
        rows_ = archive.store.db.execute("SELECT count(*) FROM paragraph_hashes").fetchone()[0]
        size = (work / "with" / "archive.sqlite3").stat().st_size
        size0 = (work / "without" / "archive.sqlite3").stat().st_size
    times.sort()
    print(
        f"paragraph_reuse at {n:,}: median {statistics.median(times) * 1000:.1f} ms, "
        f"95th percentile {times[int(len(times) * 0.95)] * 1000:.1f} ms; "
        f"{paragraphs / len(ids):.1f} paragraphs a release, {reused / max(1, paragraphs):.0%} "
        f"found elsewhere; {rows_:,} hashes, file {size0 / 1e6:.0f} -> {size / 1e6:.0f} MB"
    )


def translation_quality(work: Path, *, with_url: bool) -> None:
    rng = random.Random(16)
    english = [r for office in ("putin", "zelenskyy") for r in rows(CORPUS, office)]
    paired = {i for i in range(len(english)) if i % 2 == 0}
    folder = work / f"pairs-{'url' if with_url else 'nourl'}"
    with Archive.open(folder) as archive:
        en_ids, _ = archive.add_releases([draft(r) for r in english])
        # Copies in the corpus (the same text under two headlines) keep the first id only.
        drafts = [counterpart(english[i], rng, with_url=with_url) for i in sorted(paired)]
        ru_ids, _ = archive.add_releases(drafts)
        truth = dict(zip((en_ids[i] for i in sorted(paired)), ru_ids, strict=True))
        predicted = correct = likely = likely_correct = 0
        times = []
        for release_id in en_ids:
            start = time.perf_counter()
            found = archive.translation_candidates(release_id, limit=1)
            times.append(time.perf_counter() - start)
            if found:
                right = found[0].id == truth.get(release_id)
                predicted += 1
                correct += right
                likely += found[0].likely
                likely_correct += right and found[0].likely
        cold = []
        for release_id in random.Random(1).sample(en_ids, 100):
            archive.translation_pairs._signals.clear()
            start = time.perf_counter()
            archive.translation_candidates(release_id)
            cold.append(time.perf_counter() - start)
    print(
        f"translations ({'with' if with_url else 'without'} address numbers): "
        f"{len(en_ids):,} English releases, {len(truth):,} with a counterpart; median "
        f"{statistics.median(times) * 1000:.1f} ms a release going through them in order, "
        f"{statistics.median(cold) * 1000:.1f} ms with nothing read before"
    )
    for what, right, proposed in (
        ("best candidate marked likely", likely_correct, likely),
        ("best candidate (score >= MIN_SCORE)", correct, predicted),
    ):
        print(
            f"  {what}: right {right:,} of {proposed:,}: precision "
            f"{right / max(1, proposed):.3f}, recall {right / len(truth):.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=20000)
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-translations", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.skip_translations:
            translation_quality(work, with_url=True)
            translation_quality(work, with_url=False)
        if not args.skip_speed:
            reuse_speed(args.releases, work)


if __name__ == "__main__":
    main()

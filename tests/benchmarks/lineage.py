"""Benchmark of versions (near-duplicates): quality on a labelled set made from the real
corpus, false clusters among generated unrelated releases, speed and memory. Prints figures;
not collected by pytest.

    nice -n 19 python tests/benchmarks/lineage.py --unrelated 100000

1. NumPy signatures and SQLite bands (the app) beside datasketch's MinHash and MinHashLSH:
   time per release, error of the estimate against the exact Jaccard similarity, candidates
   found at >= 0.8 (by the similarity shown: Jaccard, or containment) and the bands'
   S-curve, time of one LSH query.
2. The labelled set: every real release of the shared corpus (1,796 and the 5 of the sample),
   and versions of some of them made the way offices make them (tests/lineage_edits.py:
   typo fixes, a paragraph added or dropped, dates changed, re-posted under another title and
   source, boilerplate added). Imported for real, with and without the versions step (the
   extra import cost). Pair precision and recall of the clusters at >= 0.8: a pair is true
   when both releases are versions of one original (or have the same text).
3. The same set among N generated unrelated releases (tests/benchmarks/corpus.py: real
   sentences recombined, Markov text, Russian), stored directly in SQLite: the full
   clustering time, precision and recall again, false clusters, the incremental check of one
   new release, `versions(id)` and the panel's fill, the size of the tables and memory.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from archive_browser.core.archive import Archive  # noqa: E402
from archive_browser.core.archive import importing as importing_module  # noqa: E402
from archive_browser.core.archive.lineage import update_lineage  # noqa: E402
from archive_browser.core.jobs import run  # noqa: E402
from archive_browser.core.lineage import minhash as mh  # noqa: E402
from archive_browser.core.model import ReleaseDraft  # noqa: E402
from tests.benchmarks.corpus import REAL_RELEASES, SHARED, read_jsonl, write_jsonl  # noqa: E402
from tests.lineage_edits import EDITS, make_version, read_releases, write_csv  # noqa: E402

KINDS = list(EDITS)
#: Whether part 3 computes the versions anew (--no-rebuild reuses those of an earlier run).
REBUILD = True


def say(text: str = "") -> None:
    print(text, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the labelled set ---------------------------------------------------------------------------


def labelled_set(
    originals: int, seed: int = 1
) -> tuple[list[dict[str, str]], list[int], list[str]]:
    """Real releases, then versions of `originals` of them: (rows, the group of each row, the
    kind of each row: "original" or the edit)."""
    real = read_releases(REAL_RELEASES / "putin.csv") + read_releases(
        REAL_RELEASES / "zelenskyy.csv"
    )
    for r in real:
        r.setdefault("source", "")
    rng = random.Random(seed)
    rows = list(real)
    groups = list(range(len(real)))
    kinds = ["original"] * len(real)
    for n, g in enumerate(rng.sample(range(len(real)), originals)):
        for k in range(1 + (n % 2)):  # one or two versions each
            kind = KINDS[(n + k) % len(KINDS)]
            donor = real[(g + 7) % len(real)]["body"]
            rows.append(make_version(real[g], kind, rng, donor))
            groups.append(g)
            kinds.append(kind)
    return rows, groups, kinds


def true_pairs(ids: list[int], groups: list[int], bodies: list[str]) -> set[tuple[int, int]]:
    """Pairs of releases that are versions of one original, or of the same text (the real
    corpus holds a few such: one message sent to two brigades)."""
    parent = {i: i for i in ids}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[object, int] = {}
    for i, g, body in zip(ids, groups, bodies, strict=True):
        for key in (("group", g), ("text", " ".join(mh.words(body)))):
            if key in first:
                parent[find(i)] = find(first[key])
            else:
                first[key] = i
    members: dict[int, list[int]] = {}
    for i in ids:
        members.setdefault(find(i), []).append(i)
    pairs = set()
    for group in members.values():
        group.sort()
        pairs.update((a, b) for x, a in enumerate(group) for b in group[x + 1 :])
    return pairs


def cluster_pairs(archive: Archive, among: set[int] | None = None) -> set[tuple[int, int]]:
    pairs = set()
    for c in archive.clusters():
        members = sorted(i for i in c.ids if among is None or i in among)
        pairs.update((a, b) for x, a in enumerate(members) for b in members[x + 1 :])
    return pairs


def quality(
    archive: Archive, ids: list[int], groups: list[int], kinds: list[str], bodies: list[str]
) -> None:
    truth = true_pairs(ids, groups, bodies)
    found = cluster_pairs(archive, set(ids))
    hit = truth & found
    precision = len(hit) / len(found) if found else 1.0
    recall = len(hit) / len(truth) if truth else 1.0
    say(f"  pairs: {len(truth):,} true, {len(found):,} in clusters, {len(hit):,} both")
    say(f"  precision {precision:.3f}, recall {recall:.3f} (at similarity >= 0.8)")
    kind_of = dict(zip(ids, kinds, strict=True))
    group_of = dict(zip(ids, groups, strict=True))
    originals = {g: i for i, g, k in zip(ids, groups, kinds, strict=True) if k == "original"}
    for kind in KINDS:
        mine = [
            (min(originals[group_of[i]], i), max(originals[group_of[i]], i))
            for i in ids
            if kind_of[i] == kind
        ]
        got = sum(1 for p in mine if p in found)
        say(f"    recall of {kind:<18} {got / len(mine) if mine else 0:.3f} ({got} of {len(mine)})")
    # Jaccard similarity falls with the share of the text an edit touches: by length.
    words = {i: len(mh.words(b)) for i, b in zip(ids, bodies, strict=True)}
    for low, high in ((0, 150), (150, 300), (300, 600), (600, 10**9)):
        mine = [
            (min(originals[group_of[i]], i), max(originals[group_of[i]], i))
            for i in ids
            if kind_of[i] != "original" and low <= words[originals[group_of[i]]] < high
        ]
        got = sum(1 for p in mine if p in found)
        shown = f"{low}-{high}" if high < 10**9 else f"{low}+"
        say(
            f"    recall, originals of {shown:>8} words: {got / max(1, len(mine)):.3f} "
            f"({got} of {len(mine)})"
        )
    wrong = sorted(found - truth)[:5]
    for a, b in wrong:
        sa, sb = mh.shingles(archive.get(a).body), mh.shingles(archive.get(b).body)
        say(
            f"    false pair {a} {b}: {mh.similarity(sa, sb):.3f} "
            f"(Jaccard {mh.jaccard(sa, sb):.3f}) "
            f"{archive.get(a).title[:50]!r} / {archive.get(b).title[:50]!r}"
        )


# --- 1. NumPy against datasketch ----------------------------------------------------------------


def compare_datasketch(rows: list[dict[str, str]], groups: list[int]) -> None:
    try:  # not a dependency of the app: `pip install datasketch` for this part
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        say("1. skipped: datasketch is not installed (pip install datasketch)")
        return

    say("1. Signatures: NumPy (the app) beside datasketch")
    bodies = [r["body"] for r in rows]
    sample = bodies[:600]

    def numpy_sig(body: str) -> Any:
        return mh.signature(mh.shingles(body))

    def ds_sig(body: str) -> Any:
        w = [mh.word_key(x) for x in mh.words(body)]  # the app's shingles, hashed by SHA-1
        span = min(mh.SHINGLE_WORDS, len(w))
        shingles = {" ".join(w[i : i + span]).encode() for i in range(len(w) - span + 1)}
        m = MinHash(num_perm=mh.NUM_PERM, seed=1)
        m.update_batch(list(shingles))
        return m

    for name, fn in (("numpy", numpy_sig), ("datasketch", ds_sig)):
        start = time.perf_counter()
        for b in sample:
            fn(b)
        per = (time.perf_counter() - start) / len(sample)
        say(f"  {name:<10} {ms(per)} a release (words, shingles and signature)")
    # Estimates against the exact similarity, on version pairs and on neighbouring releases.
    rng = random.Random(2)
    first = {}
    pairs = []
    for i, g in enumerate(groups):
        if g in first:
            pairs.append((first[g], i))
        else:
            first[g] = i
    pairs += [(rng.randrange(len(rows)), rng.randrange(len(rows))) for _ in range(300)]
    err_np, err_ds = [], []
    for a, b in pairs:
        sa, sb = mh.shingles(bodies[a]), mh.shingles(bodies[b])
        exact = mh.jaccard(sa, sb)
        err_np.append(abs(mh.estimate(mh.signature(sa), mh.signature(sb)) - exact))
        err_ds.append(abs(ds_sig(bodies[a]).jaccard(ds_sig(bodies[b])) - exact))
    for name, err in (("numpy", err_np), ("datasketch", err_ds)):
        say(
            f"  {name:<10} estimate error on {len(pairs)} pairs: mean {np.mean(err):.4f}, "
            f"95th percentile {np.percentile(err, 95):.4f}, max {max(err):.4f}"
        )
    # LSH: candidates of the version pairs, and the time of one query.
    lsh = MinHashLSH(threshold=0.8, num_perm=mh.NUM_PERM)
    ds = [ds_sig(b) for b in bodies]
    start = time.perf_counter()
    for i, m in enumerate(ds):
        lsh.insert(i, m)
    say(
        f"  datasketch MinHashLSH(0.8): {len(ds):,} inserted in "
        f"{time.perf_counter() - start:.2f} s (in memory)"
    )
    sigs = np.stack([numpy_sig(b) for b in bodies])
    keys = mh.band_keys(sigs)
    buckets: dict[int, set[int]] = {}
    for i, ks in enumerate(keys):
        for k in ks:
            buckets.setdefault(int(k), set()).add(i)
    strong = [
        (a, b)
        for a, b in pairs[: len(pairs) - 300]
        if mh.similarity(mh.shingles(bodies[a]), mh.shingles(bodies[b])) >= 0.8
    ]
    got_ds = sum(1 for a, b in strong if b in lsh.query(ds[a]))
    got_np = sum(1 for a, b in strong if any(b in buckets[int(k)] for k in keys[a]))
    say(
        f"  candidates of the {len(strong)} version pairs >= 0.8: numpy bands {got_np}, "
        f"datasketch {got_ds}"
    )
    # The bands' S-curve against the Jaccard similarity of the pairs the similarity (which
    # counts containment) puts at >= 0.8: some are only 0.5 alike by Jaccard.
    jac = [mh.jaccard(mh.shingles(bodies[a]), mh.shingles(bodies[b])) for a, b in strong]
    curve = ", ".join(
        f"{j}: {1 - (1 - j**mh.ROWS) ** mh.BANDS:.3f}" for j in (0.2, 0.3, 0.5, 0.6, 0.7, 0.8)
    )
    say(
        f"  their Jaccard similarity: least {min(jac):.3f}, {sum(j < 0.6 for j in jac)} under "
        f"0.6; a pair's chance to be a candidate ({mh.BANDS} bands of {mh.ROWS}) at {curve}"
    )
    t_ds = median_time(lambda: lsh.query(ds[5]), 200)
    say(f"  one query: datasketch {ms(t_ds)} (in memory); SQLite bands: see part 3")


# --- 2. the labelled set, imported ---------------------------------------------------------------


def no_lineage(_archive: object, _ids: object = None) -> Iterator[tuple[int, int]]:
    return iter(())


def import_labelled(
    work: Path, rows: list[dict[str, str]], groups: list[int], kinds: list[str]
) -> None:
    say("2. The labelled set, imported (real import, in this process)")
    path = write_csv(work / "labelled.csv", rows)
    sample = SHARED / "samples" / "csto-releases.txt"
    times = {}
    spent = [0.0]

    def timed_lineage(archive: object, ids: object = None) -> Iterator[tuple[int, int]]:
        start = time.perf_counter()
        yield from update_lineage(archive, ids)  # type: ignore[arg-type]
        spent[0] += time.perf_counter() - start

    for label, step in (("without the versions step", no_lineage), ("with it", timed_lineage)):
        importing_module.update_lineage = step  # type: ignore[assignment]
        folder = work / f"import-{len(times)}"
        archive = Archive.open(folder)
        start = time.perf_counter()
        report = run(archive.import_paths([path, sample]))
        times[label] = time.perf_counter() - start
        say(f"  {label}: {times[label]:.1f} s for {len(report.imported_ids):,} releases")
        if step is timed_lineage:
            ids = report.imported_ids[: len(rows)]
            quality(archive, ids, groups, kinds, [r["body"] for r in rows])
        archive.close()
    importing_module.update_lineage = update_lineage  # type: ignore[assignment]
    base, more = times["without the versions step"], times["with it"]
    say(f"  extra import cost, one import against the other: {(more - base) / base:+.1%}")
    # Less at the mercy of a shared machine's load: the step's own share of the same import.
    say(
        f"  extra import cost, the versions step's time within the import: {spent[0]:.1f} s, "
        f"{spent[0] / (more - spent[0]):+.1%} of the rest"
    )


# --- 3. among many unrelated releases ------------------------------------------------------------


def store_directly(archive: Archive, drafts: Iterator[ReleaseDraft]) -> list[int]:
    store = archive.store
    ids: list[int] = []
    batch: list[ReleaseDraft] = []

    def flush() -> None:
        with store.transaction():
            for d in batch:
                i, _m, _k = store.place_release(d)
                if i is not None:
                    ids.append(i)
            store.db.execute("DELETE FROM index_queue")
        batch.clear()

    for d in drafts:
        batch.append(d)
        if len(batch) >= 2000:
            flush()
    flush()
    return ids


def table_bytes(archive: Archive) -> dict[str, int]:
    db = archive.store.db
    try:
        rows = db.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        return {n: int(s) for n, s in rows if n.startswith("lineage")}
    except Exception:
        return {}


def at_scale(
    work: Path, n: int, rows: list[dict[str, str]], groups: list[int], kinds: list[str]
) -> None:
    say(f"3. The labelled set among {n:,} generated unrelated releases")
    corpus = write_jsonl(work.parent / f"corpus-{n}.jsonl", n)
    folder = work / "scale"
    reuse = (folder / "archive.sqlite3").exists()
    archive = Archive.open(folder)
    start = time.perf_counter()
    if reuse:  # stored by an earlier run: the labelled set first, then the generated ones
        all_ids = archive.store.ids("id")
        labelled, unrelated = all_ids[: len(rows)], all_ids[len(rows) : len(rows) + n]
        with archive.store.transaction():  # the releases an earlier check added
            archive.store.delete_releases(all_ids[len(rows) + n :])
            archive.store.db.execute("DELETE FROM index_queue")
    else:
        labelled, unrelated = _store_all(archive, rows, corpus)
    say(
        f"  stored {archive.count():,} releases in {time.perf_counter() - start:.0f} s "
        "(directly, no index)"
    )
    _measure(archive, rows, groups, kinds, labelled, unrelated)


def _store_all(
    archive: Archive, rows: list[dict[str, str]], corpus: Path
) -> tuple[list[int], list[int]]:
    labelled = store_directly(
        archive,
        (
            ReleaseDraft(
                r["headline"],
                r["body"],
                r["date"] or None,
                source=r.get("source", ""),
                url=r["link"],
            )
            for r in rows
        ),
    )
    unrelated = store_directly(
        archive,
        (
            ReleaseDraft(
                rec.get("title") or f"Generated {k}",
                rec["body"],
                rec.get("date"),
                source=rec.get("source", ""),
            )
            for k, rec in enumerate(read_jsonl(corpus))
        ),
    )
    return labelled, unrelated


def _measure(
    archive: Archive,
    rows: list[dict[str, str]],
    groups: list[int],
    kinds: list[str],
    labelled: list[int],
    unrelated: list[int],
) -> None:
    rss = max_rss_mb()
    if REBUILD:
        start, cpu = time.perf_counter(), time.process_time()
        run(archive.rebuild_versions())
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        say(
            f"  full clustering (signatures, bands, pairs, clusters): {took:.1f} s "
            f"({cpu:.1f} s of processor time: the rest is waiting for a shared processor)"
        )
    say(
        f"  peak memory of the process: {max_rss_mb():.0f} MB (before: {rss:.0f} MB); "
        f"signatures and band keys in memory while building: "
        f"{archive.count() * (mh.NUM_PERM * 4 + mh.BANDS * 8) / 1e6:.0f} MB"
    )
    sizes = table_bytes(archive)
    if sizes:
        say("  tables: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes.items())))
    db = archive.store.db
    bands = db.execute("SELECT count(*) FROM lineage_bands").fetchone()[0]
    pairs = db.execute("SELECT count(*) FROM lineage_pairs").fetchone()[0]
    say(f"  {bands:,} band rows, {pairs:,} pairs confirmed (>= 0.5)")
    quality(archive, labelled, groups, kinds, [r["body"] for r in rows])
    generated = set(unrelated)
    false = [c for c in archive.clusters() if generated & set(c.ids)]
    say(f"  clusters holding a generated release (false clusters): {len(false):,}")
    labelled_set_ids = set(labelled)
    mixed = sum(1 for c in false if labelled_set_ids & set(c.ids))
    sizes = [len(mh.words(archive.get(c.ids[0]).body)) for c in false]
    say(
        f"    of which {mixed:,} join a generated release to a real one (the generator copies "
        f"runs of real sentences verbatim); words of their first releases: median "
        f"{statistics.median(sizes) if sizes else 0:.0f}; every pair confirmed >= 0.8 exactly"
    )
    for c in false[:5]:
        say(f"    {c.ids[:6]} weakest link {c.min_similarity:.3f}")
    # One new release checked against the archive: signed, looked up in the bands,
    # confirmed, reclustered (update_lineage, as an import runs it).
    rng = random.Random(4)
    times, cpu_times = [], []
    for k in range(20):
        base = rows[rng.randrange(len(rows))]
        if k % 2:
            body = make_version(base, "typos", rng)["body"]
        else:  # unrelated: sentences of several releases
            body = " ".join(rng.choice(rows)["body"].split(". ")[0] for _ in range(8))
        with archive.store.transaction():
            new_id, _m, _k = archive.store.place_release(
                ReleaseDraft(f"new {k}", body, "2024-01-01")
            )
        start, cpu = time.perf_counter(), time.process_time()
        for _ in update_lineage(archive, [new_id] if new_id is not None else []):
            pass
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu)
    say(
        f"  incremental check of one new release: median {ms(statistics.median(times))}, "
        f"max {ms(max(times))}; processor time median {ms(statistics.median(cpu_times))}"
    )
    in_clusters = [c.ids[0] for c in archive.clusters()][:50] or labelled[:50]
    t_versions = statistics.median(
        median_time(lambda i=i: archive.versions(i), 3) for i in in_clusters
    )
    say(f"  versions(id) of a release with versions: median {ms(t_versions)}")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from archive_browser.gui.features.versions import VersionsPanel

    app = QApplication.instance() or QApplication([])
    panel = VersionsPanel()
    panel.show()
    reports = [archive.versions(i) for i in in_clusters]

    def fill() -> None:
        for r in reports:
            panel.show_report(r)
            app.processEvents()

    t_fill = median_time(fill, 3) / len(reports)
    say(
        f"  the panel's fill (and paint): {ms(t_fill)}; "
        f"open = versions(id) + fill = {ms(t_versions + t_fill)}"
    )
    archive.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--unrelated", type=int, default=100_000)
    parser.add_argument("--originals", type=int, default=400, help="real releases given versions")
    parser.add_argument(
        "--work", type=Path, help="a folder for the archives (default: a temporary one)"
    )
    parser.add_argument("--skip", default="", help="parts to skip, e.g. 1,2")
    parser.add_argument(
        "--no-rebuild", action="store_true", help="part 3: keep the versions an earlier run found"
    )
    args = parser.parse_args()
    global REBUILD
    REBUILD = not args.no_rebuild
    load = os.getloadavg()
    say(
        f"Load average at the start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    rows, groups, kinds = labelled_set(args.originals)
    say(
        f"Labelled set: {len(rows):,} releases, {len(rows) - len(set(groups)):,} of them "
        f"versions of {args.originals} real releases"
    )
    work = args.work or Path(tempfile.mkdtemp(prefix="lineage-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    skip = set(args.skip.split(","))
    if "1" not in skip:
        compare_datasketch(rows, groups)
    if "2" not in skip:
        import_labelled(work, rows, groups, kinds)
    if "3" not in skip:
        at_scale(work, args.unrelated, rows, groups, kinds)
    load = os.getloadavg()
    say(f"Load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()

"""Benchmark of provenance and fixity: `verify` of N kept originals, and what hashing and
keeping originals add to imports of PDFs and of JSON Lines.

    nice -n 19 python tests/benchmarks/verify.py --originals 10000 --pdfs 200

Not collected by pytest (no test_ prefix). Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from archive_browser.core.archive import Archive, originals
from archive_browser.core.importers import ImportOptions
from archive_browser.core.jobs import run


def fill_originals(archive: Archive, count: int, rng: random.Random) -> int:
    """Keeps `count` small generated files (1-16 KB) through the same path an import
    takes; returns their total size."""
    import hashlib
    import io

    total = 0
    store = archive.store
    with store.transaction():
        for i in range(count):
            data = rng.randbytes(rng.randint(1024, 16 * 1024)) + str(i).encode()
            digest = hashlib.sha256(data).hexdigest()
            size = originals.keep(archive.folder, io.BytesIO(data), digest, ".pdf")
            assert size is not None
            store.add_original(digest, size, ".pdf")
            total += size
    return total


def time_import(folder: Path, paths: list[Path], keep: str) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    with Archive.open(folder) as archive:
        began = time.perf_counter()
        report = run(archive.import_paths(paths, ImportOptions(keep_originals=keep)))
        took = time.perf_counter() - began
        assert not report.failures, report.failures
    return took


def time_hashing(paths: list[Path]) -> float:
    began = time.perf_counter()
    for p in paths:
        originals.sha256_of_file(p)
    return time.perf_counter() - began


def time_keeping(folder: Path, paths: list[Path]) -> float:
    """What keeping costs alone: each file hashed and kept (copied, flushed to disk, renamed,
    made read-only) into a fresh originals folder, as an import does after reading it."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    digests = [originals.sha256_of_file(p) for p in paths]
    began = time.perf_counter()
    for p, digest in zip(paths, digests, strict=True):
        with open(p, "rb") as f:
            originals.keep(folder, f, digest, p.suffix)
    return time.perf_counter() - began


def compare(work: Path, name: str, paths: list[Path], a: str, b: str) -> dict[str, object]:
    """Imports with keep_originals `a` and `b`, alternately, twice each (the best of each:
    the machine is shared), and the hashing and keeping measured alone."""
    runs: dict[str, list[float]] = {a: [], b: []}
    for _ in range(2):
        for keep in (a, b):
            runs[keep].append(time_import(work / f"{name}-{keep}", paths, keep))
    best_a, best_b = min(runs[a]), min(runs[b])
    hashing = time_hashing(paths)
    keeping = time_keeping(work / f"{name}-kept", paths)
    return {
        "files": len(paths),
        "mb": round(sum(p.stat().st_size for p in paths) / 1e6, 1),
        f"import_seconds_keep_{a}": round(best_a, 2),
        f"import_seconds_keep_{b}": round(best_b, 2),
        "hashing_seconds": round(hashing, 3),
        "hashing_share_of_import": f"{hashing / best_b:.2%}",
        "keeping_seconds": round(keeping, 3),
        "keeping_share_of_import": f"{keeping / best_b:.2%}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--originals", type=int, default=10_000)
    parser.add_argument("--pdfs", type=int, default=100)
    parser.add_argument("--jsonl-releases", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    figures: dict[str, object] = {}
    try:
        with Archive.open(work / "verify") as archive:
            size = fill_originals(archive, args.originals, rng)
            os.sync()
            began = time.perf_counter()
            report = run(archive.verify())
            took = time.perf_counter() - began
            assert report.ok and report.checked == args.originals
        figures["verify"] = {
            "originals": args.originals,
            "mb": round(size / 1e6, 1),
            "seconds": round(took, 2),
            "files_per_second": round(args.originals / took),
        }

        from tests.fixtures import formats as F

        pdf_dir = work / "pdfs"
        pdf_dir.mkdir()
        pdfs = [
            F.pdf_pages(
                pdf_dir / f"release-{i}.pdf",
                [f"Statement {i} of the ministers on the treaty. " * 30] * 2,
            )
            for i in range(args.pdfs)
        ]
        figures["pdf_import"] = compare(work, "pdf", pdfs, "binary", "none")

        jsonl = work / "releases.jsonl"
        with open(jsonl, "w", encoding="utf-8") as f:
            for i in range(args.jsonl_releases):
                body = f"Release {i} on the council's meeting. " * rng.randint(10, 60)
                f.write(json.dumps({"title": f"Release {i}", "body": body}) + "\n")
        figures["jsonl_import"] = {
            "releases": args.jsonl_releases,
            **compare(work, "jsonl", [jsonl], "all", "binary"),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()

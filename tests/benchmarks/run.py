"""Benchmark of the app against SQLite FTS5, naive Whoosh and Recoll on the same releases.

    python tests/benchmarks/run.py --releases 2000 [--out results.json] [--gui]

Builds a deterministic corpus shaped like users' files (see corpus.py and README.md), then in
one run, phase by phase, each in its
own process: imports it into each engine, runs the query mix (queries.py) twice, counts facets,
opens each engine cold and reindexes. Prints tables and writes JSON. Nothing is written inside
the repository: the work folder is a temporary one unless --workdir names one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Run as a script, the benchmark imports itself as the package it is.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks import corpus
from tests.benchmarks.measure import ProcessTreeSampler
from tests.benchmarks.report import ENGINE_NAMES, render

REPO = Path(__file__).resolve().parents[2]
GUI_RELEASES = 20_000


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python tests/benchmarks/run.py",
        description="Measures the app's import and search against SQLite FTS5 and naive Whoosh.",
    )
    p.add_argument("--releases", type=int, default=2000, help="corpus size (default 2000)")
    p.add_argument("--out", type=Path, help="write the results as JSON to this file")
    p.add_argument("--seed", type=int, default=corpus.SEED, help="corpus seed")
    p.add_argument(
        "--engines",
        default=",".join(ENGINE_NAMES),
        help="comma-separated engines to measure (default: all; recoll is left out with a note "
        "when it is not installed)",
    )
    p.add_argument(
        "--workdir",
        type=Path,
        help="folder for the corpus and the engines' data, kept afterwards; a corpus made "
        "before for the same size and seed is reused (default: a temporary folder, removed)",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary work folder")
    p.add_argument(
        "--profile",
        type=Path,
        help="write cProfile statistics of every phase to this folder (.pstats and .txt)",
    )
    p.add_argument(
        "--gui",
        action="store_true",
        help=f"also measure the longest event-loop stall while importing {GUI_RELEASES:,} "
        "releases on a worker thread and while typing a query (needs archive_browser.gui)",
    )
    p.add_argument(
        "--gui-standin",
        action="store_true",
        help="with --gui: when archive_browser.gui cannot be imported yet, measure against a "
        "bare QCoreApplication event loop instead of skipping",
    )
    p.add_argument(
        "--gui-releases",
        type=int,
        default=GUI_RELEASES,
        help=f"releases imported for the event-loop measurement (default {GUI_RELEASES:,})",
    )
    p.add_argument("--gui-only", action="store_true", help="measure only the event loop")
    p.add_argument(
        "--skip",
        default="",
        help="comma-separated phases to leave out: import, query, cold, reindex (query, cold "
        "and reindex need the import of the same work folder)",
    )
    p.add_argument(
        "--query-timeout",
        type=float,
        default=20.0,
        help="seconds after which a query is stopped and counted as timed out (default 20)",
    )
    # Internal: run one phase in this process.
    p.add_argument("--phase", help=argparse.SUPPRESS)
    p.add_argument("--engine", help=argparse.SUPPRESS)
    p.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    return p


def _run_phase(args: argparse.Namespace) -> None:
    """In a child process: runs one phase and writes its result as JSON."""
    if args.phase == "gui":
        from tests.benchmarks.gui_stall import gui_phase

        def fn(_engine: str, workdir: Path, _n: int, seed: int) -> dict[str, Any]:
            return gui_phase(workdir, args.gui_releases, seed, standin=args.gui_standin)

    else:
        from tests.benchmarks import phases

        phases.QUERY_TIMEOUT_S = args.query_timeout
        fn = phases.PHASES[args.phase]
    if args.profile:
        result = _profiled(args, fn)
    else:
        result = fn(args.engine, args.workdir, args.releases, args.seed)
    args.result.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


def _profiled(args: argparse.Namespace, fn: Any) -> dict[str, Any]:
    """Runs a phase under cProfile and writes its statistics."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    result: dict[str, Any] = profiler.runcall(
        fn, args.engine, args.workdir, args.releases, args.seed
    )
    args.profile.mkdir(parents=True, exist_ok=True)
    stem = args.profile / f"{args.phase}-{args.engine}-{args.releases}"
    profiler.dump_stats(f"{stem}.pstats")
    with open(f"{stem}.txt", "w", encoding="utf-8") as f:
        stats = pstats.Stats(profiler, stream=f).strip_dirs()
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    return result


def _child(args: argparse.Namespace, phase: str, engine: str, workdir: Path, **extra: Any) -> dict:
    """Runs one phase in a new Python process and returns its result."""
    result_file = workdir / f"result-{phase}-{engine}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        phase,
        "--engine",
        engine,
        "--workdir",
        str(workdir),
        "--releases",
        str(extra.get("releases", args.releases)),
        "--seed",
        str(args.seed),
        "--result",
        str(result_file),
        "--gui-releases",
        str(args.gui_releases),
        "--query-timeout",
        str(args.query_timeout),
    ]
    if args.profile:
        cmd += ["--profile", str(args.profile.resolve())]
    if args.gui_standin:
        cmd.append("--gui-standin")
    label = f"{phase} {engine}"
    print(f"  {label} ...", end="", flush=True, file=sys.stderr)
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONHASHSEED="0")
    child = subprocess.Popen(cmd, env=env)
    sampler = ProcessTreeSampler(child.pid)
    while True:
        sampler.sample()
        try:
            returncode = child.wait(timeout=sampler.interval)
            break
        except subprocess.TimeoutExpired:
            continue
    print(f" {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    if returncode != 0:
        raise SystemExit(f"the phase '{label}' failed (exit status {returncode})")
    result: dict[str, Any] = json.loads(result_file.read_text(encoding="utf-8"))
    result["memory"] = sampler.result()
    return result


def _code_version() -> dict[str, Any]:
    """The commit measured and how many files differ from it (read-only git commands)."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", *args], cwd=REPO, capture_output=True, text=True, check=False, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip() if done.returncode == 0 else ""

    changed = [line for line in git("status", "--porcelain").splitlines() if line.strip()]
    return {"commit": git("rev-parse", "--short", "HEAD") or None, "changed_files": len(changed)}


def _make_corpus(workdir: Path, n: int, seed: int) -> Path:
    from tests.benchmarks.phases import corpus_path

    path = corpus_path(workdir, n, seed)
    t0 = time.perf_counter()
    print(f"Corpus of {n:,} releases in {path} ...", end="", flush=True, file=sys.stderr)
    corpus.write_jsonl(path, n, seed)
    print(f" {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return path


def _summary(
    args: argparse.Namespace, details: dict[str, Any], machine: dict, corpus_mb: float
) -> dict:
    imports = details.get("import", {})
    queries = details.get("query", {})

    def rps(engine: str, key: str) -> float | None:
        return imports.get(engine, {}).get(key)

    result: dict[str, Any] = {
        "releases": args.releases,
        "seed": args.seed,
        "corpus_mb": corpus_mb,
        "import": {
            "app_browsable_rps": rps("app", "browsable_rps"),
            "app_searchable_rps": rps("app", "searchable_rps"),
            "fts5_rps": rps("fts5", "searchable_rps"),
            "naive_whoosh_rps": rps("naive_whoosh", "searchable_rps"),
            "recoll_rps": rps("recoll", "searchable_rps"),
            "fts5_browsable_rps": rps("fts5", "browsable_rps"),
            "app_first_browsable_s": rps("app", "first_browsable_s"),
        },
        "query": {
            e: {k: q[k] for k in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")}
            | {
                "by_class": {
                    c: {k: v[k] for k in ("p50_ms", "p95_ms", "max_ms", "refused", "timed_out")}
                    for c, v in q["by_class"].items()
                }
            }
            for e, q in queries.items()
        },
        "facet_ms": {e: q["facets"] for e, q in queries.items()},
        "cold_open_ms": details.get("cold", {}).get("app", {}).get("first_results_ms"),
        "cold_open_all_ms": {e: c["first_results_ms"] for e, c in details.get("cold", {}).items()},
        "index_mb": {e: q["sizes"]["index_mb"] for e, q in queries.items()},
        "store_mb": {
            e: q["sizes"].get("store_mb", q["sizes"].get("file_mb"))
            for e, q in queries.items()
            if "store_mb" in q["sizes"] or "file_mb" in q["sizes"]
        },
        "reindex_s": {e: r["reindex_s"] for e, r in details.get("reindex", {}).items()},
        "machine": machine,
    }
    app_sqlite = imports.get("app", {}).get("parts_s")
    if app_sqlite and "index_process_beside" not in app_sqlite:
        # What "browsable" could be if the app stored every batch before indexing any.
        seconds = app_sqlite["read_parse"] + app_sqlite["sqlite"]
        result["import"]["app_store_only_rps"] = round(args.releases / seconds, 1)
    # A phase's peak: its own process's (VmHWM), or with the processes it started (sampled),
    # whichever is larger.
    by_phase = {
        f"{phase} {engine}": max(
            r["peak_rss_mb"], r.get("memory", {}).get("peak_tree_rss_mb") or 0.0
        )
        for phase, group in details.items()
        if phase != "gui"
        for engine, r in group.items()
    }
    app_peaks = [v for k, v in by_phase.items() if k.endswith((" app", " app_list"))]
    result["peak_rss_mb"] = max(app_peaks) if app_peaks else None
    result["peak_rss_mb_by_phase"] = by_phase
    gui = details.get("gui")
    if gui is not None:
        result["gui_max_stall_ms"] = gui.get("gui_max_stall_ms")
        result["gui"] = {k: v for k, v in gui.items() if k != "gaps"}
    result["details"] = details
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.phase:
        _run_phase(args)
        return 0
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ENGINE_NAMES)
    if unknown:
        raise SystemExit(f"unknown engines {sorted(unknown)}; known: {', '.join(ENGINE_NAMES)}")
    if args.releases < 1:
        raise SystemExit("--releases must be at least 1")
    if "recoll" in engines:
        from tests.benchmarks.engines import recoll_available

        why_not = recoll_available()
        if why_not:
            print(f"Recoll is not measured: {why_not}.", file=sys.stderr)
            engines.remove("recoll")
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="archive-browser-bench-")) if temporary else args.workdir
    workdir = workdir.resolve()
    if REPO in workdir.parents or workdir == REPO:
        raise SystemExit("the work folder must be outside the repository")
    workdir.mkdir(parents=True, exist_ok=True)
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_before": os.getloadavg()[0],
        "code": _code_version(),
    }
    details: dict[str, Any] = {}
    try:
        corpus_file = _make_corpus(workdir, args.releases, args.seed)
        corpus_mb = round(corpus_file.stat().st_size / 1024 / 1024, 1)
        if not args.gui_only:
            skip = {s.strip() for s in args.skip.split(",") if s.strip()}
            steps = [("import", e) for e in engines]
            steps += [("query", e) for e in engines]
            steps += [("cold", e) for e in engines]
            steps += [("cold_list", "app")] if "app" in engines else []
            steps += [("reindex", e) for e in engines if e in ("app", "fts5")]
            print("Phases:", file=sys.stderr)
            steps = [(p, e) for p, e in steps if p.removesuffix("_list") not in skip]
            for phase, engine in steps:
                result = _child(args, phase, engine, workdir)
                if phase == "cold_list":
                    phase, engine = "cold", "app_list"
                details.setdefault(phase, {})[engine] = result
                if args.out:  # a long run keeps what it measured so far
                    partial = {"partial": True, "releases": args.releases, "details": details}
                    args.out.write_text(json.dumps(partial, ensure_ascii=False), encoding="utf-8")
        if args.gui or args.gui_only:
            _make_corpus(workdir, args.gui_releases, args.seed)
            print("Phases:", file=sys.stderr)
            details["gui"] = _child(args, "gui", "app", workdir)
        machine["load_after"] = os.getloadavg()[0]
        machine["code_after"] = _code_version()
        if machine["code_after"] != machine["code"]:
            print(
                f"Warning: the code changed during the run ({machine['code']} -> "
                f"{machine['code_after']}); phases may have measured different versions.",
                file=sys.stderr,
            )
        result = _summary(args, details, machine, corpus_mb)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif temporary:
            print(f"Work folder kept: {workdir}", file=sys.stderr)
    print()
    print(render(result))
    compact = {k: v for k, v in result.items() if k != "details"}
    print(json.dumps(compact, indent=2, ensure_ascii=False))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        print(f"\nWritten to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

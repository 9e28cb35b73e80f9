"""The query mix on engines already imported by `run.py`, each query run on every engine in
turn, in one process, so that a machine whose load swings (other jobs on its cores) slows
every engine alike; `run.py` measures the engines one after the other, minutes apart.

    python tests/benchmarks/interleaved.py --workdir W [--engines app,fts5] [--rounds 3]

The work folder is one a `run.py --workdir W` left (its imports are reused). Each query is
run once unmeasured, then `--rounds` times on each engine, the engines' order alternating;
its time is the median of its rounds. Prints per-class medians and p95s, the ratios and the
slowest 10; with `--out`, writes them as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.benchmarks.engines import ENGINES
from tests.benchmarks.measure import latency_summary
from tests.benchmarks.queries import query_mix


def measure(workdir: Path, names: list[str], rounds: int) -> dict[str, Any]:
    engines = {name: ENGINES[name](workdir) for name in names}
    for engine in engines.values():
        engine.open()
    mix = query_mix()
    rows: list[dict[str, Any]] = []
    load_before = os.getloadavg()[0]
    try:
        for q in mix:
            times: dict[str, list[float]] = {name: [] for name in names}
            totals: dict[str, int | None] = {}
            for name, engine in engines.items():
                answer = engine.query(q)  # unmeasured: each engine sees the query once
                totals[name] = answer.total if answer is not None else None
            for r in range(rounds):
                order = names if r % 2 == 0 else names[::-1]
                for name in order:
                    t0 = time.perf_counter()
                    engines[name].query(q)
                    times[name].append((time.perf_counter() - t0) * 1000)
            rows.append(
                {
                    "class": q.cls,
                    "query": q.app,
                    "ms": {n: round(statistics.median(t), 2) for n, t in times.items()},
                    "total": totals,
                }
            )
    finally:
        for engine in engines.values():
            engine.close()
    by_class: dict[str, dict[str, Any]] = {}
    for cls in dict.fromkeys(r["class"] for r in rows):
        mine = [r for r in rows if r["class"] == cls]
        by_class[cls] = {
            n: {k: latency_summary([r["ms"][n] for r in mine])[k] for k in ("p50_ms", "p95_ms")}
            for n in names
        }
    overall = {
        n: {k: latency_summary([r["ms"][n] for r in rows])[k] for k in ("p50_ms", "p95_ms")}
        for n in names
    }
    return {
        "rounds": rounds,
        "load": [load_before, os.getloadavg()[0]],
        "overall": overall,
        "by_class": by_class,
        "per_query": rows,
    }


def render(result: dict[str, Any], names: list[str]) -> str:
    first, *others = names
    lines = [
        f"Interleaved, median of {result['rounds']} rounds a query; load "
        f"{result['load'][0]:.1f} -> {result['load'][1]:.1f}",
        "class".ljust(22)
        + "".join(f"{n + ' p50':>12}{n + ' p95':>12}" for n in names)
        + "".join(f"{'p50 x' + o:>12}{'p95 x' + o:>12}" for o in others),
    ]

    def line(label: str, stats: dict[str, Any]) -> str:
        text = label.ljust(22)
        text += "".join(f"{stats[n]['p50_ms']:>12.1f}{stats[n]['p95_ms']:>12.1f}" for n in names)
        for o in others:
            for k in ("p50_ms", "p95_ms"):
                ratio = stats[first][k] / stats[o][k] if stats[o][k] else float("inf")
                text += f"{ratio:>11.2f}x"
        return text

    lines.append(line("all", result["overall"]))
    for cls, stats in result["by_class"].items():
        lines.append(line(cls, stats))
    lines.append("")
    lines.append(f"Slowest 10 of {first}:")
    slowest = sorted(result["per_query"], key=lambda r: -r["ms"][first])[:10]
    for r in slowest:
        times = "  ".join(f"{n} {r['ms'][n]:.1f}" for n in names)
        lines.append(f"  {r['query'][:44]:<44} ({r['class']}) {times}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python tests/benchmarks/interleaved.py")
    p.add_argument("--workdir", type=Path, required=True)
    p.add_argument("--engines", default="app,fts5")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", type=Path)
    args = p.parse_args(argv)
    names = [n.strip() for n in args.engines.split(",") if n.strip()]
    result = measure(args.workdir.resolve(), names, args.rounds)
    print(render(result, names))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

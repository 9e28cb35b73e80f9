"""The measured phases. Each runs in a process of its own (started by `run.py`), so that its
peak memory and its cold start are its own; each returns a JSON-ready dict."""

from __future__ import annotations

import importlib
import shutil
import signal
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tests.benchmarks.engines import (
    ENGINES,
    AppEngine,
    Fts5Engine,
    NaiveWhooshEngine,
    RecollEngine,
)
from tests.benchmarks.measure import (
    evict_from_page_cache,
    latency_summary,
    peak_rss_mb,
    percentile,
    rss_mb,
    rss_parts_mb,
)
from tests.benchmarks.queries import COLD_QUERY, FACET_QUERIES, BenchQuery, query_mix

Engine = AppEngine | Fts5Engine | NaiveWhooshEngine | RecollEngine

#: Modules each engine needs, imported before anything is timed.
_MODULES = {
    "app": ["archive_browser.core.archive", "archive_browser.core.jobs"],
    "fts5": ["sqlite3", "Stemmer"],
    "naive_whoosh": ["whoosh.index", "whoosh.qparser", "whoosh.fields", "whoosh.sorting"],
    "recoll": [],
}


def _preload(engine: str) -> dict[str, float]:
    t0 = time.perf_counter()
    for name in _MODULES[engine]:
        importlib.import_module(name)
    return {
        "modules_ms": round((time.perf_counter() - t0) * 1000, 1),
        "rss_after_modules_mb": round(rss_mb(), 1),
    }


def corpus_path(workdir: Path, n: int, seed: int) -> Path:
    return workdir / f"corpus-{n}-{seed}.jsonl"


def _memory(out: dict[str, Any]) -> dict[str, Any]:
    """Adds the phase's peak RSS, and what its RSS is made of at the end."""
    out["peak_rss_mb"] = round(peak_rss_mb(), 1)
    out["at_end"] = {k: round(v, 1) if v is not None else None for k, v in rss_parts_mb().items()}
    return out


def import_phase(engine_name: str, workdir: Path, n: int, seed: int) -> dict[str, Any]:
    """Imports the corpus into a fresh store of one engine."""
    base = _preload(engine_name)
    engine: Engine = ENGINES[engine_name](workdir)
    _clear(engine_name, workdir)
    times = engine.import_corpus(corpus_path(workdir, n, seed), n)
    out: dict[str, Any] = base | asdict(times)
    out["searchable_rps"] = round(n / times.searchable_s, 1)
    if times.browsable_s:
        out["browsable_rps"] = round(n / times.browsable_s, 1)
    return _memory(out)


def _clear(engine_name: str, workdir: Path) -> None:
    if engine_name == "app":
        shutil.rmtree(workdir / "app", ignore_errors=True)
    elif engine_name == "naive_whoosh":
        shutil.rmtree(workdir / "whoosh", ignore_errors=True)
    elif engine_name == "recoll":
        shutil.rmtree(workdir / "recoll", ignore_errors=True)
    else:
        for p in workdir.glob("fts5.sqlite3*"):
            p.unlink()


def _query_text(q: BenchQuery, engine_name: str) -> str:
    if engine_name == "fts5":
        return " WHERE ".join(filter(None, [q.fts5_match, q.fts5_where]))
    if engine_name == "recoll":
        return RecollEngine.text(q)
    return q.whoosh if engine_name == "naive_whoosh" else q.app


#: Seconds after which a query is stopped (Python code is interrupted; a call into C, as
#: Recoll's, is only marked when it returns); set by run.py's --query-timeout.
QUERY_TIMEOUT_S = 20.0


class QueryTimeout(BaseException):
    """Raised in a query that ran longer than QUERY_TIMEOUT_S (not an Exception, so that no
    engine's own error handling takes it for a refusal)."""


def _on_alarm(_signum: int, _frame: object) -> None:
    raise QueryTimeout


def _timed_query(engine: Engine, q: BenchQuery) -> tuple[float, Any, bool]:
    """Milliseconds, the answer (None if stopped) and whether the query ran out of time."""
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    t0 = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, QUERY_TIMEOUT_S)
        try:
            answer = engine.query(q)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except QueryTimeout:
        answer = None
    finally:
        signal.signal(signal.SIGALRM, previous)
    ms = (time.perf_counter() - t0) * 1000
    return ms, answer, answer is None or ms > QUERY_TIMEOUT_S * 1000


def query_phase(engine_name: str, workdir: Path, n: int, seed: int) -> dict[str, Any]:
    """The query mix twice (the first pass sees each query for the first time; figures are
    from the second), then facet counts and file sizes. A query an engine refuses (an error
    for a malformed or too broad query) counts as refused, with its time; one that runs out
    of time (QUERY_TIMEOUT_S) counts as timed out, and is not run again."""
    base = _preload(engine_name)
    engine: Engine = ENGINES[engine_name](workdir)
    engine.open()
    mix = query_mix()
    if isinstance(engine, RecollEngine):
        mix = [q for q in mix if engine.supports(q)]
    passes: list[list[float]] = []
    per_query: list[dict[str, Any]] = []
    try:
        for number in range(2):
            times = []
            for i, q in enumerate(mix):
                if number == 1 and per_query[i]["timed_out"]:
                    times.append(passes[0][i])
                    per_query[i]["ms"] = per_query[i]["first_ms"] = round(passes[0][i], 2)
                    continue
                ms, answer, timed_out = _timed_query(engine, q)
                times.append(ms)
                if number == 0:
                    per_query.append(
                        {
                            "class": q.cls,
                            "app_query": q.app,
                            "query": _query_text(q, engine_name),
                            "total": answer.total if answer else None,
                            "shown": len(answer.rows) if answer else None,
                            "error": answer.error if answer else "",
                            "timed_out": timed_out,
                        }
                    )
                else:
                    per_query[i]["ms"] = round(ms, 2)
                    per_query[i]["first_ms"] = round(passes[0][i], 2)
                    per_query[i]["timed_out"] = timed_out
            passes.append(times)
        facet_ms = []
        for q in [] if isinstance(engine, RecollEngine) else FACET_QUERIES:
            t0 = time.perf_counter()
            engine.facets(q)
            facet_ms.append((time.perf_counter() - t0) * 1000)
        sizes = engine.sizes()
    finally:
        engine.close()
    by_class: dict[str, dict[str, Any]] = {}
    for cls in dict.fromkeys(q.cls for q in mix):
        rows = [r for r in per_query if r["class"] == cls]
        summary = latency_summary([r["ms"] for r in rows])
        by_class[cls] = {
            "queries": len(rows),
            "p50_ms": summary["p50_ms"],
            "p95_ms": summary["p95_ms"],
            "max_ms": summary["max_ms"],
            "mean_hits": round(sum(r["total"] or 0 for r in rows) / len(rows), 1),
            "refused": sum(1 for r in rows if r["error"]),
            "timed_out": sum(1 for r in rows if r["timed_out"]),
        }
    out: dict[str, Any] = base | latency_summary(passes[1])
    out |= {
        "queries": len(mix),
        "first_pass": latency_summary(passes[0]),
        "by_class": by_class,
        "refused": sum(1 for r in per_query if r["error"]),
        "timed_out": sum(1 for r in per_query if r["timed_out"]),
        "timeout_s": QUERY_TIMEOUT_S,
        "facets": {
            "queries": len(facet_ms),
            "p50_ms": round(percentile(facet_ms, 50), 2) if facet_ms else None,
            "max_ms": round(max(facet_ms), 2) if facet_ms else None,
        },
        "sizes": sizes,
        "per_query": per_query,
    }
    return _memory(out)


def cold_phase(
    engine_name: str, workdir: Path, n: int, seed: int, *, listing: bool = False
) -> dict[str, Any]:
    """Opens the data with its files dropped from the page cache and gets the first results:
    a text query's top 20 with snippets, or (`listing`) the app's list of all releases."""
    base = _preload(engine_name)
    engine: Engine = ENGINES[engine_name](workdir)
    files = engine.files()
    paths = [p for group in files.values() for p in group] if isinstance(files, dict) else files
    evicted = evict_from_page_cache(*paths)
    t0 = time.perf_counter()
    engine.open()
    t_open = time.perf_counter()
    if listing:
        assert isinstance(engine, AppEngine)
        answer = engine.list_all()
    else:
        answer = engine.query(COLD_QUERY)
    t1 = time.perf_counter()
    engine.close()
    out = base | {
        "files_evicted": evicted,
        "open_ms": round((t_open - t0) * 1000, 1),
        "first_results_ms": round((t1 - t0) * 1000, 1),
        "total": answer.total,
        "query": "(all releases, newest first)" if listing else COLD_QUERY.app,
    }
    return _memory(out)


def reindex_phase(engine_name: str, workdir: Path, n: int, seed: int) -> dict[str, Any]:
    """Rebuilds the full-text index from the stored releases."""
    base = _preload(engine_name)
    engine: Engine = ENGINES[engine_name](workdir)
    if isinstance(engine, NaiveWhooshEngine | RecollEngine):
        raise ValueError(f"{engine_name} is not measured rebuilding its index")
    engine.open()
    try:
        seconds = engine.reindex()
        sizes = engine.sizes()
    finally:
        engine.close()
    return _memory(base | {"reindex_s": round(seconds, 2), "sizes_after": sizes})


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "import": import_phase,
    "query": query_phase,
    "cold": cold_phase,
    "cold_list": lambda *a: cold_phase(*a, listing=True),
    "reindex": reindex_phase,
}

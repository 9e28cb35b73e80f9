"""The readable table of a benchmark run."""

from __future__ import annotations

from typing import Any

ENGINE_NAMES = ("app", "fts5", "naive_whoosh", "recoll")


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(title: str, header: list[str], rows: list[list[Any]]) -> list[str]:
    cells = [header] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = [title]
    for n, row in enumerate(cells):
        first = row[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  " + "  ".join([first, *rest]))
        if n == 0:
            lines.append("  " + "  ".join("-" * w for w in widths))
    return [*lines, ""]


def render(result: dict[str, Any]) -> str:
    """The results as plain-text tables."""
    engines = [e for e in ENGINE_NAMES if e in result.get("details", {}).get("import", {})]
    details = result.get("details", {})
    imports = details.get("import", {})
    lines = [
        f"Archive Browser benchmark: {result['releases']:,} releases (seed {result['seed']}), "
        f"corpus {result['corpus_mb']:,.1f} MiB, {result['machine']['cpus']} CPUs, "
        f"load {result['machine']['load_before']:.1f} -> {result['machine']['load_after']:.1f}",
        f"code at {result['machine']['code']['commit']} with "
        f"{result['machine']['code']['changed_files']} files changed or new",
        "",
    ]
    lines += _import_table(imports, engines)
    lines += _query_tables(details.get("query", {}), engines)
    lines += _other_tables(result, details)
    return "\n".join(lines)


def _import_table(imports: dict[str, Any], engines: list[str]) -> list[str]:
    if not engines:
        return []
    rows = [
        ["browsable: releases/s", *(imports[e].get("browsable_rps") for e in engines)],
        ["searchable: releases/s", *(imports[e]["searchable_rps"] for e in engines)],
        ["all browsable after s", *(imports[e].get("browsable_s") for e in engines)],
        ["first browsable after s", *(imports[e].get("first_browsable_s") for e in engines)],
        ["all searchable after s", *(imports[e]["searchable_s"] for e in engines)],
    ]
    parts = sorted({k for e in engines for k in imports[e].get("parts_s", {})})
    for part in parts:
        rows.append(
            [f"  {part.replace('_', ' ')}", *(imports[e]["parts_s"].get(part) for e in engines)]
        )
    return _table("Import", ["", *engines], rows)


def _query_tables(queries: dict[str, Any], engines: list[str]) -> list[str]:
    lines: list[str] = []
    qengines = [e for e in engines if e in queries]
    if qengines:
        size_rows = [
            ["full-text index MiB", *(queries[e]["sizes"].get("index_mb") for e in qengines)],
            [
                "whole store MiB",
                *(
                    queries[e]["sizes"].get("store_mb", queries[e]["sizes"].get("file_mb"))
                    for e in qengines
                ),
            ],
        ]
        lines += _table("Size on disk", ["", *qengines], size_rows)
        first = queries[qengines[0]]
        keys = ("p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_ms")
        rows = [
            [
                f"{e} ({queries[e]['queries']})",
                *(queries[e][k] for k in keys),
                *(queries[e]["first_pass"][k] for k in keys[:3]),
                queries[e].get("refused"),
                queries[e].get("timed_out"),
            ]
            for e in qengines
        ]
        header = [
            "engine (queries)",
            *("p50", "p95", "p99", "max", "mean", "1st p50", "1st p95", "1st p99", "refused"),
            "timed out",
        ]
        lines += _table(
            f"Query latency ms, top 20 with snippets and the total, {first['queries']} queries "
            "(second pass; 1st = each query's first run; refused = an error for the query, "
            f"timed like any other; timed out = stopped after {first.get('timeout_s')} s)",
            header,
            rows,
        )
        lines += _class_table(queries, qengines)
        lines += _slowest_table(queries, qengines)
        rows = [
            ["facet counts p50 ms", *(queries[e]["facets"]["p50_ms"] for e in qengines)],
            ["facet counts max ms", *(queries[e]["facets"]["max_ms"] for e in qengines)],
        ]
        lines += _table(
            f"Facets (year, source, language, tag) over {first['facets']['queries']} queries",
            ["", *qengines],
            rows,
        )
    return lines


def _other_tables(result: dict[str, Any], details: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    cold = details.get("cold", {})
    if cold:
        names = list(cold)
        rows = [
            ["open ms", *(cold[e]["open_ms"] for e in names)],
            ["open to first results ms", *(cold[e]["first_results_ms"] for e in names)],
            ["module imports ms (before)", *(cold[e]["modules_ms"] for e in names)],
        ]
        lines += _table("Cold open (files dropped from the page cache)", ["", *names], rows)
    reindex = details.get("reindex", {})
    if reindex:
        lines += _table(
            "Reindex from the stored releases",
            ["", *reindex],
            [["seconds", *(r["reindex_s"] for r in reindex.values())]],
        )
    rows = []
    for phase, group in details.items():
        if phase == "gui":
            continue
        for engine, r in group.items():
            sampled = r.get("memory", {})
            rows.append(
                [
                    f"{phase} {engine}",
                    r["peak_rss_mb"],
                    sampled.get("peak_tree_rss_mb"),
                    sampled.get("peak_anon_mb"),
                    sampled.get("peak_file_mb"),
                    sampled.get("processes"),
                ]
            )
    if rows:
        lines += _table(
            "Memory MiB, each phase its own process (peak RSS: the process; tree: with the "
            "processes it started, sampled every 10 ms, split into anon = heap and file = "
            "pages of files, mostly memory-mapped index segments)",
            ["phase", "peak RSS", "tree peak", "anon", "file", "processes"],
            rows,
        )
    gui = details.get("gui")
    if gui:
        rows = [[k, v] for k, v in gui.items() if not isinstance(v, dict | list)]
        latency = gui.get("typing_on_worker_latency_ms")
        if latency:
            rows.append(
                ["typing_on_worker_latency_ms p50 / max", f"{latency['p50']} / {latency['max']}"]
            )
        for part in ("importing", "typing", "typing_on_worker"):
            for stall in gui.get(part, {}).get("longest", [])[:3]:
                rows.append([f"  {part}: stall", f"{stall['ms']} ms during {stall['during']}"])
        lines += _table("Event loop (QTimer heartbeat)", ["", ""], rows)
    return lines


_SHORT = {"naive_whoosh": "whoosh"}


def _class_table(queries: dict[str, Any], engines: list[str]) -> list[str]:
    """Median, p95 and refusals of each class in each engine (and the app's ratio to FTS5)."""
    names = [_SHORT.get(e, e) for e in engines]
    ratio = "app" in engines and "fts5" in engines
    header = [
        "class (queries)",
        *(f"{n} p50" for n in names),
        *(f"{n} p95" for n in names),
        *(["app/fts5 p50", "app/fts5 p95"] if ratio else []),
        "refused/timed out " + "/".join(names),
        "mean hits " + "/".join(names),
    ]
    rows = []
    for cls, info in queries[engines[0]]["by_class"].items():
        by = [queries[e]["by_class"].get(cls) for e in engines]

        def get(b: dict[str, Any] | None, key: str) -> Any:
            return b[key] if b else None

        row: list[Any] = [f"{cls} ({info['queries']})"]
        row += [get(b, "p50_ms") for b in by] + [get(b, "p95_ms") for b in by]
        if ratio:
            app, fts5 = queries["app"]["by_class"][cls], queries["fts5"]["by_class"][cls]
            row += [f"{app[k] / fts5[k]:.2f}x" if fts5[k] else "-" for k in ("p50_ms", "p95_ms")]
        row.append(" ".join(f"{_fmt(get(b, 'refused'))}/{_fmt(get(b, 'timed_out'))}" for b in by))
        row.append(" / ".join(_fmt(get(b, "mean_hits")) for b in by))
        rows.append(row)
    return _table("Query latency ms by class (second pass)", header, rows)


def slowest(queries: dict[str, Any], engine: str, count: int = 10) -> list[dict[str, Any]]:
    """The `count` slowest queries of `engine`, each with its time in every engine."""
    by_key = {
        e: {(r["class"], r["app_query"]): r for r in q["per_query"]} for e, q in queries.items()
    }
    ranked = sorted(queries[engine]["per_query"], key=lambda r: r["ms"], reverse=True)[:count]
    out = []
    for r in ranked:
        key = (r["class"], r["app_query"])
        row = {"class": r["class"], "query": r["app_query"]}
        for e in queries:
            other = by_key[e].get(key)
            row[e] = None if other is None else other["ms"]
            row[f"{e}_refused"] = bool(other and other["error"])
            row[f"{e}_timed_out"] = bool(other and other.get("timed_out"))
        out.append(row)
    return out


def _slowest_table(queries: dict[str, Any], engines: list[str]) -> list[str]:
    lines: list[str] = []
    for engine in [e for e in ("app", "fts5") if e in engines]:
        rows = []
        for r in slowest(queries, engine):
            cells: list[Any] = [f"{r['query'][:44]} ({r['class']})"]
            for e in engines:
                ms = r[e]
                mark = " R" if r[f"{e}_refused"] else " T" if r[f"{e}_timed_out"] else ""
                cells.append("-" if ms is None else f"{ms:,.1f}{mark}")
            rows.append(cells)
        lines += _table(
            f"Slowest 10 queries of {engine}, ms in each engine (R = refused, T = timed out; "
            "the app's query text)",
            ["query (class)", *(_SHORT.get(e, e) for e in engines)],
            rows,
        )
    return lines

"""Small measuring helpers: memory of this process, percentiles, folder sizes, and dropping
files from the page cache for cold-open measurements."""

from __future__ import annotations

import os
import resource
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _status_mb(key: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_parts_mb() -> dict[str, float | None]:
    """Resident memory now, split into anonymous memory (the heap: Python objects, buffers)
    and file pages (memory-mapped index files, shared libraries), in MiB."""
    return {
        "rss_anon_mb": _status_mb("RssAnon"),
        "rss_file_mb": _status_mb("RssFile"),
    }


def _status_of(pid: int) -> dict[str, float]:
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile"):
                out[key] = int(value.split()[0]) / 1024
    except (OSError, ValueError):
        pass
    return out


def _process_tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux, /proc/PID/task/TID/children)."""
    found, stack = [], [pid]
    while stack:
        p = stack.pop()
        found.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                children = Path(f"/proc/{p}/task/{task}/children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            pass
    return found


class ProcessTreeSampler:
    """Samples the resident memory of a process and its descendants (a forked indexer counts)
    from outside, so that the measured process gets no extra thread; anonymous memory (the
    heap) and file pages (mostly memory-mapped index files, which the kernel may drop) are
    kept apart, as the peak RSS alone mixes them."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.pid, self.interval = pid, interval
        self.peak_anon = self.peak_file = self.peak_total = 0.0
        self.processes = 1

    def sample(self) -> None:
        tree = _process_tree(self.pid)
        parts = [_status_of(p) for p in tree]
        anon = sum(p.get("RssAnon", 0.0) for p in parts)
        file = sum(p.get("RssFile", 0.0) for p in parts)
        self.peak_anon = max(self.peak_anon, anon)
        self.peak_file = max(self.peak_file, file)
        self.peak_total = max(self.peak_total, anon + file)
        self.processes = max(self.processes, len(tree))

    def result(self) -> dict[str, Any]:
        return {
            "peak_tree_rss_mb": round(self.peak_total, 1),
            "peak_anon_mb": round(self.peak_anon, 1),
            "peak_file_mb": round(self.peak_file, 1),
            "processes": self.processes,
            "sampled_every_ms": self.interval * 1000,
        }


def rss_mb() -> float:
    """Resident memory of this process now, in MiB (from /proc)."""
    return _status_mb("VmRSS") or 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    VmHWM where /proc has it: ru_maxrss survives execve on Linux, so a child process started
    by a big parent would report the parent's peak. ru_maxrss (KiB on Linux) elsewhere."""
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def latency_summary(ms: Sequence[float]) -> dict[str, float]:
    """Median, p95, p99, max and mean of latencies in milliseconds."""
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2) if ms else float("nan"),
        "mean_ms": round(sum(ms) / len(ms), 2) if ms else float("nan"),
    }


def size_mb(*paths: Path) -> float:
    """Total size of files and folders, in MiB."""
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return round(total / 1024 / 1024, 2)


def evict_from_page_cache(*paths: Path) -> int:
    """Asks the kernel to drop these files (or every file under these folders) from the page
    cache, so that the next read comes from the disk; returns how many files. Dirty pages are
    written first, since the kernel keeps those."""
    count = 0
    for path in paths:
        files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
        for file in files:
            try:
                fd = os.open(file, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            except OSError:
                pass
            finally:
                os.close(fd)
    return count

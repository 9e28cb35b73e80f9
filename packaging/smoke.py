"""Smoke test of a built Archive Browser: the frozen program does its jobs, headless.

    python packaging/smoke.py [EXECUTABLE] [--deb FILE.deb] [--timing N] [--strict]

EXECUTABLE defaults to the one-folder build in dist/. With --deb, the package is unpacked
into a throwaway root (dpkg -x), its layout checked, and the installed program tested instead.
The checks: --version; the bundle's contents; importing the sample releases (language
detection) and an HTML page (trafilatura) into a temporary archive; searching (stemming);
tagging; exporting a PDF; the main window shown off-screen and closed cleanly (and on a real
X server when Xvfb is installed, which checks the system libraries the xcb plugin needs).
--timing N also starts the window N times frozen and N times from source, and prints the
median time to a visible window. Nothing touches the user's own archive or settings:
every run has a temporary ARCHIVE_BROWSER_HOME and --archive.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_ID = "archive-browser"
EXE_SUFFIX = ".exe" if sys.platform == "win32" else ""
DEFAULT_EXECUTABLE = ROOT / "dist" / APP_ID / f"{APP_ID}{EXE_SUFFIX}"
SHARED = Path(os.environ.get("ARCHIVE_BROWSER_SHARED", ROOT.parent / "shared"))
SAMPLE_CANDIDATES = (
    SHARED / "samples" / "csto-releases.txt",
    ROOT / "resources" / "demo" / "csto-releases.txt",
)
QUIT_AFTER_MS = 800
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)

# An HTML page as a website serves it: navigation, a dated article, a footer. The importer
# should keep the article only, and find its title, date and language.
HTML_PAGE = """<!DOCTYPE html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>Заседание Совета коллективной безопасности ОДКБ</title>
<meta property="article:published_time" content="2013-05-28T12:00:00+03:00">
<meta name="description" content="В Бишкеке прошло заседание Совета коллективной безопасности.">
</head>
<body>
<nav><ul><li><a href="/">Главная</a></li><li><a href="/news">Новости</a></li>
<li><a href="/contacts">Контакты навигации</a></li></ul></nav>
<article>
<h1>Заседание Совета коллективной безопасности ОДКБ</h1>
<time datetime="2013-05-28">28 мая 2013 г.</time>
<p>28 мая 2013 года в Бишкеке состоялось заседание Совета коллективной безопасности
Организации Договора о коллективной безопасности под председательством Президента
Кыргызской Республики.</p>
<p>Главы государств обсудили положение в Центральной Азии, меры по укреплению
коллективных сил оперативного реагирования и противодействию незаконному обороту
наркотиков.</p>
<p>По итогам заседания подписан пакет документов, в том числе декларация Совета
коллективной безопасности.</p>
</article>
<footer>Все права защищены. Подвал сайта с контактами редакции.</footer>
</body>
</html>
"""


def repo_version() -> str:
    """The version in archive_browser/__init__.py (read as text: the package need not be
    importable where the smoke test runs)."""
    text = (ROOT / "archive_browser" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("smoke: no __version__ in archive_browser/__init__.py")
    return match.group(1)


# --- results ----------------------------------------------------------------------------------


class Skip(Exception):
    """A check that cannot be made on this build or machine (the reason is the message)."""


class Failure(Exception):
    """A check that failed (the reason is the message)."""


@dataclass
class Report:
    results: list[tuple[str, str, str]] = field(default_factory=list)
    figures: list[tuple[str, str]] = field(default_factory=list)

    def check(self, name: str, function: Callable[[], str | None]) -> bool:
        """Runs one check; a Failure, a Skip or any other exception is recorded, not raised."""
        started = time.monotonic()
        try:
            detail = function() or ""
            status = "PASS"
        except Skip as e:
            status, detail = "SKIP", str(e)
        except Failure as e:
            status, detail = "FAIL", str(e)
        except Exception as e:  # a bug in the check or an unexpected crash: still a failure
            status, detail = "FAIL", f"{type(e).__name__}: {e}"
        seconds = time.monotonic() - started
        self.results.append((status, name, detail))
        print(f"[{status}] {name} ({seconds:.1f} s){': ' + detail if detail else ''}", flush=True)
        return status == "PASS"

    def figure(self, name: str, value: str) -> None:
        self.figures.append((name, value))

    def summary(self) -> tuple[int, int, int]:
        counts = [sum(1 for r in self.results if r[0] == s) for s in ("PASS", "FAIL", "SKIP")]
        return counts[0], counts[1], counts[2]


# --- running the program ----------------------------------------------------------------------


@dataclass
class Program:
    """The program under test, with a private home folder and archive."""

    command: list[str]
    home: Path
    archive: Path

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ARCHIVE_BROWSER_", "QT_"))
        }
        env.update(
            ARCHIVE_BROWSER_HOME=str(self.home),
            PYTHONIOENCODING="utf-8",
            QT_QPA_PLATFORM="offscreen",
        )
        env.update(extra or {})
        return env

    def run(
        self,
        *args: str | Path,
        extra_env: dict[str, str] | None = None,
        timeout: float = 300,
        archive: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        command = [*self.command]
        if archive:
            command += ["--archive", str(self.archive)]
        command += [str(a) for a in args]
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=self.env(extra_env),
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Runs a command that must succeed."""
        result = self.run(*args, timeout=timeout)
        if result.returncode != 0:
            tail = (result.stderr.strip() or result.stdout.strip())[-1500:]
            shown = " ".join(str(a) for a in args)
            raise Failure(f"'{shown}' exited with {result.returncode}:\n{tail}")
        return result

    def json(self, *args: str | Path) -> object:
        result = self.ok(*args, "--json")
        try:
            return json.loads(result.stdout)
        except json.JSONDecodeError:
            raise Failure(
                f"not JSON from {' '.join(map(str, args))}: {result.stdout[:300]}"
            ) from None


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


# --- the checks -------------------------------------------------------------------------------


def check_version(program: Program, version: str) -> str:
    result = program.run("--version", archive=False, timeout=60)
    expect(result.returncode == 0, f"exit status {result.returncode}: {result.stderr[-500:]}")
    printed = result.stdout.strip()
    expect(printed == f"{APP_ID} {version}", f"printed {printed!r}, expected {version}")
    return printed


def check_bundle(folder: Path) -> str:
    """What the one-folder build holds, and what it must not."""
    internal = folder / "_internal"
    base = internal if internal.is_dir() else folder
    if sys.platform == "darwin" and (folder.parent / "Resources").is_dir():
        base = folder.parent / "Resources"  # inside an .app, data sits in Contents/Resources
    required = [
        "resources/demo/csto-releases.txt",
        "resources/icons/archive-browser.svg",
        "resources/icons/archive-browser-256.png",
        "trafilatura/settings.cfg",
        "py3langid/data/model.npz.xz",
        "justext/stoplists/English.txt",
        "justext/stoplists/Russian.txt",
    ]
    missing = [name for name in required if not (base / name).exists()]
    fonts = sorted((base / "resources" / "fonts").glob("*.ttf"))
    if not fonts:
        missing.append("resources/fonts/*.ttf")
    expect(not missing, f"missing from the build: {', '.join(missing)}")
    unwanted = []
    for path in base.rglob("*"):
        relative = path.relative_to(base).as_posix()
        name = path.name
        if (
            "corpora" in path.parts
            or name.startswith(("_tkinter", "libtk", "libtcl"))
            or name in ("tkinter", "tcl", "tk", "_pytest", "pytest", "hypothesis", "pip")
            or re.match(r"(lib)?Qt6?(Qml|Quick|3D|WebEngine|Multimedia|Pdf)", name)
            or relative.startswith("tests/")
        ):
            unwanted.append(relative)
    expect(not unwanted, f"unwanted in the build: {', '.join(sorted(unwanted)[:10])}")
    size = sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file())
    return f"{len(fonts)} fonts bundled, no corpora/tkinter/QML/tests; {size / 2**20:.1f} MiB"


def check_import_sample(program: Program, sample: Path) -> str:
    report = program.json("import", sample)
    expect(isinstance(report, dict), f"unexpected import report: {report!r}")
    imported = len(report.get("ids", [])) if isinstance(report, dict) else 0
    expect(imported >= 3, f"imported {imported} releases from {sample.name}: {report}")
    expect(not report.get("failed"), f"failures: {report.get('failed')}")
    stats = program.json("stats")
    languages = stats.get("by_language", {}) if isinstance(stats, dict) else {}
    expect(languages.get("en", 0) >= 3, f"languages detected: {languages} (py3langid)")
    return f"{imported} releases, languages {languages}"


def check_import_html(program: Program, work: Path) -> str:
    page = work / "odkb-2013.html"
    page.write_text(HTML_PAGE, encoding="utf-8")
    report = program.json("import", page)
    ids = report.get("ids", []) if isinstance(report, dict) else []
    expect(len(ids) == 1, f"HTML import: {report}")
    release = program.json("show", str(ids[0]))
    expect(isinstance(release, dict), f"show: {release!r}")
    title, body = release.get("title", ""), release.get("body", "")
    expect("Заседание Совета" in title, f"title {title!r}")
    expect(release.get("date") == "2013-05-28", f"date {release.get('date')!r}")
    expect(release.get("language") == "ru", f"language {release.get('language')!r}")
    expect("декларация Совета" in body, f"the article's text is missing: {body[:200]!r}")
    expect("навигации" not in body and "Подвал" not in body, "navigation or footer kept")
    return f"id {ids[0]}: {title!r}, {release.get('date')}, {release.get('language')}"


def check_search(program: Program) -> str:
    english = program.json("search", "security councils")
    russian = program.json("search", "заседания")
    totals = [r.get("total", 0) if isinstance(r, dict) else 0 for r in (english, russian)]
    expect(totals[0] >= 2, f"'security councils' found {totals[0]} (stemming: council)")
    expect(totals[1] >= 1, f"'заседания' found {totals[1]} (Russian stemming: заседание)")
    hits = english.get("hits", []) if isinstance(english, dict) else []
    expect(any("**" in h.get("snippet", "") for h in hits), "no highlighted snippet")
    return f"'security councils': {totals[0]} hits, 'заседания': {totals[1]}"


def check_tags(program: Program) -> str:
    expected = program.json("search", "CSTO")
    total = expected.get("total", 0) if isinstance(expected, dict) else 0
    expect(total >= 1, "'CSTO' found nothing")
    program.ok("tag", "add", "smoke-test", "--query", "CSTO")
    program.ok("tag", "rename", "smoke-test", "Smoke Test")
    counts = program.json("tag", "list")
    found = {t.get("tag"): t.get("count") for t in counts} if isinstance(counts, list) else {}
    expect(found.get("Smoke Test") == total, f"tag counts {found}, expected {total}")
    tagged = program.json("search", 'tag:"smoke test"')
    expect(tagged.get("total") == total, f'tag:"smoke test" found {tagged.get("total")}')
    return f"tagged, renamed and found {total} releases"


def check_export(program: Program, work: Path) -> str:
    usage = program.run("--help", archive=False, timeout=60).stdout
    if not re.search(r"^\s+export\b", usage, re.MULTILINE):
        raise Skip("this build has no 'export' command yet")
    out = work / "export.pdf"
    program.ok("export", out, "--query", "CSTO OR заседания")
    expect(out.exists(), "no PDF written")
    data = out.read_bytes()
    expect(data.startswith(b"%PDF-"), "not a PDF")
    expect(b"/FontFile2" in data, "no embedded TrueType font")
    detail = f"{len(data) / 1024:.0f} kB"
    try:
        from pypdf import PdfReader
    except ImportError:
        return detail + " (pypdf not installed: text not read back)"
    reader = PdfReader(str(out))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    expect("Tasmagambetov" in text, "the English releases' text is not in the PDF")
    expect("Заседание" in text, "the Russian release's text is not in the PDF (Cyrillic font)")
    return f"{detail}, {len(reader.pages)} pages, text read back"


def _window(program: Program, extra_env: dict[str, str], timeout: float = 90) -> str:
    result = program.run(
        extra_env={"ARCHIVE_BROWSER_QUIT_AFTER_MS": str(QUIT_AFTER_MS), **extra_env},
        timeout=timeout,
    )
    if "No module named 'archive_browser.gui" in result.stderr:
        raise Skip("this build has no window yet (archive_browser.gui is missing)")
    shown = re.search(r"^window-shown (\d+)", result.stderr, re.MULTILINE)
    problems = [
        line
        for line in result.stderr.splitlines()
        if "Traceback" in line or "Error" in line or "Could not load" in line
    ]
    expect(
        result.returncode == 0 and shown is not None and not problems,
        f"exit status {result.returncode}, window-shown printed: {shown is not None}\n"
        + result.stderr[-2000:],
    )
    return f"shown after {shown.group(1)} ms, exit 0" if shown else ""


def check_window_offscreen(program: Program) -> str:
    return _window(program, {"QT_QPA_PLATFORM": "offscreen"})


@contextlib.contextmanager
def xvfb() -> Iterator[str]:
    """A private X server; yields its DISPLAY."""
    binary = shutil.which("Xvfb")
    if binary is None:
        raise Skip("Xvfb is not installed (apt-get install xvfb)")
    for number in range(90, 190):
        if Path(f"/tmp/.X11-unix/X{number}").exists() or Path(f"/tmp/.X{number}-lock").exists():
            continue
        server = subprocess.Popen(
            [binary, f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(50):
                if Path(f"/tmp/.X11-unix/X{number}").exists():
                    break
                if server.poll() is not None:
                    break
                time.sleep(0.1)
            if server.poll() is None:
                yield f":{number}"
                return
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=10)
    raise Skip("could not start Xvfb")


def check_window_xcb(program: Program) -> str:
    if not sys.platform.startswith("linux"):
        raise Skip("X11 is for Linux")
    with xvfb() as display:
        return _window(program, {"QT_QPA_PLATFORM": "xcb", "DISPLAY": display})


def check_deb_layout(root: Path, version: str) -> str:
    """The files a .deb unpacked into `root` must have."""
    required = [
        f"opt/{APP_ID}/{APP_ID}",
        f"usr/share/applications/{APP_ID}.desktop",
        f"usr/share/icons/hicolor/scalable/apps/{APP_ID}.svg",
        f"usr/share/doc/{APP_ID}/copyright",
        f"usr/share/man/man1/{APP_ID}.1.gz",
        *(f"usr/share/icons/hicolor/{s}x{s}/apps/{APP_ID}.png" for s in ICON_SIZES),
    ]
    missing = [name for name in required if not (root / name).exists()]
    expect(not missing, f"missing: {', '.join(missing)}")
    link = root / "usr" / "bin" / APP_ID
    expect(link.is_symlink(), f"usr/bin/{APP_ID} is not a symbolic link")
    expect(os.readlink(link) == f"/opt/{APP_ID}/{APP_ID}", f"usr/bin link to {os.readlink(link)}")
    desktop = (root / f"usr/share/applications/{APP_ID}.desktop").read_text(encoding="utf-8")
    for line in (f"Exec={APP_ID}", f"Icon={APP_ID}", "Type=Application"):
        expect(line in desktop.splitlines(), f"desktop entry lacks {line!r}")
    if shutil.which("desktop-file-validate"):
        result = subprocess.run(
            ["desktop-file-validate", str(root / f"usr/share/applications/{APP_ID}.desktop")],
            capture_output=True,
            text=True,
        )
        expect(result.returncode == 0 and not result.stdout.strip(), result.stdout)
    return f"/opt/{APP_ID}, /usr/bin link, desktop entry, {len(ICON_SIZES)} icons + SVG, man page"


def _installed(package: str) -> bool:
    status = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True
    ).stdout
    return status.endswith(" installed")


def check_deb_control(deb: Path, version: str) -> str:
    fields = subprocess.run(
        ["dpkg-deb", "--field", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    expect(re.search(rf"^Version: {re.escape(version)}$", fields, re.M) is not None, fields)
    depends = re.search(r"^Depends: (.*)$", fields, re.M)
    expect(depends is not None, "no Depends")
    needed = {"libxcb-cursor0", "libxkbcommon-x11-0", "libfontconfig1", "libegl1", "libdbus-1-3"}
    present = {name.split(" ")[0] for name in depends.group(1).split(", ")}
    expect(needed <= present, f"Depends lacks {sorted(needed - present)}")
    missing = [name for name in sorted(present) if not _installed(name)]
    note = f"; not installed here: {', '.join(missing)}" if missing else ""
    return f"Version {version}, {len(present)} dependencies{note}"


def check_symlinked_start(executable: Path, version: str, work: Path) -> str:
    """The program started through a symbolic link (as /usr/bin/archive-browser is) still
    finds its libraries."""
    link = work / "bin" / APP_ID
    link.parent.mkdir(exist_ok=True)
    link.symlink_to(executable)
    result = subprocess.run([str(link), "--version"], capture_output=True, text=True, timeout=60)
    expect(result.stdout.strip() == f"{APP_ID} {version}", result.stderr[-500:])
    return "ok"


# --- start-up timing --------------------------------------------------------------------------


def drop_caches() -> bool:
    """Empties the kernel's page cache (root only), so that the next start is a cold one."""
    try:
        subprocess.run(["sync"], check=False)
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def time_window(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Starts the window once: (wall-clock ms until it reported being shown, the ms it
    reported itself)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=cwd,
        encoding="utf-8",
        errors="replace",
    )
    assert process.stderr is not None
    wall = reported = float("nan")
    for line in process.stderr:
        if line.startswith("window-shown "):
            wall = (time.perf_counter() - started) * 1000
            reported = float(line.split()[1])
            break
    process.stderr.read()
    if process.wait(timeout=120) != 0 or wall != wall:
        raise Failure(f"{' '.join(command)} did not show its window and exit cleanly")
    return wall, reported


def check_timing(program: Program, runs: int, report: Report) -> str:
    """Median time to a visible window (off-screen), frozen and from source, cold (page cache
    dropped, where allowed) and warm."""
    env = program.env({"ARCHIVE_BROWSER_QUIT_AFTER_MS": "100"})
    frozen = [*program.command, "--archive", str(program.archive)]
    source = [sys.executable, "-m", "archive_browser", "--archive", str(program.archive)]
    probe = subprocess.run(
        [sys.executable, "-c", "import archive_browser.gui.app"], cwd=ROOT, capture_output=True
    )
    variants = {"frozen": frozen}
    if probe.returncode == 0:
        variants["source"] = source
    cold_ok = drop_caches()
    lines = []
    for name, command in variants.items():
        for mode in ("cold", "warm") if cold_ok else ("warm",):
            walls, reported = [], []
            time_window(command, env, ROOT)  # one start to warm up (or to fill the cache)
            for _ in range(runs):
                if mode == "cold":
                    drop_caches()
                wall, own = time_window(command, env, ROOT)
                walls.append(wall)
                reported.append(own)
            value = (
                f"{statistics.median(walls):.0f} ms (app's own count "
                f"{statistics.median(reported):.0f} ms; runs: "
                + ", ".join(f"{w:.0f}" for w in walls)
                + ")"
            )
            report.figure(f"start to window, {name}, {mode}", value)
            lines.append(f"{name} {mode} {statistics.median(walls):.0f} ms")
    if "source" not in variants:
        lines.append("source: not timed (archive_browser.gui does not import here)")
    return "; ".join(lines)


# --- main -------------------------------------------------------------------------------------


def find_sample(given: Path | None) -> Path:
    for candidate in (given, *SAMPLE_CANDIDATES):
        if candidate is not None and candidate.exists():
            return candidate
    raise SystemExit("smoke: no sample releases found; pass --sample")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("executable", nargs="?", type=Path, default=DEFAULT_EXECUTABLE)
    parser.add_argument("--deb", type=Path, help="test this .deb, unpacked into a temp root")
    parser.add_argument("--sample", type=Path, help="the sample text file of releases")
    parser.add_argument("--timing", type=int, default=0, metavar="N", help="time N starts")
    parser.add_argument("--strict", action="store_true", help="a skipped check fails the run")
    args = parser.parse_args(argv)

    version = repo_version()
    sample = find_sample(args.sample)
    report = Report()
    with tempfile.TemporaryDirectory(prefix="archive-browser-smoke-") as tmp:
        work = Path(tmp)
        executable = args.executable.resolve()
        if args.deb:
            root = work / "root"
            subprocess.run(["dpkg-deb", "-x", str(args.deb), str(root)], check=True)
            executable = root / "opt" / APP_ID / APP_ID
            report.check("deb: control", lambda: check_deb_control(args.deb, version))
            report.check("deb: layout", lambda: check_deb_layout(root, version))
            report.check(
                "deb: start through a link",
                lambda: check_symlinked_start(executable, version, work),
            )
        if not executable.exists():
            raise SystemExit(f"smoke: {executable} does not exist; build it first")
        print(f"smoke: testing {executable} against version {version}", flush=True)
        program = Program([str(executable)], work / "home", work / "archive")
        report.check("--version", lambda: check_version(program, version))
        report.check("bundle contents", lambda: check_bundle(executable.parent))
        report.check(
            "import sample (language detection)", lambda: check_import_sample(program, sample)
        )
        report.check("import HTML (trafilatura)", lambda: check_import_html(program, work))
        report.check("search (stemming, snippets)", lambda: check_search(program))
        report.check("tag, rename tag, search by tag", lambda: check_tags(program))
        report.check("export PDF (fonts)", lambda: check_export(program, work))
        report.check("window off-screen, clean exit", lambda: check_window_offscreen(program))
        report.check("window on X11 (Xvfb, xcb plugin)", lambda: check_window_xcb(program))
        if args.timing:
            report.check(
                f"start-up timing ({args.timing} runs)",
                lambda: check_timing(program, args.timing, report),
            )

    passed, failed, skipped = report.summary()
    for name, value in report.figures:
        print(f"figure: {name}: {value}")
    skipped_names = [f"{name} ({why})" for status, name, why in report.results if status == "SKIP"]
    if skipped_names:
        print("not checked: " + "; ".join(skipped_names))
    print(f"smoke: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or (args.strict and skipped) else 0


if __name__ == "__main__":
    sys.exit(main())

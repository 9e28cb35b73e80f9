"""Builds Archive Browser for people without Python.

    pip install '.[build]'
    python packaging/build.py [--dist DIR] [--no-deb] [--reuse]

Runs PyInstaller on `packaging/archive-browser.spec` into `dist/archive-browser/` (a one-folder
build), then packages it for the platform it runs on:

- Linux: `archive-browser-VERSION-linux-ARCH.tar.gz` and, where `dpkg-deb` exists,
  `archive-browser_VERSION_ARCH.deb` (installs to /opt/archive-browser, with a command in
  /usr/bin, a desktop entry, icons and a manual page; its dependencies on system libraries
  are read from the built files with objdump).
- Windows: a zip of the folder and, where Inno Setup's `iscc` exists, an installer.
- macOS: `Archive Browser.app` and a .dmg of it (hdiutil).

The version comes from `archive_browser.__version__`.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import os
import platform
import re
import shutil
import stat
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "archive-browser.spec"
ICONS = ROOT / "resources" / "icons"
ICON_SIZES = (16, 32, 48, 64, 128, 256, 512)

sys.path.insert(0, str(ROOT))
from archive_browser import APP_ID, APP_NAME, __version__  # noqa: E402

MAINTAINER = "Archive Browser developers <archive-browser@users.noreply.github.com>"
SUMMARY = "keep, search, tag and export collections of press releases"
DESCRIPTION = """\
Archive Browser keeps collections of press releases, statements, speeches and
interviews, and lets you search them (in English and Russian), read two side
by side, tag them and export a selection to PDF, on your own computer and
offline. It imports plain text, HTML, CSV and JSON, and has a command line
for scripts and batch jobs.
.
This package bundles its own Python and Qt in /opt/archive-browser."""

# Files of the build whose libraries are needed only on some desktops: their dependencies
# are recommended, not required (Qt falls back to X11 and its own look without them).
OPTIONAL_PARTS = (
    "plugins/platformthemes/",
    "plugins/platforms/libqwayland",
    "plugins/wayland-",
    "libQt6WaylandClient.",
)
# Debian 12 packages of the libraries the build needs, for when a library is not installed
# on the build machine (otherwise `dpkg -S` names the package).
KNOWN_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libgdk-3.so.0": "libgtk-3-0",
    "libgtk-3.so.0": "libgtk-3-0",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libgio-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libpangocairo-1.0.so.0": "libpangocairo-1.0-0",
    "libharfbuzz.so.0": "libharfbuzz0b",
    "libcairo.so.2": "libcairo2",
    "libcairo-gobject.so.2": "libcairo-gobject2",
    "libgdk_pixbuf-2.0.so.0": "libgdk-pixbuf-2.0-0",
    "libatk-1.0.so.0": "libatk1.0-0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libz.so.1": "zlib1g",
    "libzstd.so.1": "libzstd1",
    "libbz2.so.1.0": "libbz2-1.0",
    "liblzma.so.5": "liblzma5",
    "libffi.so.8": "libffi8",
    "libssl.so.3": "libssl3",
    "libcrypto.so.3": "libssl3",
    "libsqlite3.so.0": "libsqlite3-0",
    "libreadline.so.8": "libreadline8",
    "libncursesw.so.6": "libncursesw6",
    "libtinfo.so.6": "libtinfo6",
    "libuuid.so.1": "libuuid1",
    "libexpat.so.1": "libexpat1",
    "libgdbm.so.6": "libgdbm6",
    "libstdc++.so.6": "libstdc++6",
    "libgcc_s.so.1": "libgcc-s1",
}
# Part of libc6 (its version is required separately).
LIBC = {
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}


def log(message: str) -> None:
    print(f"build: {message}", flush=True)


def tree_size(path: Path) -> int:
    """Bytes of the regular files under `path` (symbolic links not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def machine() -> str:
    """The CPU architecture in the names of the archives (x86_64, arm64, ...)."""
    name = platform.machine().lower()
    return {"amd64": "x86_64", "aarch64": "arm64"}.get(name, name)


# --- PyInstaller ------------------------------------------------------------------------------


def run_pyinstaller(dist: Path, work: Path) -> Path:
    """Builds the one-folder program; returns its folder."""
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level",
        "WARN",
        "--distpath",
        str(dist),
        "--workpath",
        str(work),
        str(SPEC),
    ]
    log(" ".join(command))
    subprocess.run(command, check=True, cwd=ROOT)
    return dist / APP_ID


# --- Linux ------------------------------------------------------------------------------------


def make_tarball(folder: Path, out: Path) -> Path:
    """A .tar.gz of the folder, under a top folder named with the version; entries sorted,
    owned by root, dated SOURCE_DATE_EPOCH when it is set, so that builds are comparable."""
    mtime = int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))
    top = f"{APP_ID}-{__version__}"

    def normalise(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        info.mtime = mtime
        info.mode = 0o755 if info.isdir() or info.mode & stat.S_IXUSR else 0o644
        return info

    with (
        open(out, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=6, mtime=mtime) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        tar.add(folder, arcname=top, recursive=False, filter=normalise)
        for path in sorted(folder.rglob("*")):
            arcname = f"{top}/{path.relative_to(folder).as_posix()}"
            tar.add(path, arcname=arcname, recursive=False, filter=normalise)
    return out


def _elf_files(folder: Path) -> Iterable[Path]:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    yield path


def _objdump(path: Path) -> tuple[list[str], list[str]]:
    """The libraries `path` needs directly, and the glibc versions it asks for."""
    out = subprocess.run(
        ["objdump", "-p", str(path)], capture_output=True, text=True, check=True
    ).stdout
    needed = re.findall(r"^\s+NEEDED\s+(\S+)$", out, re.MULTILINE)
    glibc = re.findall(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)\b", out)
    return needed, glibc


@functools.cache
def _system_libraries() -> dict[str, list[str]]:
    """The shared libraries the dynamic linker knows on this machine, for this architecture:
    {soname: [paths]} (from `ldconfig -p`)."""
    ldconfig = shutil.which("ldconfig") or "/sbin/ldconfig"
    try:
        listing = subprocess.run([ldconfig, "-p"], capture_output=True, text=True).stdout
    except OSError:
        return {}
    arch_tag = {"x86_64": "x86-64", "arm64": "AArch64"}.get(machine(), "")
    found: dict[str, list[str]] = {}
    for line in listing.splitlines():
        name, _, path = line.strip().partition(" => ")
        if path and arch_tag in name:
            found.setdefault(name.split(" ", 1)[0], []).append(path)
    return found


def _package_of(soname: str) -> str | None:
    """The Debian package holding a library installed on this machine."""
    for path in _system_libraries().get(soname, []):
        # dpkg may know the file under /lib or /usr/lib (merged /usr).
        real = str(Path(path).resolve())
        candidates = {path, real, real.removeprefix("/usr"), "/usr" + path.removeprefix("/usr")}
        for candidate in sorted(candidates):
            found = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
            if found.returncode == 0:
                return found.stdout.split(":", 1)[0].split(",", 1)[0].strip()
    return None


def system_dependencies(folder: Path) -> tuple[list[str], list[str], list[str]]:
    """The Debian packages of the system libraries the build links to: (required,
    recommended, unknown), where unknown names the required libraries whose package is not
    known. A library is bundled when a file of that name is in the build."""
    bundled = {p.name for p in folder.rglob("*") if p.is_file()}
    core: set[str] = set()
    optional: set[str] = set()
    glibc = "2.17"
    for path in _elf_files(folder):
        needed, versions = _objdump(path)
        relative = path.relative_to(folder).as_posix()
        is_optional = any(part in relative for part in OPTIONAL_PARTS)
        (optional if is_optional else core).update(n for n in needed if n not in bundled)
        if not is_optional and versions:
            glibc = max([glibc, *versions], key=lambda v: tuple(int(n) for n in v.split(".")))
    required = {f"libc6 (>= {glibc})"}
    recommended: set[str] = set()
    unknown = []
    for sonames, packages in ((core, required), (optional - core, recommended)):
        for soname in sorted(sonames - LIBC):
            package = _package_of(soname) or KNOWN_PACKAGES.get(soname)
            if package is not None:
                packages.add(package)
            elif packages is required:
                unknown.append(soname)
            else:
                log(f"warning: not recommending the package of {soname}: not known")
    recommended -= required
    return sorted(required), sorted(recommended), unknown


def _man_page(help_text: str) -> bytes:
    """A short manual page around the program's --help."""
    date = time.strftime("%Y-%m-%d", time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", 0))))
    escaped = help_text.replace("\\", "\\\\").replace("\n.", "\n\\&.").replace("\n'", "\n\\&'")
    page = f""".TH {APP_ID.upper()} 1 "{date}" "{APP_ID} {__version__}" "User Commands"
.SH NAME
{APP_ID} \\- {SUMMARY}
.SH SYNOPSIS
.B {APP_ID}
[\\fB\\-\\-archive\\fR \\fIDIR\\fR] [\\fICOMMAND\\fR ...]
.SH DESCRIPTION
With no command, opens the window of {APP_NAME}. The commands do the same jobs headless;
run \\fB{APP_ID} COMMAND \\-\\-help\\fR for the options of one.
.PP
.nf
{escaped.rstrip()}
.fi
.SH ENVIRONMENT
.TP
.B ARCHIVE_BROWSER_ARCHIVE
the archive folder opened when \\fB\\-\\-archive\\fR is not given
.TP
.B ARCHIVE_BROWSER_HOME
keeps data and settings under this folder instead of the user's data and config folders
"""
    return gzip.compress(page.encode(), compresslevel=9, mtime=0)


def _desktop_entry() -> str:
    return f"""[Desktop Entry]
Type=Application
Name={APP_NAME}
GenericName=Press Release Archive
Comment=Keep, search, tag and export collections of press releases
Exec={APP_ID}
Icon={APP_ID}
Terminal=false
Categories=Office;Database;
Keywords=press;release;archive;search;tag;PDF;
"""


def _copyright() -> str:
    return f"""Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: {APP_ID}

Files: *
Copyright: Archive Browser developers
License: Expat

Files: opt/{APP_ID}/_internal/*
Copyright: the authors of each bundled component
License: various
 The program folder bundles Python (PSF License), Qt 6 and PySide6 (LGPL-3.0,
 used as shared libraries that can be replaced), the DejaVu fonts (Bitstream
 Vera and public domain) and the Python libraries listed in the project's
 pyproject.toml, each under its own licence; their licence files are kept in
 the *.dist-info folders and beside the fonts.

License: Expat
 Permission is hereby granted, free of charge, to any person obtaining a copy
 of this software and associated documentation files (the "Software"), to deal
 in the Software without restriction, including without limitation the rights
 to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
 copies of the Software, and to permit persons to whom the Software is
 furnished to do so, subject to the following conditions:
 .
 The above copyright notice and this permission notice shall be included in
 all copies or substantial portions of the Software.
 .
 THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
 IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
 FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
 AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
 LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
 OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
 SOFTWARE.
"""


def _changelog() -> bytes:
    date = time.strftime(
        "%a, %d %b %Y %H:%M:%S +0000",
        time.gmtime(int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))),
    )
    text = f"""{APP_ID} ({__version__}) unstable; urgency=medium

  * Release {__version__}, built with PyInstaller.

 -- {MAINTAINER}  {date}
"""
    return gzip.compress(text.encode(), compresslevel=9, mtime=0)


# Lintian tags that describe what this package is on purpose: a self-contained program in
# /opt with its own Python, Qt and libraries as their wheels ship them (some of them linked
# statically, with $ORIGIN run paths that auditwheel set and that `strip` would break), and
# the fonts the PDF export embeds, so that every platform makes the same PDF.
LINTIAN_OVERRIDES = (
    "dir-or-file-in-opt",
    "custom-library-search-path",
    "embedded-library",
    "shared-library-lacks-prerequisites",
    "library-not-linked-against-libc",
    "unstripped-binary-or-object",
    "hardening-no-pie",
    "duplicate-font-file",
)


def _write(path: Path, data: bytes | str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    path.chmod(mode)


def stage_deb(folder: Path, staging: Path) -> dict[str, object]:
    """Lays out the package's files under `staging` (DEBIAN/ included); returns what
    `DEBIAN/control` says."""
    if staging.exists():
        shutil.rmtree(staging)
    opt = staging / "opt" / APP_ID
    shutil.copytree(folder, opt, symlinks=True)
    executable = opt / APP_ID
    for path in [opt, *opt.rglob("*")]:
        if path.is_symlink():
            continue
        path.chmod(0o755 if path.is_dir() or path == executable else 0o644)

    (staging / "usr" / "bin").mkdir(parents=True)
    (staging / "usr" / "bin" / APP_ID).symlink_to(f"/opt/{APP_ID}/{APP_ID}")
    share = staging / "usr" / "share"
    _write(share / "applications" / f"{APP_ID}.desktop", _desktop_entry())
    hicolor = share / "icons" / "hicolor"
    for size in ICON_SIZES:
        png = (ICONS / f"{APP_ID}-{size}.png").read_bytes()
        _write(hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png", png)
    svg = ICONS / f"{APP_ID}.svg"
    _write(hicolor / "scalable" / "apps" / svg.name, svg.read_bytes())
    help_text = subprocess.run(
        [str(executable), "--help"], capture_output=True, text=True, check=True
    ).stdout
    _write(share / "man" / "man1" / f"{APP_ID}.1.gz", _man_page(help_text))
    _write(share / "doc" / APP_ID / "copyright", _copyright())
    _write(share / "doc" / APP_ID / "changelog.gz", _changelog())
    if LINTIAN_OVERRIDES:
        overrides = "".join(f"{APP_ID}: {tag}\n" for tag in LINTIAN_OVERRIDES)
        _write(share / "lintian" / "overrides" / APP_ID, overrides)
    for path in staging.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)

    depends, recommends, unknown = system_dependencies(opt)
    if unknown:
        raise SystemExit(
            f"build: the Debian packages of {', '.join(unknown)} are not known (the libraries "
            "are not installed here): add them to KNOWN_PACKAGES in packaging/build.py"
        )
    arch = subprocess.run(
        ["dpkg", "--print-architecture"], capture_output=True, text=True, check=True
    ).stdout.strip()
    installed_kib = (tree_size(staging) + 1023) // 1024
    control = {
        "Package": APP_ID,
        "Version": __version__,
        "Architecture": arch,
        "Maintainer": MAINTAINER,
        "Installed-Size": installed_kib,
        "Depends": ", ".join(depends),
        "Recommends": ", ".join(recommends),
        "Section": "utils",
        "Priority": "optional",
        "Description": f"{SUMMARY}\n"
        + "\n".join(f" {line}" if line else " ." for line in DESCRIPTION.splitlines()),
    }
    lines = [f"{key}: {value}" for key, value in control.items() if value != ""]
    _write(staging / "DEBIAN" / "control", "\n".join(lines) + "\n")
    sums = []
    for path in sorted(staging.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            digest = hashlib.md5(path.read_bytes()).hexdigest()  # dpkg's format
            sums.append(f"{digest}  {path.relative_to(staging).as_posix()}\n")
    _write(staging / "DEBIAN" / "md5sums", "".join(sums))
    return control


def _threads() -> list[str]:
    """dpkg-deb's option to compress on every core, where it has one (dpkg 1.21.9 and later):
    it halves the minute that xz takes."""
    usage = subprocess.run(["dpkg-deb", "--help"], capture_output=True, text=True).stdout
    return [f"--threads-max={os.cpu_count() or 1}"] if "--threads-max" in usage else []


def make_deb(folder: Path, dist: Path, work: Path) -> Path:
    """The .deb of the one-folder build."""
    staging = work / "deb"
    control = stage_deb(folder, staging)
    out = dist / f"{APP_ID}_{__version__}_{control['Architecture']}.deb"
    subprocess.run(
        ["dpkg-deb", *_threads(), "--build", "--root-owner-group", "-Zxz", str(staging), str(out)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    log(f"Depends: {control['Depends']}")
    if control["Recommends"]:
        log(f"Recommends: {control['Recommends']}")
    return out


# --- Windows and macOS (not built here: see packaging/ci/build.yml) ---------------------------


def find_iscc() -> str | None:
    """Inno Setup's compiler, on PATH or where its installer puts it."""
    found = shutil.which("iscc")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return str(Path(base) / "Inno Setup 6" / "ISCC.exe")
    return None


def make_windows_packages(folder: Path, dist: Path) -> list[Path]:
    """A zip of the folder, and an installer when Inno Setup is there."""
    stem = f"{APP_ID}-{__version__}-windows-{machine()}"
    made = [Path(shutil.make_archive(str(dist / stem), "zip", folder.parent, folder.name))]
    iscc = find_iscc()
    if iscc is None:
        log("Inno Setup (iscc) not found: no installer made")
        return made
    subprocess.run(
        [
            iscc,
            f"/DAppVersion={__version__}",
            f"/DAppSourceDir={folder}",
            f"/DOutputDir={dist}",
            f"/DOutputBaseFilename={APP_ID}-{__version__}-setup",
            f"/DIconFile={ICONS / f'{APP_ID}.ico'}",
            str(PACKAGING / "windows" / f"{APP_ID}.iss"),
        ],
        check=True,
    )
    made.append(dist / f"{APP_ID}-{__version__}-setup.exe")
    return made


def make_macos_packages(dist: Path) -> list[Path]:
    """A disk image of the .app (or a zip where hdiutil is missing)."""
    app = dist / f"{APP_NAME}.app"
    stem = f"{APP_ID}-{__version__}-macos-{machine()}"
    if shutil.which("hdiutil"):
        out = dist / f"{stem}.dmg"
        subprocess.run(
            [
                *("hdiutil", "create", "-volname", APP_NAME, "-srcfolder", str(app)),
                *("-ov", "-format", "UDZO", str(out)),
            ],
            check=True,
        )
    else:
        out = dist / f"{stem}.zip"
        subprocess.run(
            ["ditto", "-c", "-k", "--sequesterRsrc", "--keepParent", str(app), str(out)],
            check=True,
        )
    return [app, out]


# --- main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (dist/)")
    parser.add_argument(
        "--work", type=Path, default=ROOT / "build", help="PyInstaller's work folder (build/)"
    )
    parser.add_argument("--no-deb", action="store_true", help="do not make the .deb")
    parser.add_argument(
        "--reuse", action="store_true", help="package the existing one-folder build again"
    )
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    dist.mkdir(parents=True, exist_ok=True)

    timings: dict[str, float] = {}
    started = time.monotonic()
    folder = dist / APP_ID
    if not args.reuse:
        folder = run_pyinstaller(dist, work)
    if not (folder / (APP_ID + (".exe" if sys.platform == "win32" else ""))).exists():
        raise SystemExit(f"build: no program in {folder}")
    timings["PyInstaller"] = time.monotonic() - started

    made: list[Path] = [folder]
    step = time.monotonic()
    if sys.platform.startswith("linux"):
        tarball = dist / f"{APP_ID}-{__version__}-linux-{machine()}.tar.gz"
        made.append(make_tarball(folder, tarball))
        timings[".tar.gz"] = time.monotonic() - step
        if args.no_deb:
            pass
        elif shutil.which("dpkg-deb") and shutil.which("objdump"):
            step = time.monotonic()
            made.append(make_deb(folder, dist, work))
            timings[".deb"] = time.monotonic() - step
        else:
            log("dpkg-deb or objdump not found: no .deb made")
    elif sys.platform == "win32":
        made += make_windows_packages(folder, dist)
    elif sys.platform == "darwin":
        made += make_macos_packages(dist)
    timings["total"] = time.monotonic() - started

    log(f"version {__version__}")
    for path in made:
        log(f"{mib(tree_size(path)):>10}  {path}")
    log("time: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Before the window: is there a display, and the system libraries Qt needs to use it?

Without them Qt aborts the process with a core dump ("could not load the Qt platform plugin
xcb"), which tells a user nothing. This module imports no Qt: it runs first and, when
something is missing, says what in one paragraph (the package names for Debian/Ubuntu and
Fedora) so that the program can exit cleanly with status 1.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

#: Libraries Qt loads for any window: soname -> (Debian/Ubuntu package, Fedora package).
QT_GUI_LIBRARIES = {
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
}
#: What Qt's X11 ("xcb") platform plugin needs on top; Qt 6.5 and later need libxcb-cursor,
#: which desktops such as Ubuntu 22.04 do not install by default.
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
}
#: Platforms that need no display server.
HEADLESS_PLATFORMS = {"offscreen", "minimal", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"}

NO_DISPLAY = (
    "There is no display to show the window on (neither DISPLAY nor WAYLAND_DISPLAY is set). "
    "Use the command line instead, e.g. archive-browser search 'summit AND 2013', "
    "archive-browser import FOLDER, archive-browser export out.pdf --query '...' "
    "(archive-browser --help lists every command)."
)


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def display_problem(
    environ: Mapping[str, str] | None = None,
    loads: Callable[[str], bool] = _loads,
    platform: str = sys.platform,
) -> str | None:
    """Why the window cannot start here, in one paragraph; None when it can."""
    env = os.environ if environ is None else environ
    if not platform.startswith("linux"):
        return None
    chosen = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip().lower()
    if chosen in HEADLESS_PLATFORMS:
        return None
    if not env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY"):
        return NO_DISPLAY
    needed = dict(QT_GUI_LIBRARIES)
    if chosen == "xcb" or (not chosen and env.get("DISPLAY") and not env.get("WAYLAND_DISPLAY")):
        needed.update(XCB_LIBRARIES)
    missing = [packages for soname, packages in needed.items() if not loads(soname)]
    if not missing:
        return None
    debian = " ".join(dict.fromkeys(p[0] for p in missing))
    fedora = " ".join(dict.fromkeys(p[1] for p in missing))
    return (
        "The window cannot start: system libraries that Qt needs are missing. "
        f"On Debian or Ubuntu: sudo apt install {debian}. "
        f"On Fedora: sudo dnf install {fedora}. "
        "Meanwhile the command line works (archive-browser --help)."
    )

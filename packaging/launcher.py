"""The script PyInstaller freezes: the same entry point as `archive-browser`."""

from __future__ import annotations

import sys

from archive_browser.__main__ import main

if __name__ == "__main__":
    sys.exit(main())

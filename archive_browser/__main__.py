"""Entry point: `archive-browser` and `python -m archive_browser`."""

from __future__ import annotations

import sys


def main() -> int:
    from archive_browser.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())

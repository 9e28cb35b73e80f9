"""Entry point: `archive-browser` and `python -m archive_browser`."""

from __future__ import annotations

import sys


def main() -> int:
    import multiprocessing

    # Long jobs run in child processes; a frozen build starts them through this executable.
    multiprocessing.freeze_support()
    from archive_browser.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())

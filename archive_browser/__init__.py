"""Archive Browser: keep, search, read side by side, tag and export press releases, offline."""

__version__ = "0.1.0"
APP_NAME = "Archive Browser"
APP_ID = "archive-browser"

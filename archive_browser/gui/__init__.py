"""The window: widgets, item models, dialogs and workers. The only package that imports
PySide6 widgets; it talks to the archive through `archive_browser.core.archive.Archive` only."""

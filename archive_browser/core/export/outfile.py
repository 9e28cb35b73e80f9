"""An export's output file, written under a temporary name next to it and moved into place
only when complete, so that `out` never holds a half-written export."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from archive_browser.core.errors import UserFacingError, write_error

#: The mode of the files an export creates (before the user's umask).
PRIVATE_FILE = 0o600


class StagedFile:
    """A temporary file in the folder of `out`, moved to `out` by `commit()` and removed by
    `discard()`. Creating it checks early that the folder can be written."""

    def __init__(self, out: Path) -> None:
        #: The link named as `out`, when `out` is a symbolic link: the export is written
        #: through it to the file it points to, and the link is kept.
        self.link: Path | None = None
        if out.is_symlink():
            self.link = out
            out = out.resolve()
        self.out = out
        folder = out.parent
        if out.is_dir():
            raise UserFacingError(f"{out} is a folder; name a file to export to.")
        if not folder.is_dir():
            raise UserFacingError(f"The folder {folder} does not exist.")
        self.path = folder / f".{out.name}.{secrets.token_hex(4)}.part"
        try:
            # Readable by its owner only: exports of a private collection stay private.
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
        except OSError as e:
            raise write_error(e, out) from e
        self.committed = False

    def commit(self) -> None:
        """Moves the finished temporary file to `out`, replacing what was there."""
        try:
            os.replace(self.path, self.out)
        except OSError as e:
            raise write_error(e, self.out) from e
        self.committed = True

    def discard(self) -> None:
        """Removes the temporary file, unless it was committed."""
        if not self.committed:
            with contextlib.suppress(OSError):
                self.path.unlink()

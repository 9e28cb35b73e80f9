"""An export's output file, written under a temporary name next to it and moved into place
only when complete, so that `out` never holds a half-written export."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from archive_browser.core.errors import UserFacingError, write_error


class StagedFile:
    """A temporary file in the folder of `out`, moved to `out` by `commit()` and removed by
    `discard()`. Creating it checks early that the folder can be written."""

    def __init__(self, out: Path) -> None:
        self.out = out
        folder = out.parent
        if out.is_dir():
            raise UserFacingError(f"{out} is a folder; name a file to export to.")
        if not folder.is_dir():
            raise UserFacingError(f"The folder {folder} does not exist.")
        self.path = folder / f".{out.name}.{secrets.token_hex(4)}.part"
        try:
            # Created with the user's umask, as the finished file should be (mkstemp: 0600).
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
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

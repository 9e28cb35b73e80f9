"""Error classes of the archive core.

Errors that a user can understand and act on derive from `UserFacingError`; the GUI shows them
as a plain message and the CLI prints them as one line. Anything else is a bug.
"""

from __future__ import annotations

import errno
from pathlib import Path


class ArchiveError(Exception):
    """Base class of every error raised on purpose by the archive core."""


class UserFacingError(ArchiveError):
    """An error whose message is meant for the person using the app."""


class ArchiveLockedError(UserFacingError):
    """The archive is open for writing in another window or process."""

    def __init__(self, path: object) -> None:
        super().__init__(
            f"The archive {path} is open in another window or process. "
            "Close it there first, or open the archive read-only."
        )


class ReadOnlyArchiveError(UserFacingError):
    """A change was asked of an archive opened read-only."""


class ArchiveFormatError(UserFacingError):
    """The archive file is not an Archive Browser archive, or is newer than this program."""


class DiskFullError(UserFacingError):
    """The disk holding the archive (or an export) is full."""


class UnreadableInputError(UserFacingError):
    """An input file cannot be read or does not hold releases."""


class MalformedQueryError(UserFacingError):
    """A search query cannot be understood."""


class IndexNotReadyError(UserFacingError):
    """The index must be rebuilt or brought up to date before searching."""


class NotFoundError(UserFacingError):
    """A release (or tag) asked for by id or name does not exist."""


class CancelledError(ArchiveError):
    """A long job was cancelled by the user."""


_FULL = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}
_DENIED = {errno.EROFS, errno.EACCES, errno.EPERM}


def write_error(error: OSError, where: Path, hint: str = "") -> UserFacingError:
    """The user-facing form of an error met while writing `where`: a full disk, a read-only
    folder, or whatever the system said."""
    if error.errno in _FULL:
        return DiskFullError(
            f"The disk is full: {where} could not be written. Free some space and try again; "
            "nothing stored before was changed."
        )
    if error.errno in _DENIED:
        return ReadOnlyArchiveError(
            f"{where} cannot be written to: it, or its folder, is read-only or you may not "
            f"write there.{' ' + hint if hint else ''}"
        )
    return UserFacingError(f"Cannot write {where}: {error.strerror or error}")


class IndexDamagedError(UserFacingError):
    """The full-text index could not be read; it is marked for a rebuild from SQLite."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "The search index is damaged; it is being rebuilt from the archive (nothing stored "
            "is lost). Search again when the rebuild is done." + (f" ({detail})" if detail else "")
        )
        self.detail = detail


class QueryTooBroadError(MalformedQueryError):
    """A query would read too much of the index to answer quickly; the message says why."""

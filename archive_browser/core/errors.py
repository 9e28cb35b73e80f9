"""Error classes of the archive core.

Errors that a user can understand and act on derive from `UserFacingError`; the GUI shows them
as a plain message and the CLI prints them as one line. Anything else is a bug.
"""

from __future__ import annotations


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


class NotFoundError(UserFacingError):
    """A release (or tag) asked for by id or name does not exist."""


class CancelledError(ArchiveError):
    """A long job was cancelled by the user."""

"""Background operations on the archive that say what they changed (in the spirit of Anki's
CollectionOp and QueryOp).

`write_op` runs a facade write on the one writer and, back on the GUI thread, emits
`changes_made(Changes)` before its success callback; `read_op` runs a read beside the writes;
`job_op` runs a long job with the progress bar (a job that writes counts as `Changes.all()`).
A failed write is reported and counts as `Changes.all()`: what it left behind is read again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from archive_browser.core.archive import Archive
from archive_browser.core.changes import Changes
from archive_browser.core.jobs import Job
from archive_browser.gui.context import WindowContext
from archive_browser.gui.workers import JobTask

T = TypeVar("T")
NOTHING = Changes()


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What a write changed, with a value for its caller (e.g. a snapshot to undo it)."""

    changes: Changes
    value: T


def changes_of(result: object) -> Changes:
    if isinstance(result, Changes):
        return result
    if isinstance(result, Outcome):
        return result.changes
    return NOTHING


def _emit(ctx: WindowContext, changes: Changes) -> None:
    if changes != NOTHING:
        ctx.changes_made.emit(changes)


def write_op(
    ctx: WindowContext,
    op: Callable[[Archive], Changes | Outcome[Any] | None],
    success: Callable[[Any], None] | None = None,
) -> bool:
    """Runs `op(archive)` on the write worker; False when no archive is open."""
    archive = ctx.archive
    if archive is None:
        return False

    def finished(result: Any) -> None:
        _emit(ctx, changes_of(result))
        if success is not None:
            success(result)

    def failed(error: BaseException, details: str) -> None:
        ctx.errors.report(error, details)
        _emit(ctx, Changes.all())

    ctx.runner.call(lambda: op(archive), write=True, finished=finished, failed=failed)
    return True


def read_op(
    ctx: WindowContext,
    op: Callable[[Archive], T],
    success: Callable[[T], None],
    failure: Callable[[BaseException, str], None] | None = None,
) -> bool:
    """Runs `op(archive)` on a read worker; `success(result)` on the GUI thread unless the
    archive was closed or replaced meanwhile. Errors go to the reporter unless `failure` is
    given."""
    archive = ctx.archive
    if archive is None:
        return False

    def finished(result: T) -> None:
        if ctx.archive is archive:
            success(result)

    ctx.runner.call(
        lambda: op(archive), write=False, finished=finished, failed=failure or ctx.errors.report
    )
    return True


def job_op(
    ctx: WindowContext,
    job: Job[Any],
    label: str,
    success: Callable[[Any], None] | None = None,
    *,
    write: bool = True,
) -> JobTask | None:
    """Runs a long job with the progress bar and Cancel; a job that writes (import, restore,
    rebuild) counts as `Changes.all()`, and so does any job that fails."""

    def done(result: Any) -> None:
        if write:
            _emit(ctx, Changes.all())
        if success is not None:
            success(result)

    def failed(_error: BaseException, _details: str) -> None:
        _emit(ctx, Changes.all())

    return ctx.jobs.run(job, label, done, failed, write=write)

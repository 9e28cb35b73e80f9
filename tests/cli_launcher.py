"""A warm interpreter that runs the real command line in a forked child per call, for tests.

`python -m tests.cli_launcher FD` (started fresh, never forked from pytest, which holds Qt
and threads) imports what `python -m archive_browser` imports, then waits on the Unix socket
FD. Per request it forks a child that takes the request's argv, environment, cwd and its
stdin, stdout and stderr descriptors, builds sys.std* as the interpreter does at start, runs
`archive_browser` as `python -m` runs it, and ends as an interpreter ends (threads joined,
atexit handlers, streams flushed, exit code or signal). The server opens no archive and runs
no command: every child starts from the server's memory as it was after the imports.

`Launcher` is the tests' side: it sends a request, relays stdin and collects stdout and
stderr through pipes, kills the child on a timeout, and returns a `CompletedProcess` as
`subprocess.run(..., capture_output=True, text=True)` does.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Read by the interpreter (or by libraries at import) when it starts: a call whose values
# differ from the server's needs a fresh interpreter.
STARTUP_PREFIXES = ("PYTHON", "LC_", "OPENBLAS", "OMP_", "MKL_", "NUMEXPR")
STARTUP_NAMES = frozenset({"LANG", "LANGUAGE", "TZ"})
MAX_MESSAGE = 1 << 20
READY = b'"ready"'


def startup_env(env: Mapping[str, str]) -> dict[str, str]:
    """The variables of `env` a started interpreter has already read."""
    return {k: v for k, v in env.items() if k in STARTUP_NAMES or k.startswith(STARTUP_PREFIXES)}


# The server ------------------------------------------------------------------------------


def _serve(sock: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    """Forks a child per request; returns the request in the child, None when the tests
    close their end. The server's loop holds nothing a child would clean up."""
    sock.sendall(READY)
    while True:
        try:
            msg, fds, _flags, _addr = socket.recv_fds(sock, MAX_MESSAGE, 3)
        except ConnectionError:
            return None
        if not msg:
            return None
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            return json.loads(msg), fds
        for fd in fds:
            os.close(fd)
        sock.sendall(json.dumps({"pid": pid}).encode())
        _, status = os.waitpid(pid, 0)
        sock.sendall(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}).encode())


def _std_stream(
    fd: int, like: io.TextIOWrapper, name: str, unbuffered_stdio: bool
) -> io.TextIOWrapper:
    """A standard stream on `fd` built as the interpreter builds it at start (create_stdio)."""
    write = fd != 0
    unbuffered = write and unbuffered_stdio
    buf = open(fd, "wb" if write else "rb", buffering=0 if unbuffered else -1, closefd=False)  # noqa: SIM115
    raw: Any = buf if unbuffered else buf.raw  # type: ignore[attr-defined]
    raw.name = name
    line = not unbuffered_stdio and (raw.isatty() or fd == 2)
    stream = io.TextIOWrapper(
        buf,  # type: ignore[arg-type]
        encoding=like.encoding,
        errors=like.errors,
        newline="\n",
        line_buffering=line,
        write_through=unbuffered_stdio,
    )
    stream.mode = "w" if write else "r"  # type: ignore[misc]
    return stream


def _become_launch(sock: socket.socket, request: dict[str, Any], fds: list[int]) -> None:
    """In the child: take the request's descriptors, environment and folder, and run the
    command line as `python -m archive_browser` would."""
    sock.close()
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        if fd > 2:
            os.close(fd)
    cwd = request["cwd"]
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # found again from this call's environment, as at a start
    sys.path[0] = cwd  # what `python -m` puts first
    process_module = sys.modules.get("multiprocessing.process")
    if process_module is not None:
        process_module.ORIGINAL_DIR = cwd  # type: ignore[attr-defined]
    # The server's streams were made from the same environment (PYTHONUNBUFFERED, -u).
    unbuffered = sys.__stdout__.write_through
    streams = [
        _std_stream(i, like, f"<{name}>", unbuffered)
        for i, (like, name) in enumerate(
            (
                (sys.__stdin__, "stdin"),
                (sys.__stdout__, "stdout"),
                (sys.__stderr__, "stderr"),
            )
        )
    ]
    sys.stdin = sys.__stdin__ = streams[0]
    sys.stdout = sys.__stdout__ = streams[1]
    sys.stderr = sys.__stderr__ = streams[2]
    fresh = types.ModuleType("__main__")
    fresh.__dict__["__builtins__"] = builtins
    sys.modules["__main__"] = fresh
    sys.argv = ["-m", *request["argv"]]
    import runpy

    # What `python -m archive_browser` calls; SystemExit and errors end this process as
    # they end that one.
    runpy._run_module_as_main("archive_browser")  # type: ignore[attr-defined]


def main() -> None:
    sock = socket.socket(fileno=int(sys.argv[1]))
    # What a launch imports before it does anything: the whole cost saved per call.
    import multiprocessing  # noqa: F401

    import archive_browser.cli  # noqa: F401

    got = _serve(sock)
    if got is None:
        sock.close()
        return
    _become_launch(sock, *got)


# The tests' side -------------------------------------------------------------------------


class LauncherDied(RuntimeError):
    """The server went away; the call was not started (the caller may launch for real)."""


class Launcher:
    """The tests' end of a running server."""

    def __init__(self, sock: socket.socket, process: subprocess.Popen[bytes], env: dict[str, str]):
        self._sock = sock
        self._lock = threading.Lock()  # one call at a time on the socket
        self.process = process
        self.startup = startup_env(env)

    @classmethod
    def start(cls, env: Mapping[str, str], *, log: Path, timeout: float = 120) -> Launcher:
        """Starts a server with `env` and waits until its imports are done."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with log.open("ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.cli_launcher", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                cwd=REPO,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
            )
        theirs.close()
        ours.settimeout(timeout)
        try:
            ready = ours.recv(MAX_MESSAGE)
        except OSError:
            ready = b""
        if ready != READY:
            ours.close()
            process.kill()
            process.wait()
            raise LauncherDied(f"the CLI launcher did not start (its log: {log})")
        ours.settimeout(None)
        return cls(ours, process, dict(env))

    def can_run(self, env: Mapping[str, str]) -> bool:
        """Whether a call with `env` gets what a fresh interpreter would."""
        return startup_env(env) == self.startup

    def alive(self) -> bool:
        return self.process.poll() is None

    def run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | os.PathLike[str] | None = None,
        input: str | None = None,
        stdin: int = 0,
        timeout: float | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Runs `python -m archive_browser *argv` in a forked child; as subprocess.run would
        with capture_output=True, text=True, encoding="utf-8". Its stdin is a pipe holding
        `input`, or else the descriptor `stdin` (this process's own by default)."""
        with self._lock:
            return self._run(argv, env=env, cwd=cwd, input=input, stdin=stdin, timeout=timeout)

    def _run(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        cwd: str | os.PathLike[str] | None,
        input: str | None,
        stdin: int,
        timeout: float | None,
    ) -> subprocess.CompletedProcess[str]:
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        in_r = in_w = -1
        if input is not None:
            in_r, in_w = os.pipe()
        request = {"argv": list(argv), "env": dict(env), "cwd": os.path.abspath(cwd or ".")}
        try:
            try:
                socket.send_fds(
                    self._sock,
                    [json.dumps(request).encode()],
                    [in_r if input is not None else stdin, out_w, err_w],
                )
                started = self._sock.recv(MAX_MESSAGE)
            except OSError as e:
                raise LauncherDied(f"the CLI launcher went away ({e})") from e
            if not started:
                raise LauncherDied("the CLI launcher went away")
        except LauncherDied:
            for fd in (out_r, out_w, err_r, err_w, in_r, in_w):
                if fd >= 0:
                    os.close(fd)
            raise
        pid = json.loads(started)["pid"]
        os.close(out_w)
        os.close(err_w)
        if in_r >= 0:
            os.close(in_r)
        return self._collect(argv, pid, out_r, err_r, in_w, input, timeout)

    def _collect(
        self,
        argv: Sequence[str],
        pid: int,
        out_r: int,
        err_r: int,
        in_w: int,
        input: str | None,
        timeout: float | None,
    ) -> subprocess.CompletedProcess[str]:
        import time

        chunks: dict[int, list[bytes]] = {out_r: [], err_r: []}
        pending = (input or "").encode("utf-8")
        returncode: int | None = None
        deadline = None if timeout is None else time.monotonic() + timeout
        timed_out = False
        with selectors.DefaultSelector() as sel:
            sel.register(out_r, selectors.EVENT_READ)
            sel.register(err_r, selectors.EVENT_READ)
            sel.register(self._sock, selectors.EVENT_READ)
            if in_w >= 0:
                os.set_blocking(in_w, False)
                sel.register(in_w, selectors.EVENT_WRITE)
            while returncode is None or sel.get_map():
                wait = None if deadline is None else max(0.0, deadline - time.monotonic())
                events = sel.select(wait)
                if not events and deadline is not None and time.monotonic() >= deadline:
                    if not timed_out:
                        timed_out = True
                        _kill(pid)
                        deadline = time.monotonic() + 30  # for the pipes to close
                        continue
                    break
                for key, _mask in events:
                    fd = key.fd
                    if fd == in_w:
                        try:
                            written = os.write(in_w, pending[:65536]) if pending else 0
                        except BrokenPipeError:
                            written, pending = 0, b""
                        pending = pending[written:]
                        if not pending:
                            sel.unregister(in_w)
                            os.close(in_w)
                            in_w = -1
                    elif key.fileobj is self._sock:
                        msg = self._sock.recv(MAX_MESSAGE)
                        sel.unregister(self._sock)
                        if not msg:
                            returncode = -int(signal.SIGKILL)
                            _kill(pid)
                        else:
                            returncode = json.loads(msg)["returncode"]
                    else:
                        data = os.read(fd, 65536)
                        if data:
                            chunks[fd].append(data)
                        else:
                            sel.unregister(fd)
            if returncode is None and self._sock in {k.fileobj for k in sel.get_map().values()}:
                self.close()  # its answer would reach the next call: no next call
        for fd in (out_r, err_r, in_w):
            if fd >= 0:
                os.close(fd)
        stdout = _text(b"".join(chunks[out_r]))
        stderr = _text(b"".join(chunks[err_r]))
        args = [sys.executable, "-m", "archive_browser", *argv]
        if timed_out:
            raise subprocess.TimeoutExpired(args, timeout or 0, output=stdout, stderr=stderr)
        if returncode is None:
            raise LauncherDied("the CLI launcher did not report how a call ended")
        return subprocess.CompletedProcess(args, returncode, stdout, stderr)

    def close(self) -> None:
        """Ends the server (it exits when its socket closes) and waits for it."""
        self._sock.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _text(data: bytes) -> str:
    """Decoded as subprocess does in text mode (universal newlines)."""
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


if __name__ == "__main__":
    main()

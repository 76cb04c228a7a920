"""Run ``deckbuilder`` as the user does: a real process, its whole output, its exit code.

An in-process runner hides what third-party libraries print to the terminal and what a
process leaves running; here every command runs as its own process in its own session,
with a time limit, and the test fails if anything of it is still running afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Root ignores file permissions, so when the suite runs as root, tests that need a
# permission to be denied run the command without the capabilities that do that.
_OBEY_PERMISSIONS = [
    "setpriv",
    "--inh-caps=-dac_override,-dac_read_search",
    "--bounding-set=-dac_override,-dac_read_search",
    "--",
]


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def deckbuilder(
    *args: str | os.PathLike[str],
    cwd: Path,
    timeout: float = 60,
    obey_permissions: bool = False,
    env: dict[str, str] | None = None,
    limit_memory: int | None = None,
    limit_file_size: int | None = None,
    reader_gone: bool = False,
) -> Run:
    """Run ``python -m deckbuilder ARGS`` in ``cwd``; fail the test on timeout or on any
    process of it left behind. ``obey_permissions``: file permissions apply even to root.
    ``reader_gone``: stdout is a pipe whose reader has already left, as in ``| true``
    once ``true`` has ended (every write to it fails; ``Run.stdout`` is empty)."""
    prefix = _OBEY_PERMISSIONS if obey_permissions and os.geteuid() == 0 else []
    stdout: int = subprocess.PIPE
    if reader_gone:
        read_end, stdout = os.pipe()
        os.close(read_end)

    def limits() -> None:
        import resource

        if limit_memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (limit_memory, limit_memory))
        if limit_file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

    started = time.perf_counter()
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "deckbuilder", *map(str, args)],
        cwd=cwd,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})},
        preexec_fn=limits if (limit_memory or limit_file_size) else None,
    )
    if reader_gone:
        os.close(stdout)
    return _finish(proc, started, timeout, f"deckbuilder {' '.join(map(str, args))}")


def shell(command: str, *, cwd: Path, timeout: float = 60) -> Run:
    """Run ``command`` with bash, as a user types it (pipes, ``cd``, quotes), with the
    ``deckbuilder`` of this environment first on ``PATH``; as :func:`deckbuilder`, fail
    the test on timeout or on any process of it left behind."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    started = time.perf_counter()
    proc = subprocess.Popen(
        ["bash", "-c", command],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PATH": path},
    )
    return _finish(proc, started, timeout, command)


def _finish(proc: subprocess.Popen[str], started: float, timeout: float, what: str) -> Run:
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"{what} did not finish in {timeout} s:\n{err}") from None
    seconds = time.perf_counter() - started
    _assert_nothing_left(proc.pid, what)
    return Run(proc.returncode, out or "", err, seconds)


def _assert_nothing_left(pgid: int, what: str) -> None:
    """No process of the command's session may outlive it (workers included)."""
    deadline = time.monotonic() + 5
    while True:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # a process of another user still runs in it
            pass
        if time.monotonic() > deadline:
            os.killpg(pgid, signal.SIGKILL)
            raise AssertionError(f"{what} left processes behind")
        time.sleep(0.05)

"""Run a command and reap every process it leaves behind: the root of an Anki run.

``tests.support.desktop`` starts ``python reaper.py COMMAND...`` in a new session. Processes of
the run outlive their parents: Xvfb once xvfb-run has exited, Qt WebEngine's helpers once
Anki has. Orphans are handed to PID 1, which in a container may reap them late or never,
so they would linger as ``<defunct>`` entries. As a child subreaper this process inherits
them instead, reaps them at once, and exits only when none is left, with the command's
exit code. On SIGTERM (the harness's timeout) every other process of the session gets
SIGTERM, and SIGKILL after a grace period; the same happens to stragglers once the
command itself has exited.

Standard library only: it runs as a script, and ``session_members`` and ``stop_run`` are
shared with the harnesses that start it (``tests.support.desktop``, ``tests.support.webkit``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>
GRACE = 5  # seconds between SIGTERM and SIGKILL, and for stragglers after the command


def live_processes() -> Iterator[tuple[Path, list[str]]]:
    """Each live process's /proc folder and the fields of its ``stat`` after
    "pid (comm)" (state, ppid, pgrp, session, ...); zombies are dead: skipped."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            yield entry, fields


def session_members(sid: int) -> list[int]:
    """Live processes of session ``sid``."""
    return [int(entry.name) for entry, fields in live_processes() if int(fields[3]) == sid]


def send(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def signal_others(sig: signal.Signals) -> None:
    send([pid for pid in session_members(os.getsid(0)) if pid != os.getpid()], sig)


def stop_others(*_: object) -> None:
    """SIGTERM to the rest of the session now, SIGKILL after the grace period."""
    signal.signal(signal.SIGALRM, lambda *_: signal_others(signal.SIGKILL))
    signal.alarm(GRACE)
    signal_others(signal.SIGTERM)


def stop_run(process: subprocess.Popen[bytes]) -> list[int]:
    """End a run whose root is ``process`` (this script, leading its own session): on
    SIGTERM it stops and reaps every process of the run. Should it not exit in time,
    SIGKILL whatever is left of its session. Returns the processes that survived even
    that (none, normally); a no-op once the run has ended."""
    sid = process.pid
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=GRACE * 3)
        except subprocess.TimeoutExpired:
            send(session_members(sid), signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + GRACE
    while (left := session_members(sid)) and time.monotonic() < deadline:
        send(left, signal.SIGKILL)
        time.sleep(0.05)  # processes that are not our children cannot be waited for
    return left


TAIL = 4000  # characters of a run's stdout/stderr quoted in an error


def tails(*paths: Path) -> str:
    """The end of each output file, for an error message."""
    parts = []
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        parts.append(f"\n--- {path.name} (last {TAIL} characters) ---\n{text[-TAIL:]}")
    return "".join(parts)


def run_reaped(
    command: list[str],
    env: dict[str, str],
    folder: Path,
    timeout: float,
    fail: Callable[[str], Exception],
    what: str,
) -> tuple[int, float]:
    """Run ``command`` under this reaper in a new session, its output in ``folder``'s
    stdout.txt and stderr.txt; return its exit code and how long it took. Raises
    ``fail(message)`` when it runs past ``timeout`` or leaves a process alive."""
    out_path, err_path = folder / "stdout.txt", folder / "stderr.txt"
    began = time.monotonic()
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, __file__, *command], env=env, cwd=folder,
            stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop_or_fail(process, fail, what)
            raise fail(
                f"{what} did not finish within {timeout} s (run folder {folder})"
                + tails(out_path, err_path)
            ) from None
        finally:
            _stop_or_fail(process, fail, what)  # also after an interrupt; a no-op once ended
    return code, time.monotonic() - began


def read_result(
    folder: Path, result_path: Path, code: int, fail: Callable[[str], Exception], what: str
) -> dict:
    """The result a run wrote, once it is known to be whole: raises ``fail(message)``, with
    the ends of the run's output, when there is none, when the plan failed, or when the
    process exited with an error after writing it."""
    import json

    output = tails(folder / "stdout.txt", folder / "stderr.txt")
    if not result_path.exists():
        raise fail(f"{what} exited with code {code} without results (run folder {folder})" + output)
    result = json.loads(result_path.read_text(encoding="utf-8"))
    if result["error"]:
        raise fail(f"the plan failed in {what} (run folder {folder}):\n{result['error']}" + output)
    if code != 0:
        raise fail(f"{what} exited with code {code} (run folder {folder})" + output)
    return result


def _stop_or_fail(
    process: subprocess.Popen[bytes], fail: Callable[[str], Exception], what: str
) -> None:
    if left := stop_run(process):
        raise fail(f"processes of the {what} run survived SIGKILL: {left}")


def main(command: list[str]) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print(f"reaper: prctl failed (errno {ctypes.get_errno()})", file=sys.stderr)
    signal.signal(signal.SIGTERM, stop_others)
    main_pid = os.posix_spawnp(command[0], command, os.environ)
    code = 1
    while True:
        try:
            pid, status = os.wait()  # children and inherited orphans alike
        except ChildProcessError:
            return code
        if pid == main_pid:
            code = os.waitstatus_to_exitcode(status)
            if code < 0:
                code = 128 - code
            signal.signal(signal.SIGALRM, stop_others)
            signal.alarm(GRACE)  # stragglers get a moment to exit on their own


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""Run benchmark commands as child processes: wall time, CPU time, peak RSS, exit status.

Each command is started with :class:`subprocess.Popen` and reaped with
:func:`os.wait4`, which returns that child's own resource usage: user +
system CPU time and peak RSS (``ru_maxrss``). Linux counts in a child's peak
RSS the memory of the process it was forked from, up to its ``exec``, so a
command whose RSS matters is started by a small launcher (``python -I -S``,
a few MiB) that reaps it and reports its figures; the bench process itself
holds far more. Wall time is taken around start and reaping, so every
command pays the same spawn cost. This module does not decide what to run or
judge figures.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# python -I -S -c LAUNCHER argv...: runs argv (stdout discarded), prints its figures.
LAUNCHER = (
    "import os, sys, time\n"
    "null = os.open(os.devnull, os.O_WRONLY)\n"
    "start = time.perf_counter()\n"
    "pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ,"
    " file_actions=[(os.POSIX_SPAWN_DUP2, null, 1)])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "wall = time.perf_counter() - start\n"
    "print(os.waitstatus_to_exitcode(status), wall, usage.ru_utime + usage.ru_stime,"
    " usage.ru_maxrss)\n"
)


class CommandFailed(Exception):
    """A measured command did not exit 0 (or could not be started)."""


@dataclass(frozen=True)
class Run:
    """One finished child process."""

    argv: tuple[str, ...]
    returncode: int
    wall: float
    cpu: float
    maxrss_kib: int
    stderr: str

    @property
    def maxrss_mib(self) -> float:
        return self.maxrss_kib / 1024


def run(
    argv: Sequence[str],
    env: Mapping[str, str],
    *,
    what: str = "",
    rss: bool = False,
    check: bool = True,
) -> Run:
    """Run ``argv`` (stdout discarded, stderr kept); raise CommandFailed unless it exits 0.

    With ``rss``, through the launcher, so the peak RSS is the command's own.
    """
    if rss:
        return _launched(argv, env, what, check)
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        except OSError as exc:
            raise CommandFailed(f"cannot start {argv[0]}: {exc}") from exc
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode(errors="replace")
    result = Run(
        tuple(argv),
        proc.returncode,
        wall,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss,
        text,
    )
    if check:
        _check(result, what)
    return result


def _launched(argv: Sequence[str], env: Mapping[str, str], what: str, check: bool) -> Run:
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", LAUNCHER, *argv], env=dict(env), capture_output=True
    )
    text = proc.stderr.decode(errors="replace")
    try:
        code, wall, cpu, maxrss = proc.stdout.decode().split()
    except ValueError as exc:
        raise CommandFailed(f"the launcher failed for {' '.join(argv)}: {text}") from exc
    result = Run(tuple(argv), int(code), float(wall), float(cpu), int(maxrss), text)
    if check:
        _check(result, what)
    return result


def _check(result: Run, what: str) -> None:
    if result.returncode != 0:
        text, argv = result.stderr, result.argv
        tail = "\n    ".join(text.strip().splitlines()[-6:])
        raise CommandFailed(
            f"{what or argv[0]} exited {result.returncode}\n  command: {' '.join(argv)}\n    {tail}"
        )


@dataclass(frozen=True)
class Summary:
    """Median, min and max of some samples (seconds, or any unit)."""

    median: float
    minimum: float
    maximum: float
    samples: tuple[float, ...]

    @classmethod
    def of(cls, samples: Sequence[float]) -> Summary:
        return cls(statistics.median(samples), min(samples), max(samples), tuple(samples))

    def to_json(self) -> dict[str, object]:
        return {
            "median": self.median,
            "min": self.minimum,
            "max": self.maximum,
            "samples": list(self.samples),
        }

"""Run benchmark commands as child processes: wall time, exit status, peak RSS.

Wall time is taken around ``subprocess.run`` in this process, so every
command pays the same spawn cost. Peak RSS is the child's ``ru_maxrss``,
read either by GNU ``/usr/bin/time`` (a tiny C parent) or by a dedicated
Python wrapper process that calls ``getrusage(RUSAGE_CHILDREN)`` after its
only child exits. This module does not decide what to run or judge figures.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

GNU_TIME = "/usr/bin/time"

# Run as `python -I -S -c WRAPPER argv...`: one child, stdout discarded, stderr passed on;
# prints "<maxrss KiB> <exit status>" on its own stdout.
WRAPPER = (
    "import resource, subprocess, sys\n"
    "rc = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)\n"
)


class CommandFailed(Exception):
    """A measured command did not exit 0 (or could not be started)."""


@dataclass(frozen=True)
class Run:
    """One finished child process."""

    argv: tuple[str, ...]
    returncode: int
    wall: float
    stderr: str
    maxrss_kib: int | None = None
    cpu: float | None = None  # user + system seconds of the child and its descendants

    @property
    def maxrss_mib(self) -> float | None:
        return None if self.maxrss_kib is None else self.maxrss_kib / 1024


def check(run: Run, what: str) -> Run:
    """Return ``run`` if it exited 0, else raise CommandFailed naming ``what``."""
    if run.returncode != 0:
        tail = "\n    ".join(run.stderr.strip().splitlines()[-6:])
        raise CommandFailed(
            f"{what} exited {run.returncode}\n  command: {' '.join(run.argv)}\n    {tail}"
        )
    return run


def run_timed(argv: Sequence[str], env: Mapping[str, str]) -> Run:
    """Run ``argv`` with stdout discarded; wall and CPU time measured here.

    CPU time is the growth of this process's RUSAGE_CHILDREN user + system
    time across the run (children run one at a time), so it is far less
    sensitive than wall time to other load on the machine.
    """
    before = _children_cpu()
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            list(argv), env=dict(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
    except OSError as exc:
        raise CommandFailed(f"cannot start {argv[0]}: {exc}") from exc
    wall = time.perf_counter() - start
    cpu = _children_cpu() - before
    stderr = proc.stderr.decode(errors="replace")
    return Run(tuple(argv), proc.returncode, wall, stderr, cpu=cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def rss_tool(choice: str) -> str:
    """Resolve ``auto`` to ``time`` when GNU time is installed, else ``wrapper``."""
    if choice == "auto":
        return "time" if os.access(GNU_TIME, os.X_OK) else "wrapper"
    if choice == "time" and not os.access(GNU_TIME, os.X_OK):
        raise CommandFailed(f"--rss-tool time: {GNU_TIME} is not installed")
    return choice


def run_with_rss(argv: Sequence[str], env: Mapping[str, str], tool: str) -> Run:
    """Run ``argv`` and read its peak RSS with ``tool`` (``time`` or ``wrapper``)."""
    if tool == "time":
        return _run_gnu_time(argv, env)
    return _run_wrapper(argv, env)


def _run_gnu_time(argv: Sequence[str], env: Mapping[str, str]) -> Run:
    with tempfile.NamedTemporaryFile("r", prefix="bench-time-", suffix=".txt") as out:
        run = run_timed([GNU_TIME, "-o", out.name, "-f", "BENCH %M %x", *argv], env)
        lines = [line for line in out.read().splitlines() if line.startswith("BENCH ")]
    if not lines:
        raise CommandFailed(f"{GNU_TIME} gave no figures for {' '.join(argv)}: {run.stderr}")
    _, rss, status = lines[-1].split()
    return Run(tuple(argv), int(status), run.wall, run.stderr, int(rss), run.cpu)


def _run_wrapper(argv: Sequence[str], env: Mapping[str, str]) -> Run:
    before = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", WRAPPER, *argv],
        env=dict(env),
        capture_output=True,
    )
    wall = time.perf_counter() - start
    cpu = _children_cpu() - before  # includes the wrapper's own start-up
    stderr = proc.stderr.decode(errors="replace")
    try:
        rss, status = proc.stdout.decode().split()
    except ValueError as exc:
        raise CommandFailed(f"RSS wrapper failed for {' '.join(argv)}: {stderr}") from exc
    return Run(tuple(argv), int(status), wall, stderr, int(rss), cpu)


@dataclass(frozen=True)
class Summary:
    """Median and min of some samples (seconds, or any unit)."""

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
